/**
 * ndisc_netdev_event's unsolicited neighbour advertisements: with net.ipv6.conf.{all,DEV}.ndisc_notify
 * set, a device that comes up (NETDEV_UP) or changes its MAC address (NETDEV_CHANGEADDR) announces
 * every address that is not tentative to ff02::1 (ndisc_send_unsol_na: O set, S clear, R when
 * forwarding, the target link-layer option). Seen on Linux 6.18 in namespaces: after
 * `ip link set eth0 address 02:00:00:00:00:aa`, `2001:db8::1 > ff02::1: ICMP6, neighbor
 * advertisement, tgt is 2001:db8::1` then the same for the (unchanged) link-local address; after
 * down and up nothing (the addresses went with NETDEV_DOWN; new ones are still tentative).
 * Leaves out: the NA Linux also sends with ndisc_notify when an address finishes DAD
 * (addrconf_dad_completed), NETDEV_NOTIFY_PEERS (bonding, live migration), and neigh_changeaddr.
 * Bounded: one remembered state per device the node has.
 */
import type { DeviceView } from '../routing-api.js';

export interface NdiscNotifyDependencies {
  device(name: string): DeviceView | undefined;
  /** net.ipv6.conf.SCOPE.KEY. */
  conf(scope: string, key: string): number;
  /** ndisc_send_unsol_na: every usable address of the device announced. */
  announce(dev: string): void;
}

export class NdiscNotifier {
  /** What each device was at the last change seen: its MAC and whether it was up. */
  private readonly seen = new Map<string, { mac: number; adminUp: boolean }>();

  constructor(private readonly deps: NdiscNotifyDependencies) {}

  /** A link change of `dev` (up/down, carrier, MAC): NETDEV_UP or NETDEV_CHANGEADDR when it is one. */
  linkChanged(dev: string): void {
    const device = this.deps.device(dev);
    if (device === undefined) {
      this.seen.delete(dev);
      return;
    }
    // Every carrier change of every port comes here: the MAC as one number, the state updated in place.
    const mac = macNumber(device.mac);
    let before = this.seen.get(dev);
    if (before === undefined) this.seen.set(dev, (before = { mac, adminUp: false }));
    const cameUp = device.adminUp && !before.adminUp;
    const macChanged = before.mac !== mac;
    before.mac = mac;
    before.adminUp = device.adminUp;
    if (!device.adminUp || (!cameUp && !macChanged)) return;
    if (this.deps.conf('all', 'ndisc_notify') === 0 && this.deps.conf(dev, 'ndisc_notify') === 0) return;
    this.deps.announce(dev);
  }

  /** NETDEV_CHANGENAME: the state follows the device. */
  renamed(from: string, to: string): void {
    const state = this.seen.get(from);
    this.seen.delete(from);
    if (state !== undefined) this.seen.set(to, state);
  }
}

/** A 6-byte MAC address as one number (48 bits fit a double exactly). */
function macNumber(mac: Uint8Array): number {
  return ((mac[0] ?? 0) * 0x10000 + (mac[1] ?? 0) * 0x100 + (mac[2] ?? 0)) * 0x1000000 + (mac[3] ?? 0) * 0x10000 + (mac[4] ?? 0) * 0x100 + (mac[5] ?? 0);
}
