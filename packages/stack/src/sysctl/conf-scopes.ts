/**
 * The storage behind a protocol's conf directory (net.ipv4.conf, net.ipv6.conf): `all`, `default`
 * and one set of values per device, each device with whatever else its owner keeps beside its
 * values. Reading raw values, renaming and removing devices, and listing every key are the same
 * for both families; what a write does (devinet's and addrconf's rules) is the owner's.
 * Values are OverlayValues: a node holds only what was written over the shared defaults.
 */
import type { OverlayValues } from './overlay-values.js';

export interface DeviceValues {
  values: OverlayValues;
}

export class ConfScopes<Device extends DeviceValues> {
  readonly devices = new Map<string, Device>();

  constructor(
    /** `net.ipv4.conf` or `net.ipv6.conf`. */
    private readonly prefix: string,
    readonly all: OverlayValues,
    readonly dflt: OverlayValues,
  ) {}

  /** SCOPE.KEY as stored (SCOPE all, default or a device). */
  raw(scope: string, key: string): number | undefined {
    if (scope === 'all') return this.all.get(key);
    if (scope === 'default') return this.dflt.get(key);
    return this.devices.get(scope)?.values.get(key);
  }

  /** PREFIX.SCOPE.KEY's value; undefined for any other name. */
  read(name: string): number | undefined {
    // Addrconf reads a dozen keys per address it adds: no array or string beyond SCOPE and KEY.
    const at = this.prefix.length;
    if (!name.startsWith(this.prefix) || name.charCodeAt(at) !== 0x2e) return undefined;
    const dot = name.indexOf('.', at + 1);
    if (dot < 0 || name.includes('.', dot + 1)) return undefined;
    return this.raw(name.slice(at + 1, dot), name.slice(dot + 1));
  }

  rename(from: string, to: string): void {
    const device = this.devices.get(from);
    if (device === undefined) return;
    this.devices.delete(from);
    this.devices.set(to, device);
  }

  /** Every PREFIX.SCOPE.KEY with its value: all, default, then the devices. */
  list(): [string, number][] {
    const entries: [string, number][] = [];
    const scopes: [string, OverlayValues][] = [['all', this.all], ['default', this.dflt]];
    for (const [dev, device] of this.devices) scopes.push([dev, device.values]);
    for (const [scope, values] of scopes) for (const [k, v] of values) entries.push([`${this.prefix}.${scope}.${k}`, v]);
    return entries;
  }
}
