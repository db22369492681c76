/**
 * The node's network devices: loopback and Ethernet devices with their ifindex, MAC, MTU, admin
 * state, carrier and qdisc name, the per-packet read-only views the datapath gets, and the
 * netdevice notifier chain the FIB listens on.
 *
 * Follows net/core/dev.c: register_netdevice (ifindex in creation order, `net.ipv4.conf.DEV` and
 * `net.ipv4.neigh.DEV` created), dev_set_mtu (68 minimum, 65535 maximum for Ethernet),
 * dev_set_mac_address with eth_prepare_mac_addr_change (no multicast or zero MAC),
 * dev_open / dev_close (NETDEV_UP / NETDEV_DOWN) and netif_carrier_on/off (NETDEV_CHANGE). IPv6
 * addresses are addrconf's (ipv6/addrconf.ts), a netdevice listener like the FIB.
 * Leaves out device deletion, other device kinds, and qdiscs beyond the name `ip link` prints.
 */
import type { DeviceView } from '../routing-api.js';
import { chooseDeviceName } from '../device-name.js';
import { fail, OK, type KernelError, type KernelResult } from '../fib/errors.js';
import type { SysctlTree } from '../sysctl/sysctl-tree.js';
import type { IfAddress } from './addresses.js';
import type { ChangeNotifier } from './change-notifier.js';

/** A device as the kernel keeps it (net_device + in_device). */
export interface DeviceState {
  name: string;
  ifindex: number;
  kind: 'loopback' | 'ether';
  mac: Uint8Array;
  mtu: number;
  adminUp: boolean;
  carrier: boolean;
  /** IPv4 addresses, primaries first (in_device's ifa_list). */
  addresses: IfAddress[];
  /** Brought up at least once (a never-opened device still has the `noop` qdisc). */
  everUp: boolean;
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

  /** Device facts (the view is shared until the next change: do not mutate it). */
  view(dev: DeviceState): DeviceView {
    if (this.viewsAt !== this.notifier.changeCount) {
      this.views.clear();
      this.viewsAt = this.notifier.changeCount;
    }
    const cached = this.views.get(dev.name);
    if (cached) return cached;
    const view: DeviceView = {
      name: dev.name,
      ifindex: dev.ifindex,
      kind: dev.kind,
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

  /** register_netdevice. */
  add(name: string, kind: 'loopback' | 'ether', mac: Uint8Array, mtu: number): KernelResult {
    if (this.find(name)) return fail('EEXIST');
    this.list.push({
      name,
      ifindex: this.nextIfindex++,
      kind,
      mac: new Uint8Array(mac),
      mtu,
      adminUp: false,
      carrier: kind === 'loopback',
      addresses: [],
      everUp: false,
    });
    this.sysctls.addDevice(name, kind === 'loopback');
    this.notifier.bump();
    return OK;
  }

  /** dev_set_mtu. */
  setMtu(name: string, mtu: number): KernelResult {
    const dev = this.find(name);
    if (!dev) return fail('ENODEV');
    if (mtu < 68) return fail('EINVAL', 'mtu less than device minimum');
    if (mtu > 65535 && dev.kind === 'ether') return fail('EINVAL', 'mtu greater than device maximum');
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
    if (!dev || dev.carrier === carrier || dev.kind === 'loopback') return;
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
