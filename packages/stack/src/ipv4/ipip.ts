/**
 * IPv4-in-IPv4 tunnels (RFC 2003), the receiving half Linux's `ipip` module gives an LVS-TUN real
 * server: the `ipip` device kind (ipip_tunnel_setup: ARPHRD_TUNNEL, `link/ipip` with 4-byte
 * addresses, IFF_NOARP, MTU 1480 = 1500 − 20, carrier always on) and, when the module is loaded,
 * the fallback device `tunl0` (ipip_init_net → ip_tunnel_init_net: created down, `link/ipip 0.0.0.0
 * brd 0.0.0.0`) and the IP protocol 4 receive handler (tunnel4_rcv → ipip_rcv).
 *
 * Follows Linux: a received IPIP packet goes to the tunnel matching its addresses — here only the
 * fallback `tunl0`, which matches any pair while it is up (ip_tunnel_lookup's fb_tunnel_dev); with
 * none, tunnel4_rcv answers ICMP port unreachable and drops it. The inner packet is counted on
 * tunl0 (ip_tunnel_rcv's tstats) and received again through the IPv4 layer as arriving on tunl0
 * (gro_cells_receive → netif_rx → ip_rcv after the current event): the input route, rp_filter
 * (checked for tunl0: a client whose reverse route leaves by eth0 fails strict mode, as on a real
 * LVS-TUN server with rp_filter=1), local delivery or forwarding all see tunl0 as the input device.
 * The module is loaded by `modprobe ipip` (kernel-modules.ts); loading it again changes nothing.
 * Leaves out: encapsulation on transmit (a packet routed to a tunnel device is counted as sent and
 * freed, as tunl0 without a remote does in effect), the `local`/`remote`/`ttl` parameters of
 * `ip link add … type ipip` and `ip tunnel` (created ipip devices are shown, never matched), ECN
 * decapsulation, and the `@NONE` suffix `ip link` prints after a tunnel's name.
 */
import { IpProtocol } from '@netloom/wire';
import type { DeviceKind } from '../device-kinds.js';
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

/**
 * Load the ipip module on `node`: tunl0 and the protocol 4 handler. True when it was loaded now,
 * false when it already was.
 */
export function loadIpip(node: LinuxNode): boolean {
  const { routing, transports, ipv4, timers } = node.parts;
  if (transports.table(4).handlerFor(IpProtocol.ipip) !== undefined) return false;
  node.kernel.registerDeviceKind(IPIP_KIND);
  const added = node.kernel.addDevice(IPIP_FALLBACK_DEVICE, IPIP_KIND.name, new Uint8Array(4), IPIP_MTU);
  if (!added.ok) throw new Error(`ipip: cannot create ${IPIP_FALLBACK_DEVICE}: ${added.errno}`);
  transports.register(4, IpProtocol.ipip, {
    receive: (delivery, now: Nanos) => {
      const tunnel = routing.device(IPIP_FALLBACK_DEVICE);
      if (tunnel === undefined || !tunnel.adminUp) {
        node.parts.ipv4.icmpSend(delivery.packet, delivery.context, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, now);
        node.recordDrop(delivery.context.dev, 'noSocket', delivery.frame, 'ipip: no tunnel for the packet');
        return;
      }
      const inner = delivery.ip.payload;
      const stats = node.statsOf(tunnel.name);
      stats.rxPackets++;
      stats.rxBytes += inner.length;
      timers.schedule(now, (at) => {
        const current = routing.device(IPIP_FALLBACK_DEVICE);
        if (current === undefined) return;
        ipv4.processIpv4(current, 'host', inner, inner, at);
      });
    },
    // ipip_err: errors about IPIP packets this node sent; it sends none.
    error: () => false,
  });
  return true;
}
