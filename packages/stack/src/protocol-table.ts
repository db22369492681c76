/**
 * Protocol registration: which handler receives each protocol number, so that the layers dispatch
 * by lookup instead of a closed `switch`. Two shapes:
 * - `ProtocolTable`: one number space, one handler per number — EtherTypes for frames a node
 *   receives (Linux's packet_type list, dev_add_pack / ptype_base).
 * - `TransportRegistry`: transports by (address family, IP protocol), each with a receive handler
 *   and an error handler — Linux's inet_protos and inet6_protos (`struct net_protocol` /
 *   `inet6_protocol`: handler + err_handler, inet_add_protocol / inet6_add_protocol). The network
 *   layer of a family hands a locally delivered packet to `receive` (ip_protocol_deliver_rcu) and
 *   an ICMP error that quotes a datagram of the protocol to `error` (icmp_socket_deliver,
 *   icmpv6_notify), which answers whether a local socket sent that datagram (udp_err and ping_err
 *   look the socket up; a redirect is acted on only then).
 * What a family's transports are given is declared in `TransportFamilies`, one entry per family;
 * IPv4's is here (ipv4/transport.ts), and IPv6 adds its own by module augmentation:
 *
 *   declare module '../protocol-table.js' {
 *     interface TransportFamilies { 6: { delivery: Ipv6Delivery; error: Icmpv6ErrorReport } }
 *   }
 *
 * Registering a number twice is refused, as inet_add_protocol refuses a taken slot; registering
 * returns the function that unregisters (inet_del_protocol). Bounded by the number space (0xffff
 * EtherTypes, 0-255 IP protocols per family). Leaves out ETH_P_ALL taps and IPv6 extension headers
 * (which register in the IPv6 layer's own ProtocolTable).
 */
import type { Nanos } from './node-host.js';
import type { IcmpErrorReport, Ipv4Delivery } from './ipv4/transport.js';

export class ProtocolTable<Handler> {
  private readonly handlers = new Map<number, Handler>();

  /** `what` names the number space in errors (`EtherType`, `IP protocol`); `max` is its largest number. */
  constructor(
    private readonly what: string,
    private readonly max: number,
  ) {}

  /**
   * dev_add_pack / inet_add_protocol. A number outside the space, or one already taken, is a bug.
   * Returns the function that removes this registration (dev_remove_pack / inet_del_protocol).
   */
  register(protocol: number, handler: Handler): () => void {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > this.max) throw new RangeError(`${this.what} ${protocol} is outside 0-${this.max}`);
    if (this.handlers.has(protocol)) throw new Error(`${this.what} ${protocol} is already registered`);
    this.handlers.set(protocol, handler);
    return () => {
      if (this.handlers.get(protocol) === handler) this.handlers.delete(protocol);
    };
  }

  /** The handler of `protocol`, or undefined when nothing receives it. */
  handlerFor(protocol: number): Handler | undefined {
    return this.handlers.get(protocol);
  }
}

/** An address family: 4 (AF_INET) or 6 (AF_INET6). */
export type AddressFamily = 4 | 6;

/**
 * What the transports of each family receive: the delivered packet and the ICMP error report.
 * IPv6 adds `6` by module augmentation (see the module comment).
 */
export interface TransportFamilies {
  4: { delivery: Ipv4Delivery; error: IcmpErrorReport };
}

/** A transport of one family (struct net_protocol: handler and err_handler). */
export interface TransportProtocol<Delivery, ErrorReport> {
  /** The handler: a packet for us, reassembled and past LOCAL_IN. Drops and ICMP answers are its own. */
  receive(delivery: Delivery, now: Nanos): void;
  /**
   * The err_handler: an ICMP error quoting a datagram of this protocol. True when a local socket
   * sent that datagram (the error reached it, or for a redirect, would have).
   */
  error(report: ErrorReport, now: Nanos): boolean;
}

/** The transport type a family's table holds. */
export type TransportOf<F extends keyof TransportFamilies> = TransportProtocol<TransportFamilies[F]['delivery'], TransportFamilies[F]['error']>;

/** inet_protos and inet6_protos of one node: transports by (family, protocol). */
export class TransportRegistry {
  private readonly tables = new Map<AddressFamily, ProtocolTable<unknown>>();

  /** inet_add_protocol / inet6_add_protocol; returns inet_del_protocol. A taken (family, protocol) is a bug. */
  register<F extends keyof TransportFamilies>(family: F, protocol: number, transport: TransportOf<F>): () => void {
    return this.table(family).register(protocol, transport);
  }

  /** One family's table, for a network layer to look transports up per packet without the family step. */
  table<F extends keyof TransportFamilies>(family: F): ProtocolTable<TransportOf<F>> {
    const number: number = family;
    if (number !== 4 && number !== 6) throw new RangeError(`address family ${number} is not 4 or 6`);
    let table = this.tables.get(family);
    if (table === undefined) {
      table = new ProtocolTable<unknown>(family === 4 ? 'IP protocol' : 'IPv6 next header', 255);
      this.tables.set(family, table);
    }
    // Each family's table is only ever filled through register<F>, so it holds TransportOf<F>.
    return table as ProtocolTable<TransportOf<F>>;
  }

  /** The transport of (family, protocol), or undefined when nothing is registered. */
  transportFor<F extends keyof TransportFamilies>(family: F, protocol: number): TransportOf<F> | undefined {
    return this.table(family).handlerFor(protocol);
  }
}
