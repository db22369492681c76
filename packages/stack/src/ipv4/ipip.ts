/**
 * IPv4-in-IPv4 tunnels (RFC 2003), the receiving half Linux's `ipip` module gives an LVS-TUN real
 * server: the `ipip` device kind (ipip_tunnel_setup: ARPHRD_TUNNEL, `link/ipip` with 4-byte
 * addresses, IFF_NOARP, MTU 1480 = 1500 − 20, carrier always on) and, when the module is loaded,
 * the fallback device `tunl0` (ipip_init_net → ip_tunnel_init_net: created down, `link/ipip 0.0.0.0
 * brd 0.0.0.0`) and the IP protocol 4 receive handler (tunnel4_rcv → ipip_rcv).
 *
 * `ip link add NAME type ipip [remote ADDR] [local ADDR] [ttl TTL|inherit] [tos TOS|inherit]
 * [[no]pmtudisc] [dev PHYS_DEV] [mode ipip|any]` as iproute2's link_iptnl.c parses it (its help on an
 * unknown word, `invalid TTL`, `ttl != 0 and nopmtudisc are incompatible`, get_addr32's error) and
 * ipip_newlink takes it: the device's address is the local endpoint and its broadcast the remote one,
 * IFF_POINTOPOINT with a remote (ip_tunnel_bind_dev), the MTU that of the device the remote is routed
 * by (or PHYS_DEV) less 20, else 1480. `ip -d link` prints iptunnel_print_opt's `any remote B local A
 * dev D ttl inherit pmtudisc` (tunl0: `any remote any local any ttl inherit nopmtudisc`).
 *
 * Follows Linux: a received IPIP packet goes to the tunnel ip_tunnel_lookup finds for its outer
 * addresses among the tunnels that are up — one with the same local and remote first, then one with
 * that remote and no local, then one with that local and no remote, then one with neither (tunl0 is
 * one); within each pass a tunnel bound (`dev`) to the receiving device wins at once, else the first
 * candidate found, the newest tunnel first (hlist_add_head); then the fallback tunl0. A tunnel whose
 * mode is not `any` or ipip refuses the packet (ipip_rcv). With none, tunnel4_rcv answers ICMP port
 * unreachable and drops it. The inner packet is counted on the tunnel (ip_tunnel_rcv's tstats) and
 * received again through the IPv4 layer as arriving on it (gro_cells_receive → netif_rx → ip_rcv
 * after the current event): the input route, rp_filter (checked for the tunnel: a client whose
 * reverse route leaves by eth0 fails strict mode, as on a real LVS-TUN server with rp_filter=1),
 * local delivery or forwarding all see the tunnel as the input device.
 * The module is loaded by `modprobe ipip` (kernel-modules.ts); loading it again changes nothing.
 * Leaves out: encapsulation on transmit (a packet routed to a tunnel device is counted as sent and
 * freed, as tunl0 without a remote does in effect), `ip tunnel` and changing a tunnel's parameters
 * (`ip link set … type ipip`), EEXIST for a second tunnel with the same endpoints, fwmark, encap
 * (fou/gue) and external (collect_md), ECN decapsulation, and the `@NONE` / `@DEV` suffix `ip link`
 * prints after a tunnel's name (netloom prints none for any device).
 */
import { formatIpv4, IpProtocol, parseIpv4 } from '@netloom/wire';
import type { DeviceKind, DeviceLinkInfo, DeviceLinkView } from '../device-kinds.js';
import type { LinuxNode } from '../node.js';
import type { Nanos } from '../node-host.js';

/** ICMP_DEST_UNREACH / ICMP_PORT_UNREACH, what tunnel4_rcv answers when no tunnel takes a packet. */
const ICMP_DEST_UNREACH = 3;
const ICMP_PORT_UNREACH = 3;

/** ipip_tunnel_setup + ip_tunnel_setup as `ip -d link` shows them. */
export const IPIP_KIND: DeviceKind = {
  name: 'ipip',
  linkType: 'ipip',
  headerLength: 20,
  addressLength: 4,
  broadcast: new Uint8Array(4),
  flags: ['NOARP'],
  hasArp: false,
  alwaysCarrier: true,
  minMtu: 0,
  maxMtu: 65515,
  infoKind: 'ipip',
  tsoMaxSize: 524280,
  userCreatable: true,
  xmit: 'discard',
  defaultMtu: 1480,
};

/** The fallback device's name and MTU (ip_tunnel_init_net; ETH_DATA_LEN − sizeof(struct iphdr)). */
export const IPIP_FALLBACK_DEVICE = 'tunl0';
export const IPIP_MTU = 1480;

/** A tunnel's parameters (struct ip_tunnel_parm's iph and link) as ipip keeps them. */
export interface IpipParameters {
  /** The device it is bound to (IFLA_IPTUN_LINK), 0 for none. */
  link: number;
  local: number;
  remote: number;
  /** 0: inherit. */
  ttl: number;
  /** 0: none, 1: inherit. */
  tos: number;
  pmtudisc: boolean;
  /** The inner protocol accepted: IPPROTO_IPIP, IPPROTO_MPLS, or 0 for any. */
  protocol: number;
}

const IPPROTO_MPLS = 137;
const IP_TUNNEL_HEADER = 20;
const IPV4_MIN_MTU = 68;
const ETH_DATA_LEN = 1500;

/** iptunnel_print_help for `ipip`. */
const IPIP_HELP = [
  'Usage: ... ipip   [ remote ADDR ]',
  '                  [ local ADDR ]',
  '                  [ ttl TTL ]',
  '                  [ tos TOS ]',
  '                  [ [no]pmtudisc ]',
  '                  [ 6rd-prefix ADDR ]',
  '                  [ 6rd-relay_prefix ADDR ]',
  '                  [ 6rd-reset ]',
  '                  [ dev PHYS_DEV ]',
  '                  [ fwmark MARK ]',
  '                  [ external ]',
  '                  [ noencap ]',
  '                  [ encap { fou | gue | none } ]',
  '                  [ encap-sport PORT ]',
  '                  [ encap-dport PORT ]',
  '                  [ [no]encap-csum ]',
  '                  [ [no]encap-csum6 ]',
  '                  [ [no]encap-remcsum ]',
  '                  [ mode { ipip | mplsip | any } ]',
  '',
  'Where: ADDR := { IP_ADDRESS | any }',
  '       TOS  := { NUMBER | inherit }',
  '       TTL  := { 1..255 | inherit }',
  '       MARK := { 0x0..0xffffffff }',
].join('\n');

type ParseOutcome = { ok: true; parameters: unknown } | { ok: false; message: string; status: number };

/** iptunnel_parse_opt for `ip link add … type ipip WORDS` (NLM_F_CREATE: no existing tunnel read). */
export function parseIpipOptions(words: readonly string[], ifindexOf: (name: string) => number | undefined): ParseOutcome {
  const parameters: IpipParameters = { link: 0, local: 0, remote: 0, ttl: 0, tos: 0, pmtudisc: true, protocol: 0 };
  const fail = (message: string, status = 255): ParseOutcome => ({ ok: false, message, status });
  const invalid = (word: string, why: string): ParseOutcome => fail(`Error: argument "${word}" is wrong: ${why}`);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const takesValue = ['remote', 'local', 'ttl', 'hoplimit', 'hlim', 'tos', 'tclass', 'mode'].includes(word) || isPrefixOf(word, 'dev') || isPrefixOf(word, 'dsfield');
    const value = takesValue ? words[++i] : undefined;
    if (takesValue && value === undefined) return fail('Command line is not complete. Try option "help"');
    if (word === 'remote' || word === 'local') {
      // get_addr32: `any` is 0.0.0.0.
      const address = value === 'any' ? 0 : parseIpv4(value!);
      if (address === null) return fail(`Error: an IP address is expected rather than "${value}"`, 1);
      parameters[word] = address >>> 0;
    } else if (isPrefixOf(word, 'dev')) {
      const link = ifindexOf(value!);
      if (link === undefined) return invalid(value!, '"dev" is invalid');
      parameters.link = link;
    } else if (word === 'ttl' || word === 'hoplimit' || word === 'hlim') {
      if (value === 'inherit') parameters.ttl = 0;
      else {
        const ttl = parseU8(value!);
        if (ttl === null) return invalid(value!, 'invalid TTL\n');
        parameters.ttl = ttl;
      }
    } else if (word === 'tos' || word === 'tclass' || isPrefixOf(word, 'dsfield')) {
      if (value === 'inherit') parameters.tos = 1;
      else {
        const tos = parseU8(value!, 16);
        if (tos === null) return invalid(value!, 'bad TOS value');
        parameters.tos = tos;
      }
    } else if (word === 'nopmtudisc') parameters.pmtudisc = false;
    else if (word === 'pmtudisc') parameters.pmtudisc = true;
    else if (word === 'mode') {
      if (['ipv4/ipv4', 'ipip', 'ip4ip4'].includes(value!)) parameters.protocol = IpProtocol.ipip;
      else if (['mpls/ipv4', 'mplsip'].includes(value!)) parameters.protocol = IPPROTO_MPLS;
      else if (['any/ipv4', 'any'].includes(value!)) parameters.protocol = 0;
      else return invalid(value!, 'Cannot guess tunnel mode.');
    } else return fail(IPIP_HELP);
  }
  if (parameters.ttl !== 0 && !parameters.pmtudisc) return fail('ttl != 0 and nopmtudisc are incompatible');
  return { ok: true, parameters };
}

/** iproute2's matches(): `word` is a non-empty prefix of `keyword`. */
function isPrefixOf(word: string, keyword: string): boolean {
  return word.length > 0 && keyword.startsWith(word);
}

/** get_u8 (strtoul with base 0: 0x… hex, 0… octal), or base 16 as rtnl_dsfield_a2n reads a number: 0-255 or null. */
function parseU8(text: string, base: 0 | 16 = 0): number | null {
  let value: number;
  if (base === 16) value = /^(0x)?[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : NaN;
  else if (/^0x[0-9a-f]+$/i.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) value = parseInt(text, 8);
  else value = /^[1-9][0-9]*$/.test(text) ? Number(text) : NaN;
  return value <= 255 ? value : null;
}

/** One tunnel the module holds (struct ip_tunnel): its device and parameters. */
interface Tunnel {
  ifindex: number;
  parameters: IpipParameters;
}

/** ipip_net's tunnels: the fallback and those `ip link add … type ipip` made, the newest first. */
export class IpipTunnels {
  private readonly tunnels: Tunnel[] = [];

  constructor(private readonly node: LinuxNode) {}

  /** ip_tunnel_add (hlist_add_head). */
  add(ifindex: number, parameters: IpipParameters): void {
    this.tunnels.unshift({ ifindex, parameters });
  }

  /** The kind's link parameters for `ip link`. */
  readonly linkInfo: DeviceLinkInfo = {
    parse: parseIpipOptions,
    newlink: (dev, ifindex, parameters, now) => {
      const p = parameters as IpipParameters;
      this.add(ifindex, p);
      const mtu = this.boundMtu(p, now);
      if (mtu !== IPIP_MTU) this.node.kernel.setMtu(dev, mtu);
    },
    view: (ifindex) => {
      const tunnel = this.tunnels.find((t) => t.ifindex === ifindex);
      return tunnel === undefined ? undefined : this.view(tunnel.parameters);
    },
  };

  /** ip_tunnel_bind_dev: the MTU of the device the remote is routed by (or the bound device) less the header. */
  private boundMtu(p: IpipParameters, now: Nanos): number {
    const kernel = this.node.kernel;
    const bound = p.link !== 0 ? kernel.deviceByIndex(p.link) : undefined;
    let mtu = ETH_DATA_LEN;
    if (p.remote !== 0) {
      const route = kernel.routeOutput({ dst: p.remote, ...(p.local !== 0 ? { src: p.local } : {}), ...(bound !== undefined ? { oif: bound.name } : {}) }, now);
      const dev = route.ok ? kernel.device(route.route.dev) : bound;
      if (dev !== undefined) mtu = dev.mtu;
    } else if (bound !== undefined) mtu = bound.mtu;
    return Math.max(mtu - IP_TUNNEL_HEADER, IPV4_MIN_MTU);
  }

  /** fill_info as iptunnel_print_opt prints it, with the device's addresses. */
  private view(p: IpipParameters): DeviceLinkView {
    const endpoint = (address: number): string => (address === 0 ? 'any' : formatIpv4(address));
    const proto = p.protocol === IpProtocol.ipip ? 'ipip' : p.protocol === IPPROTO_MPLS ? 'mplsip' : 'any';
    const linkName = p.link !== 0 ? this.node.kernel.deviceByIndex(p.link)?.name : undefined;
    let details = `${proto} remote ${endpoint(p.remote)} local ${endpoint(p.local)} `;
    if (linkName !== undefined) details += `dev ${linkName} `;
    details += p.ttl !== 0 ? `ttl ${p.ttl} ` : 'ttl inherit ';
    if (p.tos !== 0) details += p.tos === 1 ? 'tos inherit ' : `tos 0x${p.tos.toString(16)} `;
    details += p.pmtudisc ? 'pmtudisc ' : 'nopmtudisc ';
    const json: Record<string, string | number | boolean> = { proto, remote: endpoint(p.remote), local: endpoint(p.local) };
    if (linkName !== undefined) json['link'] = linkName;
    json['ttl'] = p.ttl;
    if (p.tos !== 0) json['tos'] = `0x${p.tos.toString(16)}`;
    json['pmtudisc'] = p.pmtudisc;
    const bytes = (address: number): Uint8Array => new Uint8Array([address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff]);
    return { address: bytes(p.local), broadcast: bytes(p.remote), pointToPoint: p.remote !== 0, details, json };
  }

  /**
   * ip_tunnel_lookup(itn, skb->dev->ifindex, TUNNEL_NO_KEY, iph->saddr, iph->daddr, 0) among the
   * tunnels that are up: exact pair, remote only, local only (or a multicast local as remote), neither;
   * a tunnel bound to the receiving device wins its pass, else the first candidate; then the fallback.
   */
  lookup(remote: number, local: number, inputIfindex: number): { name: string; parameters: IpipParameters } | null {
    const isUp = (t: Tunnel): string | null => {
      const dev = this.node.kernel.deviceByIndex(t.ifindex);
      return dev !== undefined && dev.adminUp ? dev.name : null;
    };
    const isMulticast = (address: number): boolean => address >>> 28 === 0xe;
    const passes: ((p: IpipParameters) => boolean)[] = [
      (p) => p.local === local && p.remote === remote,
      (p) => p.remote === remote && p.local === 0,
      (p) => (p.local === local && p.remote === 0) || (p.remote === local && isMulticast(local)),
      (p) => p.local === 0 && p.remote === 0,
    ];
    let candidate: { name: string; parameters: IpipParameters } | null = null;
    for (const [pass, matches] of passes.entries()) {
      for (const tunnel of this.tunnels) {
        if (!matches(tunnel.parameters)) continue;
        const name = isUp(tunnel);
        if (name === null) continue;
        if (tunnel.parameters.link === inputIfindex) return { name, parameters: tunnel.parameters };
        // The exact pass keeps its last candidate; the others only fill an empty one.
        if (pass === 0 || candidate === null) candidate = { name, parameters: tunnel.parameters };
      }
    }
    if (candidate !== null) return candidate;
    const fallback = this.node.kernel.device(IPIP_FALLBACK_DEVICE);
    const tunnel = fallback === undefined ? undefined : this.tunnels.find((t) => t.ifindex === fallback.ifindex);
    return fallback !== undefined && fallback.adminUp && tunnel !== undefined ? { name: fallback.name, parameters: tunnel.parameters } : null;
  }
}

/**
 * Load the ipip module on `node`: tunl0 and the protocol 4 handler. True when it was loaded now,
 * false when it already was.
 */
export function loadIpip(node: LinuxNode): boolean {
  const { routing, transports, ipv4, timers } = node.parts;
  if (transports.table(4).handlerFor(IpProtocol.ipip) !== undefined) return false;
  const tunnels = new IpipTunnels(node);
  node.kernel.registerDeviceKind({ ...IPIP_KIND, linkInfo: tunnels.linkInfo });
  const added = node.kernel.addDevice(IPIP_FALLBACK_DEVICE, IPIP_KIND.name, new Uint8Array(4), IPIP_MTU);
  if (!added.ok) throw new Error(`ipip: cannot create ${IPIP_FALLBACK_DEVICE}: ${added.errno}`);
  // ipip_fb_tunnel_init: no endpoints, no bound device, ttl inherit, nopmtudisc, any protocol.
  tunnels.add(node.kernel.device(IPIP_FALLBACK_DEVICE)!.ifindex, { link: 0, local: 0, remote: 0, ttl: 0, tos: 0, pmtudisc: false, protocol: 0 });
  transports.register(4, IpProtocol.ipip, {
    receive: (delivery, now: Nanos) => {
      const input = routing.device(delivery.context.dev);
      const found = tunnels.lookup(delivery.ip.source >>> 0, delivery.ip.destination >>> 0, input?.ifindex ?? 0);
      if (found === null) {
        node.parts.ipv4.icmpSend(delivery.packet, delivery.context, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, now);
        node.recordDrop(delivery.context.dev, 'noSocket', delivery.frame, 'ipip: no tunnel for the packet');
        return;
      }
      // ipip_rcv: a tunnel for another inner protocol drops the packet.
      if (found.parameters.protocol !== 0 && found.parameters.protocol !== IpProtocol.ipip) {
        node.recordDrop(delivery.context.dev, 'noSocket', delivery.frame, `ipip: ${found.name} is not an ipip tunnel`);
        return;
      }
      const inner = delivery.ip.payload;
      const stats = node.statsOf(found.name);
      stats.rxPackets++;
      stats.rxBytes += inner.length;
      const ifindex = routing.device(found.name)!.ifindex;
      timers.schedule(now, (at) => {
        const current = routing.deviceByIndex(ifindex);
        if (current === undefined) return;
        ipv4.processIpv4(current, 'host', inner, 0, at);
      });
    },
    // ipip_err: errors about IPIP packets this node sent; it sends none.
    error: () => false,
  });
  return true;
}
