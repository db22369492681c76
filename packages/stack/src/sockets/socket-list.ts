/**
 * One family's list of open sockets of one kind — what Linux keeps in udp_table, ping_table and
 * raw_v6_hashinfo, here as a plain list in the order the sockets were opened: opening a socket
 * (with a descriptor of its process), forgetting a closed one, closing every socket of a process
 * that exits, and the best match of a lookup (compute_score's winner: the highest score, the
 * earliest opened among equals, none below 0).
 * Descriptors is the one bound on a node's sockets, shared by every kind (UDP, UDPv6, ping, ping6,
 * raw ICMPv6, TCP's socket(2) in tcp/tcp-sockets.ts, arping's packet socket in node.ts): a process
 * holds at most its RLIMIT_NOFILE descriptors (1024 by default, `ulimit -n`), 0-2 being its
 * standard streams, and socket(2) past them is EMFILE (get_unused_fd_flags), whatever the kind;
 * closing a socket frees its descriptor. A dual-stack UDPv6 socket's IPv4 side takes none of its
 * process's (it is one descriptor on Linux).
 * Checked on Linux 6.x in a network namespace under `ulimit -n 16`: 13 sockets of mixed kinds open,
 * the 14th of any kind is EMFILE, and after closing one the next opens (socket-list.test.ts).
 * OpenSocket is what every socket of such a list keeps: its owner, whether it is closed, the
 * program's handler of what arrives, and a close that happens once and takes it off its list.
 * Leaves out what a socket matches and how it scores: that stays with each kind (udp-socket.ts,
 * udp6-socket.ts, icmp-socket.ts, ipv6/ping6-socket.ts, ipv6/icmp6-raw-socket.ts). No hashing:
 * lookups walk the list, as a node holds few sockets.
 */
import type { Errno } from '../process.js';

/** RLIMIT_NOFILE's soft limit when nothing changed it (the kernel's INR_OPEN_CUR): the descriptors a process may hold. */
export const RLIMIT_NOFILE = 1024;
/** Descriptors 0-2, standard input, output and error: held by every process before it opens a socket. */
export const STDIO_DESCRIPTORS = 3;

/** Who holds descriptors: a process, with the RLIMIT_NOFILE it was started with (`ulimit -n`), else the default. */
export interface DescriptorOwner {
  readonly openFilesLimit?: number;
}

/** The descriptors a node's processes hold for their sockets, shared by every socket kind of the node. */
export class Descriptors {
  // Both made with the first socket: most nodes of a big network never open one.
  /** Descriptors each owner holds, its standard streams included (an owner holding only those is not kept). */
  private held: Map<object, number> | null = null;
  /** The owner of each socket holding a descriptor. */
  private ownerOf: Map<object, object> | null = null;

  /** socket(2): `create`'s socket with a descriptor of `owner`, or EMFILE when it holds its RLIMIT_NOFILE. */
  open<S extends object>(owner: DescriptorOwner, create: () => S): S | { errno: Errno } {
    const held = this.heldBy(owner);
    if (held >= (owner.openFilesLimit ?? RLIMIT_NOFILE)) return { errno: 'EMFILE' };
    const socket = create();
    (this.held ??= new Map()).set(owner, held + 1);
    (this.ownerOf ??= new Map()).set(socket, owner);
    return socket;
  }

  /** close(2): the socket's descriptor is free again (nothing for a socket that holds none, or a second close). */
  close(socket: object): void {
    const owner = this.ownerOf?.get(socket);
    if (owner === undefined) return;
    this.ownerOf!.delete(socket);
    const held = this.heldBy(owner) - 1;
    if (held > STDIO_DESCRIPTORS) this.held!.set(owner, held);
    else this.held!.delete(owner);
  }

  /** How many descriptors an owner holds, its standard streams included. */
  heldBy(owner: object): number {
    return this.held?.get(owner) ?? STDIO_DESCRIPTORS;
  }
}

/** What the list needs of a socket: who owns it, and how to close it. */
export interface ListedSocket {
  readonly owner: DescriptorOwner;
  close(): void;
}

/** What an empty list walks; never written. */
const NO_SOCKETS: ReadonlySet<never> = new Set();

export class SocketList<S extends ListedSocket> implements Iterable<S> {
  /** Made with the first socket (a node has five lists, most stay empty). */
  private sockets: Set<S> | null = null;

  /** `descriptors`: the node's, shared by all its socket kinds. */
  constructor(private readonly descriptors: Descriptors) {}

  get size(): number {
    return this.sockets?.size ?? 0;
  }

  /** socket(2) of this kind: `create`'s socket, listed, or EMFILE when its owner has no descriptor left. */
  open<T extends S>(owner: S['owner'], create: () => T): T | { errno: Errno } {
    const opened = this.descriptors.open(owner, create);
    if (!('errno' in opened)) (this.sockets ??= new Set()).add(opened);
    return opened;
  }

  /** Forget a closed socket, and free its descriptor. */
  release(socket: S): void {
    this.sockets?.delete(socket);
    this.descriptors.close(socket);
  }

  /** Close every socket of an owner (process exit). */
  closeOwnedBy(owner: S['owner']): void {
    if (this.sockets === null) return;
    for (const socket of [...this.sockets]) if (socket.owner === owner) socket.close();
  }

  /** The socket with the highest score (-1: no match), the first opened among equals; null when none matches. */
  best(score: (socket: S) => number): S | null {
    let best: S | null = null;
    let bestScore = -1;
    if (this.sockets === null) return null;
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
    return (this.sockets ?? (NO_SOCKETS as ReadonlySet<S>))[Symbol.iterator]();
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
