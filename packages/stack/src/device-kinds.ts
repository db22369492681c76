/**
 * Device kinds: what a kind of network device is, as far as the stack and `ip link` care — the
 * parts of Linux's net_device that its setup function fills in (ether_setup, loopback_setup,
 * dummy_setup) and the rtnl_link_ops kind that `ip link add … type KIND` names. A kind says:
 * its link type as `ip link` prints it (`link/ether`, `link/loopback`: the ARPHRD), its hardware
 * header length and address length, its broadcast address, the IFF flags `ip link` shows before UP
 * (`BROADCAST,MULTICAST`, `LOOPBACK`, `BROADCAST,NOARP`), whether it resolves neighbours (no
 * IFF_NOARP), whether its carrier is always on (no link to lose: operstate UNKNOWN when up), its MTU
 * bounds (dev_set_mtu; 0 means no bound), the kind line `ip -d link` prints, whether `ip link add`
 * may create it, and its xmit: `port` (the frame leaves through the topology link: a veth end),
 * `loopback` (looped back into the node) or `discard` (counted as sent and freed, dummy_xmit).
 *
 * Kinds are registered (DeviceKinds.register) instead of being compared by name across the stack,
 * so a tunnel kind (`ipip`: link/ipip, 4-byte addresses, NOARP, its own xmit) plugs in the same way;
 * device-kinds.test.ts registers one and shows it through `ip link`. The node's kinds are Linux's
 * `lo`, the topology's Ethernet ports (printed as veth ends) and `dummy`.
 * A kind with its own netlink attributes (ipip's local, remote, ttl) gives a DeviceLinkInfo: the
 * parameters `ip link add … type KIND …` takes and what `ip link` shows of them.
 * Leaves out: device deletion, and dummy's random MAC (netloom derives one from the name: runs stay deterministic).
 */

/** Where a device's transmitted frames go. */
export type DeviceXmit = 'port' | 'loopback' | 'discard';

export interface DeviceKind {
  /** The kind's name: `loopback`, `ether`, or the rtnl_link_ops kind (`dummy`). */
  readonly name: string;
  /** The link type `ip link` prints after `link/` (ARPHRD_ETHER: ether, ARPHRD_LOOPBACK: loopback). */
  readonly linkType: string;
  /** hard_header_len: the link-layer header in front of the network header. */
  readonly headerLength: number;
  /** addr_len: 6 for Ethernet-like kinds, 4 for an IPv4 tunnel's endpoint address. */
  readonly addressLength: number;
  /** The broadcast address `ip link` prints after `brd`. */
  readonly broadcast: Uint8Array;
  /** IFF flags as `ip link` prints them before UP and LOWER_UP. */
  readonly flags: readonly string[];
  /** Neighbours are resolved (ARP) on it; false for IFF_NOARP and the loopback. */
  readonly hasArp: boolean;
  /** The carrier is always on (loopback, dummy): operstate UNKNOWN when up, no carrier changes. */
  readonly alwaysCarrier: boolean;
  /** dev->min_mtu and dev->max_mtu (0: no bound), what dev_set_mtu checks and `ip -d link` prints. */
  readonly minMtu: number;
  readonly maxMtu: number;
  /** The kind line of `ip -d link` (IFLA_INFO_KIND), or null for a device without rtnl_link_ops (lo). */
  readonly infoKind: string | null;
  /** tso_max_size as `ip -d link` prints it (netif_set_tso_max_size, else TSO_LEGACY_MAX_SIZE). */
  readonly tsoMaxSize: number;
  /** `ip link add NAME type KIND` may create it. */
  readonly userCreatable: boolean;
  readonly xmit: DeviceXmit;
  /** The MTU `ip link add` gives a new device (its setup function's; 1500, ether_setup's, when absent). */
  readonly defaultMtu?: number;
  /** The kind's own link parameters (`ip link add … type ipip remote …`), when it has any. */
  readonly linkInfo?: DeviceLinkInfo;
}

/** What one device's link parameters make `ip link` show. */
export interface DeviceLinkView {
  /** dev_addr and dev->broadcast (a tunnel's local and remote endpoints). */
  readonly address: Uint8Array;
  readonly broadcast: Uint8Array;
  /** IFF_POINTOPOINT: `link/… ADDRESS peer BROADCAST` and the flag before NOARP. */
  readonly pointToPoint: boolean;
  /** print_opt's words after the kind in `ip -d link` (each followed by a space), and its JSON fields. */
  readonly details: string;
  readonly json: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A kind's netlink attributes: iproute2's link_util parse_opt for the words after `type KIND`,
 * the kind's newlink once the device is registered, and fill_info + print_opt for `ip -d link`.
 */
export interface DeviceLinkInfo {
  /** parse_opt: the kind's parameters, or the error iproute2 prints and its exit status. */
  parse(words: readonly string[], ifindexOf: (name: string) => number | undefined): { ok: true; parameters: unknown } | { ok: false; message: string; status: number };
  /** newlink: the parameters taken by the device just registered under `dev`, at virtual time `now`. */
  newlink(dev: string, ifindex: number, parameters: unknown, now: number): void;
  /** The device's view, or undefined for a device the kind holds no parameters for. */
  view(ifindex: number): DeviceLinkView | undefined;
}

const ETHERNET_BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** loopback_setup: ARPHRD_LOOPBACK, IFF_LOOPBACK, no MTU bounds, frames looped back. */
export const LOOPBACK_KIND: DeviceKind = {
  name: 'loopback',
  linkType: 'loopback',
  headerLength: 14,
  addressLength: 6,
  broadcast: new Uint8Array(6),
  flags: ['LOOPBACK'],
  hasArp: false,
  alwaysCarrier: true,
  minMtu: 0,
  maxMtu: 0,
  infoKind: null,
  tsoMaxSize: 524280,
  userCreatable: false,
  xmit: 'loopback',
};

/** A topology port: ether_setup as a veth end has it (68–65535, the veth kind line), frames to the link. */
export const ETHER_KIND: DeviceKind = {
  name: 'ether',
  linkType: 'ether',
  headerLength: 14,
  addressLength: 6,
  broadcast: ETHERNET_BROADCAST,
  flags: ['BROADCAST', 'MULTICAST'],
  hasArp: true,
  alwaysCarrier: false,
  minMtu: 68,
  maxMtu: 65535,
  infoKind: 'veth',
  tsoMaxSize: 524280,
  userCreatable: false,
  xmit: 'port',
};

/**
 * drivers/net/dummy.c: ether_setup, then IFF_NOARP and no IFF_MULTICAST, no MTU bounds
 * (min_mtu = max_mtu = 0), carrier always on; dummy_xmit counts the frame as sent and frees it.
 */
export const DUMMY_KIND: DeviceKind = {
  name: 'dummy',
  linkType: 'ether',
  headerLength: 14,
  addressLength: 6,
  broadcast: ETHERNET_BROADCAST,
  flags: ['BROADCAST', 'NOARP'],
  hasArp: false,
  alwaysCarrier: true,
  minMtu: 0,
  maxMtu: 0,
  infoKind: 'dummy',
  tsoMaxSize: 65536,
  userCreatable: true,
  xmit: 'discard',
};

/**
 * net/ipv6/ip6_tunnel.c's ip6_tnl_dev_setup, registered by Mobile IPv6 when a node loads it
 * (packages/mip6): ARPHRD_TUNNEL6 (`link/tunnel6` with 16-byte endpoint addresses), IFF_NOARP, MTU
 * 1452 (ETH_DATA_LEN − the 40-byte IPv6 header − the 8-byte tunnel encapsulation limit option),
 * carrier always on. Its xmit is `discard` here: Mobile IPv6 encapsulates at the netfilter hooks
 * before a packet reaches the device (packages/mip6/src/ip6-tunnel.ts). The MTU bounds are
 * ip6_tnl_dev_init_gen's (ETH_MIN_MTU; IP6_MAX_MTU less the header) as read, not checked here: the
 * machine the project records on has no ip6_tunnel module.
 */
export const IP6TNL_KIND: DeviceKind = {
  name: 'ip6tnl',
  linkType: 'tunnel6',
  headerLength: 48,
  addressLength: 16,
  broadcast: new Uint8Array(16),
  flags: ['NOARP'],
  hasArp: false,
  alwaysCarrier: true,
  minMtu: 68,
  maxMtu: 65527,
  infoKind: 'ip6tnl',
  tsoMaxSize: 524280,
  userCreatable: false,
  xmit: 'discard',
};

/** The kinds a node knows (rtnl_link_register), by name. */
export class DeviceKinds {
  private readonly kinds = new Map<string, DeviceKind>();

  /** Linux's: the loopback, the topology's Ethernet ports and `dummy`. */
  static linux(): DeviceKinds {
    const kinds = new DeviceKinds();
    for (const kind of [LOOPBACK_KIND, ETHER_KIND, DUMMY_KIND]) kinds.register(kind);
    return kinds;
  }

  /** rtnl_link_register: a kind registered twice is a wiring bug. */
  register(kind: DeviceKind): void {
    if (this.kinds.has(kind.name)) throw new Error(`device kind ${kind.name} registered twice`);
    this.kinds.set(kind.name, kind);
  }

  get(name: string): DeviceKind | undefined {
    return this.kinds.get(name);
  }

  /** The kind `ip link add … type NAME` creates (rtnl_link_ops_get), or undefined: `Unknown device type`. */
  creatable(name: string): DeviceKind | undefined {
    const kind = this.kinds.get(name);
    return kind?.userCreatable ? kind : undefined;
  }
}
