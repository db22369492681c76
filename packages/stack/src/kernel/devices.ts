/**
 * The node's network devices, each of a registered kind (device-kinds.ts: the loopback, Ethernet
 * ports, `dummy`), with their ifindex, MAC, MTU, admin state, carrier and qdisc name, the per-packet
 * read-only views the datapath gets, and the netdevice notifier chain the FIB listens on.
 *
 * Follows net/core/dev.c: register_netdevice (ifindex in creation order, `net.ipv4.conf.DEV` and
 * `net.ipv4.neigh.DEV` created), dev_set_mtu (68 minimum, the kind's maximum: 65535 for Ethernet),
 * dev_set_mac_address with eth_prepare_mac_addr_change (no multicast or zero MAC),
 * dev_open / dev_close (NETDEV_UP / NETDEV_DOWN) and netif_carrier_on/off (NETDEV_CHANGE). IPv6
 * addresses are addrconf's (ipv6/addrconf.ts), a netdevice listener like the FIB.
 * rtnl_newlink for the kinds `ip link add` may create (a deterministic MAC where dummy draws a random one).
 * Leaves out device deletion and qdiscs beyond the name `ip link` prints.
 */
import type { DeviceView } from '../routing-api.js';
import { chooseDeviceName } from '../device-name.js';
import { DeviceKinds } from '../device-kinds.js';
import { fail, OK, type KernelError, type KernelResult } from '../fib/errors.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import type { IfAddress } from './addresses.js';
import type { ChangeNotifier } from './change-notifier.js';

/** A device as the kernel keeps it (net_device + in_device): what the datapath's view shows, and more. */
export interface DeviceState extends DeviceView {
  /** IPv4 addresses, primaries first (in_device's ifa_list). */
  addresses: IfAddress[];
  /** Brought up at least once (a never-opened device still has the `noop` qdisc). */
  everUp: boolean;
  /**
   * IPv4 groups joined by the node's own users beyond all-hosts (ip_mc_inc_group), with how many hold
   * each; null until the first join (few devices ever join one).
   */
  multicastGroups: Map<number, number> | null;
}

/** An IPv6 address as `ifconfig` shows it. */
export interface Ipv6AddressView {
  address: string;
  prefixLength: number;
  scope: 'host' | 'link' | 'site' | 'global';
}

/** Per-device counters (rtnl_link_stats64) as `ip -s link` and `ifconfig` show them. */
export interface DeviceStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  rxMissed: number;
  rxMulticast: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
  txCarrier: number;
  txCollisions: number;
}

export const ZERO_DEVICE_STATS: DeviceStats = {
  rxBytes: 0,
  rxPackets: 0,
  rxErrors: 0,
  rxDropped: 0,
  rxMissed: 0,
  rxMulticast: 0,
  txBytes: 0,
  txPackets: 0,
  txErrors: 0,
  txDropped: 0,
  txCarrier: 0,
  txCollisions: 0,
};

/**
 * What the netdevice notifier chain carries: `up` (NETDEV_UP), `down` (NETDEV_DOWN), `carrier`
 * (NETDEV_CHANGE while the device is up) and `changename` (NETDEV_CHANGENAME, with the old name).
 * Sent after the device's state changed.
 */
export type NetdevEvent = { type: 'up' } | { type: 'down' } | { type: 'carrier' } | { type: 'changename'; from: string };

/** A netdevice notifier (register_netdevice_notifier): the FIB's fib_netdev_event. */
export interface NetdevListener {
  netdevEvent(event: NetdevEvent, dev: DeviceState): void;
}

export class DeviceTable {
  private readonly list: DeviceState[] = [];
  private nextIfindex = 1;
  private readonly netdevListeners: NetdevListener[] = [];
  /** Device views handed out until the next change (the datapath asks for them per packet). */
  private readonly views = new Map<string, DeviceView>();
  private viewsAt = -1;

  constructor(
    private readonly sysctls: SysctlTree,
    private readonly notifier: ChangeNotifier,
    /** The kinds devices may be of (rtnl_link_register). */
    readonly kinds: DeviceKinds = DeviceKinds.linux(),
  ) {}

  /** register_netdevice_notifier. */
  registerNetdevListener(listener: NetdevListener): void {
    this.netdevListeners.push(listener);
  }

  find(name: string): DeviceState | undefined {
    return this.list.find((d) => d.name === name);
  }

  /** Every device in ifindex order (the loopback first). */
  all(): readonly DeviceState[] {
    return this.list;
  }

  get loopback(): DeviceState {
    return this.list[0]!;
  }

  /**
   * The view of the device called `name`, or undefined: the shared view when it is current, so the
   * datapath's lookups per frame (receive, output, transmit) search no list.
   */
  viewOf(name: string): DeviceView | undefined {
    const cached = this.currentViews().get(name);
    if (cached !== undefined) return cached;
    const dev = this.find(name);
    return dev ? this.view(dev) : undefined;
  }

  /** The views made since the last change (none survive one). */
  private currentViews(): Map<string, DeviceView> {
    if (this.viewsAt !== this.notifier.changeCount) {
      this.views.clear();
      this.viewsAt = this.notifier.changeCount;
    }
    return this.views;
  }

  /** Device facts (the view is shared until the next change: do not mutate it). */
  view(dev: DeviceState): DeviceView {
    const cached = this.currentViews().get(dev.name);
    if (cached) return cached;
    const view: DeviceView = {
      name: dev.name,
      ifindex: dev.ifindex,
      kind: dev.kind,
      ops: dev.ops,
      mac: dev.mac,
      mtu: dev.mtu,
      adminUp: dev.adminUp,
      carrier: dev.carrier,
      addresses: dev.addresses.map((a) => ({
        address: a.address,
        prefixLength: a.prefixLength,
        broadcast: a.broadcast,
        label: a.label,
        secondary: a.secondary,
        scope: a.scope,
      })),
    };
    this.views.set(dev.name, view);
    return view;
  }

  byIndex(ifindex: number): DeviceState | undefined {
    return this.list.find((d) => d.ifindex === ifindex);
  }

  /** The qdisc `ip link` shows: `noop` until the device was first opened, then `noqueue` (as veth). */
  qdisc(name: string): string {
    return this.find(name)?.everUp ? 'noqueue' : 'noop';
  }

  /** register_netdevice: a device of a registered kind (an unknown kind is a wiring bug). */
  add(name: string, kind: string, mac: Uint8Array, mtu: number): KernelResult {
    const ops = this.kinds.get(kind);
    if (ops === undefined) throw new Error(`device ${name}: no device kind ${kind} registered`);
    if (this.find(name)) return fail('EEXIST');
    this.list.push({
      name,
      ifindex: this.nextIfindex++,
      kind,
      ops,
      mac: new Uint8Array(mac),
      mtu,
      adminUp: false,
      carrier: ops.alwaysCarrier,
      addresses: [],
      everUp: false,
      multicastGroups: null,
    });
    this.sysctls.addDevice(name, kind === 'loopback');
    this.notifier.bump();
    return OK;
  }

  /**
   * rtnl_newlink (`ip link add [NAME] type KIND`): EEXIST for a name in use; a kind `ip link add`
   * may create, or EOPNOTSUPP (`Unknown device type`); the name as dev_get_valid_name takes it
   * (without one, `KIND%d`: dummy0); MTU 1500 (ether_setup); the MAC one the name gives, locally
   * administered (where dummy's eth_hw_addr_random draws one). The name of the new device, or the error.
   */
  create(name: string | null, kind: string): { ok: true; name: string } | ({ ok: false } & KernelError) {
    if (name !== null && this.find(name)) return { ok: false, errno: 'EEXIST' };
    const ops = this.kinds.get(kind);
    if (ops === undefined || !ops.userCreatable) return { ok: false, errno: 'EOPNOTSUPP', message: 'Unknown device type' };
    const chosen = chooseDeviceName(name ?? `${kind}%d`, (n) => this.find(n) !== undefined);
    if ('errno' in chosen) return { ok: false, errno: chosen.errno };
    // An Ethernet-like kind gets a MAC from its name; a tunnel's address (its local endpoint) starts as 0.0.0.0.
    const address = ops.addressLength === 6 ? macFromName(chosen.name) : new Uint8Array(ops.addressLength);
    const added = this.add(chosen.name, kind, address, ops.defaultMtu ?? 1500);
    return added.ok ? { ok: true, name: chosen.name } : added;
  }

  /** dev_set_mtu. */
  setMtu(name: string, mtu: number): KernelResult {
    const dev = this.find(name);
    if (!dev) return fail('ENODEV');
    if (mtu < 68) return fail('EINVAL', 'mtu less than device minimum');
    if (dev.ops.maxMtu > 0 && mtu > dev.ops.maxMtu) return fail('EINVAL', 'mtu greater than device maximum');
    dev.mtu = mtu;
    this.notifier.bump();
    this.notifier.emit({ type: 'link', dev: name, adminUp: dev.adminUp, carrier: dev.carrier });
    return OK;
  }

  /** dev_set_mac_address. */
  setMac(name: string, mac: Uint8Array): KernelResult {
    const dev = this.find(name);
    if (!dev) return fail('ENODEV');
    // eth_prepare_mac_addr_change: is_valid_ether_addr refuses multicast (and broadcast) and zero.
    if ((mac[0]! & 1) !== 0 || mac.every((b) => b === 0)) return fail('EADDRNOTAVAIL');
    dev.mac = new Uint8Array(mac);
    this.notifier.emit({ type: 'link', dev: name, adminUp: dev.adminUp, carrier: dev.carrier });
    return OK;
  }

  /** netif_carrier_on/off: NETDEV_CHANGE to the FIB while the device is up. */
  setCarrier(name: string, carrier: boolean): void {
    const dev = this.find(name);
    if (!dev || dev.carrier === carrier || dev.ops.alwaysCarrier) return;
    dev.carrier = carrier;
    if (dev.adminUp) this.tellNetdevListeners({ type: 'carrier' }, dev);
    this.notifier.routesChanged();
    this.notifier.emit({ type: 'link', dev: name, adminUp: dev.adminUp, carrier });
  }

  /** dev_open / dev_close (`ip link set DEV up|down`): NETDEV_UP / NETDEV_DOWN to the FIB. */
  setUp(name: string, up: boolean): KernelResult {
    const dev = this.find(name);
    if (!dev) return fail('ENODEV');
    if (dev.adminUp === up) return OK;
    dev.adminUp = up;
    if (up) dev.everUp = true;
    this.tellNetdevListeners({ type: up ? 'up' : 'down' }, dev);
    this.notifier.routesChanged();
    this.notifier.emit({ type: 'link', dev: name, adminUp: up, carrier: dev.carrier });
    return OK;
  }

  /**
   * dev_change_name (`ip link set DEV name NEW`), up or down as Linux 6.18 allows: the name chosen
   * (dev_get_valid_name, `%d` patterns), then NETDEV_CHANGENAME and `net.ipv4.conf.DEV` /
   * `net.ipv4.neigh.DEV` following. The caller flushes cached routes and tells the datapath.
   */
  rename(name: string, wanted: string): { ok: true; from: string; to: string } | ({ ok: false } & KernelError) {
    const dev = this.find(name);
    if (!dev) return { ok: false, errno: 'ENODEV' };
    if (wanted === name) return { ok: true, from: name, to: name };
    const chosen = chooseDeviceName(wanted, (n) => this.find(n) !== undefined);
    if ('errno' in chosen) return { ok: false, errno: chosen.errno };
    dev.name = chosen.name;
    this.tellNetdevListeners({ type: 'changename', from: name }, dev);
    this.sysctls.renameDevice(name, chosen.name);
    return { ok: true, from: name, to: chosen.name };
  }

  private tellNetdevListeners(event: NetdevEvent, dev: DeviceState): void {
    for (const listener of this.netdevListeners) listener.netdevEvent(event, dev);
  }
}

/** A locally administered unicast MAC from a device name (FNV-1a), in place of eth_random_addr's draw. */
function macFromName(name: string): Uint8Array {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  const second = Math.imul(hash ^ 0x5a, 0x01000193) >>> 0;
  return new Uint8Array([0x02 | ((second >>> 24) & 0xfc), (second >>> 16) & 0xff, hash >>> 24, (hash >>> 16) & 0xff, (hash >>> 8) & 0xff, hash & 0xff]);
}
