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
  private readonly seen = new Map<string, { mac: string; adminUp: boolean }>();

  constructor(private readonly deps: NdiscNotifyDependencies) {}

  /** A link change of `dev` (up/down, carrier, MAC): NETDEV_UP or NETDEV_CHANGEADDR when it is one. */
  linkChanged(dev: string): void {
    const device = this.deps.device(dev);
    if (device === undefined) {
      this.seen.delete(dev);
      return;
    }
    const mac = [...device.mac.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    const before = this.seen.get(dev) ?? { mac, adminUp: false };
    this.seen.set(dev, { mac, adminUp: device.adminUp });
    const cameUp = device.adminUp && !before.adminUp;
    const macChanged = before.mac !== mac;
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
