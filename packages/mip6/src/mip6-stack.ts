/**
 * What Mobile IPv6 uses of a node's stack, in one place: sending a built IPv6 packet (ip6_xmit
 * through the IPv6 layer's sendLocal, with an output device or by the route alone), the source the
 * kernel selects toward an address, receiving a decapsulated packet as arriving on the ip6tnl
 * device (counted on it, handed to the IPv6 layer after the current event, as ip6_tnl_rcv →
 * netif_rx does), and the node's clock as last seen by an entry point. Also the counters mip6d's
 * `stats` prints.
 */
import type { Errno, LinuxNode, Nanos } from '@netloom/stack';

/** What `mip6d stats` prints (the daemon's and the kernel's Mobile IPv6 counters). */
export interface Mip6Counters {
  bindingUpdatesSent: number;
  bindingUpdatesReceived: number;
  bindingUpdatesRefused: number;
  bindingUpdateRetransmissions: number;
  bindingAcksSent: number;
  bindingAcksReceived: number;
  /** Mobility Headers dropped for a wrong checksum. */
  checksumErrors: number;
  bindingsExpired: number;
  packetsTunnelled: number;
  packetsDecapsulated: number;
  /** Return routability (route optimisation): the mobile node's HoTI/CoTI, the correspondent's HoT/CoT. */
  homeTestInitsSent: number;
  careOfTestInitsSent: number;
  homeTestsSent: number;
  careOfTestsSent: number;
  homeTestsReceived: number;
  careOfTestsReceived: number;
  /** BUs to a correspondent whose Binding Authorization Data did not verify. */
  authorizationFailures: number;
  /** Packets sent on the direct path (type 2 routing header or Home Address option). */
  packetsRouteOptimised: number;
  bindingErrorsSent: number;
  bindingErrorsReceived: number;
}

export function zeroCounters(): Mip6Counters {
  return {
    bindingUpdatesSent: 0,
    bindingUpdatesReceived: 0,
    bindingUpdatesRefused: 0,
    bindingUpdateRetransmissions: 0,
    bindingAcksSent: 0,
    bindingAcksReceived: 0,
    checksumErrors: 0,
    bindingsExpired: 0,
    packetsTunnelled: 0,
    packetsDecapsulated: 0,
    homeTestInitsSent: 0,
    careOfTestInitsSent: 0,
    homeTestsSent: 0,
    careOfTestsSent: 0,
    homeTestsReceived: 0,
    careOfTestsReceived: 0,
    authorizationFailures: 0,
    packetsRouteOptimised: 0,
    bindingErrorsSent: 0,
    bindingErrorsReceived: 0,
  };
}

export class Mip6Stack {
  private clock: Nanos = 0;

  constructor(
    private readonly node: LinuxNode,
    /** The ip6tnl device decapsulated packets arrive on. */
    readonly tunnelDevice: string,
  ) {}

  /** The time of the last call into Mobile IPv6. */
  now(): Nanos {
    return this.clock;
  }

  observe(now: Nanos): void {
    this.clock = now;
  }

  /** ip6_xmit of a whole packet from `source`: out of `oif` when given, else where the route says. */
  send(packet: Uint8Array, source: bigint, destination: bigint, oif: string | undefined, now: Nanos): Errno | null {
    this.clock = now;
    return this.node.parts.ipv6.sendLocal(packet, source, destination, oif, now);
  }

  sourceToward(destination: bigint, now: Nanos): bigint | undefined {
    return this.node.kernel.selectSource6(destination, now)?.address;
  }

  /** ip6_tnl_rcv: the inner packet counted on the tunnel device and received as arriving on it. */
  receiveOnTunnel(inner: Uint8Array, now: Nanos): void {
    const stats = this.node.statsOf(this.tunnelDevice);
    stats.rxPackets++;
    stats.rxBytes += inner.length;
    this.node.parts.timers.schedule(now, (at) => {
      const device = this.node.parts.routing.device(this.tunnelDevice);
      if (device === undefined || !device.adminUp) {
        this.node.recordDrop(this.tunnelDevice, 'interfaceDown', inner, 'ip6tnl down');
        return;
      }
      this.node.parts.ipv6.processIpv6(device, 'host', inner, inner, at);
    });
  }
}
