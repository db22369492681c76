/**
 * Protocol registration: which handler receives each protocol number, so that the layers dispatch
 * by lookup instead of a closed `switch`. One table per layer: EtherTypes for frames a node
 * receives (Linux's packet_type list, dev_add_pack / ptype_base) and IP protocol numbers for local
 * delivery (inet_protos, inet_add_protocol). A layer registers its own protocols when it is built;
 * another part of the node can register more the same way.
 * Registering a number twice is refused, as inet_add_protocol refuses a taken slot. Bounded by the
 * number space it is given (0xffff EtherTypes, 255 IP protocols). Leaves out ETH_P_ALL taps, and
 * IPv6 next headers (a second table when IPv6 comes).
 */
export class ProtocolTable<Handler> {
  private readonly handlers = new Map<number, Handler>();

  /** `what` names the number space in errors (`EtherType`, `IP protocol`); `max` is its largest number. */
  constructor(
    private readonly what: string,
    private readonly max: number,
  ) {}

  /** dev_add_pack / inet_add_protocol. A number outside the space, or one already taken, is a bug. */
  register(protocol: number, handler: Handler): void {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > this.max) throw new RangeError(`${this.what} ${protocol} is outside 0-${this.max}`);
    if (this.handlers.has(protocol)) throw new Error(`${this.what} ${protocol} is already registered`);
    this.handlers.set(protocol, handler);
  }

  /** The handler of `protocol`, or undefined when nothing receives it. */
  handlerFor(protocol: number): Handler | undefined {
    return this.handlers.get(protocol);
  }
}
