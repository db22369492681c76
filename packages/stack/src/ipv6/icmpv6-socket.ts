/**
 * What the node's two kinds of ICMPv6 sockets share — the echo sockets of ping6-socket.ts and the
 * raw NDP sockets of icmp6-raw-socket.ts: bind (Linux's ping_v6 and rawv6 bind: EINVAL for text
 * that is no IPv6 address, EADDRNOTAVAIL for an address that is not ours, :: to unbind), and the
 * route and source of a send (ip6_route_output's errno; the bound address, or else the source the
 * route gives, ip6_route_get_saddr; EADDRNOTAVAIL when there is none).
 * Leaves out what each kind sends and receives, its options and its devices.
 */
import { parseIpv6Number } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { Errno, SocketResult } from '../process.js';
import { OpenSocket, type SocketRelease } from '../sockets/socket-list.js';
import type { Ipv6Layer } from './ipv6-layer.js';

/** Where an ICMPv6 socket's kind keeps it, and the node's clock. */
export interface Icmpv6SocketTable extends SocketRelease {
  now(): Nanos;
}

/** The route of one send: the device it leaves by, its source, the path MTU. */
export type Icmpv6Route = { ok: true; dev: string; source: bigint; mtu: number } | { ok: false; errno: Errno };

export abstract class Icmpv6Socket<Message> extends OpenSocket<Message> {
  protected boundAddress = 0n;

  constructor(
    protected readonly table: Icmpv6SocketTable,
    protected readonly layer: Ipv6Layer,
    owner: object,
  ) {
    super(table, owner);
  }

  bind(address: string): SocketResult {
    if (this.closed) return { ok: false, errno: 'EBADF' };
    const local = parseIpv6Number(address);
    if (local === null) return { ok: false, errno: 'EINVAL' };
    if (local !== 0n && !this.layer.isLocalAddress(local, this.table.now())) return { ok: false, errno: 'EADDRNOTAVAIL' };
    this.boundAddress = local;
    return { ok: true };
  }

  /** The route to `destination` (out of `device` when given) and the source a packet on it takes. */
  protected route(destination: bigint, device: string | undefined, now: Nanos): Icmpv6Route {
    const routed = this.layer.routeFor(destination, this.boundAddress, device, now);
    if (!routed.ok) return routed;
    const source = this.boundAddress !== 0n ? this.boundAddress : routed.source;
    if (source === null) return { ok: false, errno: 'EADDRNOTAVAIL' };
    return { ok: true, dev: routed.dev, source, mtu: routed.mtu };
  }
}
