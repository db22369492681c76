/**
 * IPv4 addresses on devices: adding (primary or secondary, ordered by scope), deleting with
 * secondary promotion or removal, flushing, finding the device that owns an address, and source
 * address selection.
 *
 * Follows net/ipv4/devinet.c: __inet_insert_ifa (find_matching_ifa's EEXIST, same-subnet addresses
 * become secondaries, a scope mismatch in one subnet is EINVAL, primaries after the last primary of
 * at least their scope), inet_rtm_deladdr (match local, then prefix length and label if given),
 * __inet_del_ifa (promote_secondaries, or the subnet's secondaries go with their primary),
 * inet_ifa_byprefix, inet_select_addr, inet_addr_onlink, and __ip_dev_find (net/ipv4/fib_frontend.c:
 * the owner of a local address, else a `local` route of the local table). The routes an address
 * brings and takes (fib_add_ifaddr / fib_del_ifaddr) are the FIB's, reached through AddressRouteSync
 * as Linux reaches them through the inetaddr notifier.
 * Leaves out IPv6 addresses (addrconf: display only, see devices.ts), address lifetimes and flags
 * other than noprefixroute.
 */
import { isInPrefix, networkOf, prefixMask } from '@netloom/wire';
import { renamedLabels } from '../device-name.js';
import { fail, OK, type KernelResult } from '../fib/errors.js';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE } from '../fib/types.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { DeviceState, DeviceTable, NetdevEvent, NetdevListener } from './devices.js';
import { lookupFlow, type Fib } from './fib-lookup.js';

/** One IPv4 address on a device (in_ifaddr). */
export interface IfAddress {
  address: number;
  prefixLength: number;
  /** Broadcast address as configured (0 when none was given). */
  broadcast: number;
  label: string;
  secondary: boolean;
  scope: number;
  noprefixroute: boolean;
  /** Metric of the prefix route (`ip addr add … metric N`). */
  metric: number;
  /** Order of addition across the node (the inet address hash finds the newest first). */
  sequence: number;
}

export interface AddressSpec {
  address: number;
  prefixLength: number;
  broadcast?: number;
  label?: string;
  scope?: number;
  noprefixroute?: boolean;
  metric?: number;
}

/**
 * What an address change does to the FIB (fib_inetaddr_event and the direct calls of
 * __inet_del_ifa): the address's routes come (fib_add_ifaddr + fib_sync_up) and go
 * (fib_del_ifaddr), and the device's last address going disables IP on it (fib_disable_ip).
 */
export interface AddressRouteSync {
  addressRoutesUp(dev: DeviceState, ifa: IfAddress): void;
  addressRoutesDown(dev: DeviceState, ifa: IfAddress, promotedFrom?: IfAddress): void;
  reviveRoutes(dev: DeviceState): void;
  lastAddressGone(dev: DeviceState): void;
}

/** Primary address of the subnet (inet_ifa_byprefix). */
export function primaryAddressFor(dev: DeviceState, network: number, prefixLength: number): IfAddress | undefined {
  return dev.addresses.find(
    (a) => !a.secondary && a.prefixLength === prefixLength && networkOf(a.address, prefixLength) === network,
  );
}

/** inet_addr_onlink: both addresses in a subnet of the device (b = 0 counts as on-link). */
export function isOnlink(dev: DeviceState, a: number, b: number): boolean {
  return dev.addresses.some((ifa) => isInPrefix(a, ifa.address, ifa.prefixLength) && (!b || isInPrefix(b, ifa.address, ifa.prefixLength)));
}

/** Where a primary of `scope` goes: after the last primary whose scope is at least as wide. */
function primaryInsertIndex(dev: DeviceState, scope: number): number {
  let lastPrimary = 0;
  for (let i = 0; i < dev.addresses.length; i++) {
    const a = dev.addresses[i]!;
    if (!a.secondary && scope <= a.scope) lastPrimary = i + 1;
  }
  return lastPrimary;
}

export class InetAddresses implements NetdevListener {
  private addressSequence = 0;

  constructor(
    private readonly devices: DeviceTable,
    private readonly fib: Fib,
    private readonly sysctls: SysctlTree,
    private readonly notifier: ChangeNotifier,
    private readonly routes: AddressRouteSync,
  ) {
    devices.registerNetdevListener(this);
  }

  /** inetdev_event: on NETDEV_CHANGENAME the address labels follow (inetdev_changename). */
  netdevEvent(event: NetdevEvent, dev: DeviceState): void {
    if (event.type !== 'changename') return;
    const labels = renamedLabels(dev.addresses.map((a) => a.label), dev.name);
    dev.addresses.forEach((a, i) => {
      a.label = labels[i]!;
    });
  }

  /** Full address records of a device (primary first, as `ip addr` lists them). */
  of(name: string): readonly IfAddress[] {
    return this.devices.find(name)?.addresses ?? [];
  }

  /** `ip addr add` (__inet_insert_ifa + fib_add_ifaddr). */
  add(name: string, spec: AddressSpec): KernelResult {
    const dev = this.devices.find(name);
    if (!dev) return fail('ENODEV');
    const ifa: IfAddress = {
      address: spec.address >>> 0,
      prefixLength: spec.prefixLength,
      broadcast: (spec.broadcast ?? 0) >>> 0,
      label: spec.label ?? name,
      secondary: false,
      scope: spec.scope ?? RT_SCOPE_UNIVERSE,
      noprefixroute: spec.noprefixroute ?? false,
      metric: spec.metric ?? 0,
      sequence: this.addressSequence++,
    };
    const mask = prefixMask(ifa.prefixLength);
    // find_matching_ifa: same mask, same subnet, same local address.
    if (dev.addresses.some((a) => a.prefixLength === ifa.prefixLength && a.address === ifa.address)) {
      return fail('EEXIST', 'ipv4: Address already assigned');
    }
    for (const a of dev.addresses) {
      if (a.prefixLength === ifa.prefixLength && ((a.address ^ ifa.address) & mask) === 0) {
        if (a.scope !== ifa.scope) return fail('EINVAL', 'ipv4: Invalid scope value');
        ifa.secondary = true;
      }
    }
    if (ifa.secondary) dev.addresses.push(ifa);
    else dev.addresses.splice(primaryInsertIndex(dev, ifa.scope), 0, ifa);
    this.sysctls.lockDefaults(name);
    // inetaddr NETDEV_UP: fib_add_ifaddr, fib_sync_up, rt_cache_flush.
    this.routes.addressRoutesUp(dev, ifa);
    this.routes.reviveRoutes(dev);
    this.notifier.routesChanged();
    this.notifier.emit({ type: 'address', dev: name, address: ifa.address, added: true });
    return OK;
  }

  /** `ip addr del` (inet_rtm_deladdr: match local, then prefix length and label if given). */
  delete(name: string, address: number, prefixLength?: number, label?: string): KernelResult {
    const dev = this.devices.find(name);
    if (!dev) return fail('ENODEV');
    const ifa = dev.addresses.find(
      (a) =>
        a.address === address >>> 0 &&
        (prefixLength === undefined || a.prefixLength === prefixLength) &&
        (label === undefined || a.label === label),
    );
    if (!ifa) return fail('EADDRNOTAVAIL', 'ipv4: Address not found');
    this.deleteIfaddr(dev, ifa);
    this.notifier.routesChanged();
    return OK;
  }

  /** Delete every address of the device that `select` picks (ip addr flush), primaries last. */
  flush(name: string, select: (ifa: IfAddress) => boolean): KernelResult {
    const dev = this.devices.find(name);
    if (!dev) return fail('ENODEV');
    for (;;) {
      const victim = [...dev.addresses].reverse().find(select);
      if (!victim) break;
      this.deleteIfaddr(dev, victim);
    }
    this.notifier.routesChanged();
    return OK;
  }

  /** __inet_del_ifa with promote_secondaries. */
  private deleteIfaddr(dev: DeviceState, ifa1: IfAddress): void {
    const promote = this.sysctls.conf(dev.name, 'promote_secondaries') !== 0;
    const sameSubnet = (a: IfAddress): boolean =>
      a.prefixLength === ifa1.prefixLength && isInPrefix(a.address, ifa1.address, ifa1.prefixLength);
    let promoted: IfAddress | undefined;
    if (!ifa1.secondary) {
      const secondaries = dev.addresses.filter((a) => a !== ifa1 && a.secondary && sameSubnet(a));
      if (!promote) {
        for (const sec of secondaries) {
          dev.addresses.splice(dev.addresses.indexOf(sec), 1);
          this.addressGone(dev, sec);
        }
      } else promoted = secondaries[0];
    }
    if (promoted) {
      // Remove the routes of every secondary of the subnet; they come back with the new prefsrc.
      const index = dev.addresses.indexOf(promoted);
      for (const sec of dev.addresses.slice(index)) if (sameSubnet(sec)) this.routes.addressRoutesDown(dev, sec, ifa1);
    }
    dev.addresses.splice(dev.addresses.indexOf(ifa1), 1);
    this.addressGone(dev, ifa1);
    if (promoted) {
      dev.addresses.splice(dev.addresses.indexOf(promoted), 1);
      promoted.secondary = false;
      dev.addresses.splice(primaryInsertIndex(dev, ifa1.scope), 0, promoted);
      this.routes.addressRoutesUp(dev, promoted);
      this.routes.reviveRoutes(dev);
      for (const sec of dev.addresses.slice(dev.addresses.indexOf(promoted) + 1)) {
        if (sec.secondary && sameSubnet(sec)) this.routes.addressRoutesUp(dev, sec);
      }
      this.notifier.emit({ type: 'address', dev: dev.name, address: promoted.address, added: true });
    }
  }

  /** inetaddr NETDEV_DOWN for an address already unlinked. */
  private addressGone(dev: DeviceState, ifa: IfAddress): void {
    this.routes.addressRoutesDown(dev, ifa);
    if (dev.addresses.length === 0) this.routes.lastAddressGone(dev);
    this.notifier.emit({ type: 'address', dev: dev.name, address: ifa.address, added: false });
  }

  /** inet_select_addr. */
  selectSource(devName: string, dst: number, scope: number): number {
    const dev = this.devices.find(devName);
    const localnetScope = dev && this.sysctls.conf(dev.name, 'route_localnet') ? RT_SCOPE_LINK : RT_SCOPE_HOST;
    let addr = 0;
    if (dev) {
      for (const ifa of dev.addresses) {
        if (ifa.secondary) continue;
        if (Math.min(ifa.scope, localnetScope) > scope) continue;
        if (!dst || isInPrefix(dst, ifa.address, ifa.prefixLength)) return ifa.address;
        if (!addr) addr = ifa.address;
      }
      if (addr) return addr;
    }
    for (const other of this.devices.all()) {
      for (const ifa of other.addresses) {
        if (ifa.secondary) continue;
        if (ifa.scope !== RT_SCOPE_LINK && ifa.scope <= scope) return ifa.address;
      }
    }
    return 0;
  }

  isLocalAddress(addr: number): boolean {
    const a = addr >>> 0;
    return this.devices.all().some((d) => d.addresses.some((ifa) => ifa.address === a));
  }

  /**
   * __ip_dev_find: the device holding a local address, falling back to a `local` route of the local
   * table (merged with main while there are no custom rules), so 127.0.0.5 counts as ours.
   */
  deviceOfAddress(addr: number): DeviceState | undefined {
    const a = addr >>> 0;
    let owner: DeviceState | undefined;
    let newest = -1;
    for (const d of this.devices.all()) {
      for (const ifa of d.addresses) {
        if (ifa.address === a && ifa.sequence > newest) {
          newest = ifa.sequence;
          owner = d;
        }
      }
    }
    if (owner) return owner;
    const result = this.fib.localTableLookup(lookupFlow({ dst: a, src: 0, iif: this.devices.loopback.name, scope: RT_SCOPE_UNIVERSE, ignoreLinkState: false }));
    if (!result || !result.ok || result.res.type !== 'local') return undefined;
    return this.devices.find(result.res.route.nexthops[result.res.nexthop]?.dev ?? '');
  }
}
