/**
 * One family's list of open sockets of one kind — what Linux keeps in udp_table, ping_table and
 * raw_v6_hashinfo, here as a plain list in the order the sockets were opened: adding a socket
 * (under a bound where the kind has one: ENOBUFS past it), forgetting a closed one, closing every
 * socket of a process that exits, and the best match of a lookup (compute_score's winner: the
 * highest score, the earliest opened among equals, none below 0).
 * OpenSocket is what every socket of such a list keeps: its owner, whether it is closed, the
 * program's handler of what arrives, and a close that happens once and takes it off its list.
 * Leaves out what a socket matches and how it scores: that stays with each kind (udp-socket.ts,
 * udp6-socket.ts, icmp-socket.ts, ipv6/ping6-socket.ts, ipv6/icmp6-raw-socket.ts). No hashing:
 * lookups walk the list, as a node holds few sockets.
 */

/** What the list needs of a socket: who owns it, and how to close it. */
export interface ListedSocket {
  readonly owner: object;
  close(): void;
}

export class SocketList<S extends ListedSocket> implements Iterable<S> {
  private readonly sockets = new Set<S>();

  /** `limit`: how many sockets the list takes at the most (a kind without one takes any number). */
  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.sockets.size;
  }

  /** Is there room for one more socket? */
  get hasRoom(): boolean {
    return this.sockets.size < this.limit;
  }

  /** A socket just opened; the caller checked `hasRoom`. */
  add(socket: S): S {
    this.sockets.add(socket);
    return socket;
  }

  /** Forget a closed socket. */
  release(socket: S): void {
    this.sockets.delete(socket);
  }

  /** Close every socket of an owner (process exit). */
  closeOwnedBy(owner: S['owner']): void {
    for (const socket of [...this.sockets]) if (socket.owner === owner) socket.close();
  }

  /** The socket with the highest score (-1: no match), the first opened among equals; null when none matches. */
  best(score: (socket: S) => number): S | null {
    let best: S | null = null;
    let bestScore = -1;
    for (const socket of this.sockets) {
      const value = score(socket);
      if (value > bestScore) {
        best = socket;
        bestScore = value;
      }
    }
    return best;
  }

  [Symbol.iterator](): Iterator<S> {
    return this.sockets[Symbol.iterator]();
  }
}

/** Where a socket goes when closed: its kind's list, or the table holding it. */
export interface SocketRelease {
  release(socket: ListedSocket): void;
}

/** A socket of a list: its owner, closed once, handing what arrives to the program's handler. */
export abstract class OpenSocket<Message, Owner extends object = object> implements ListedSocket {
  protected closed = false;
  protected messageHandler: ((message: Message) => void) | null = null;

  constructor(
    private readonly list: SocketRelease,
    readonly owner: Owner,
  ) {}

  onMessage(handler: (message: Message) => void): void {
    this.messageHandler = handler;
  }

  /** Close the socket (a second close does nothing) and take it off its list. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing();
    this.list.release(this);
  }

  /** What a kind does as it closes, before it leaves the list. */
  protected closing(): void {}
}
