/**
 * The IPVS connection table (ip_vs_conn.c): one entry per client connection through a virtual
 * service, and persistence templates.
 *
 * A connection records the client (caddr:cport), the virtual address (vaddr:vport) and the real
 * server (daddr:dport), its protocol, flags (the forwarding method, IP_VS_CONN_F_INACTIVE,
 * NOOUTPUT, TEMPLATE, ONE_PACKET), IPVS's protocol state and its timer. Lookups go by the
 * client's tuple (ip_vs_conn_in_get: packets from the client) and, for masquerading, by the real
 * server's tuple (ip_vs_conn_out_get: replies); templates by <protocol, client network, vaddr or
 * fwmark, vport> (ip_vs_ct_in_get).
 *
 * Timers run in virtual time: every packet restarts a connection's timer with its state's timeout
 * (ip_vs_conn_put), `expireDue(now)` expires those due (ip_vs_conn_expire). A connection that still
 * controls others (a template with live connections) is not freed: its timeout becomes 60 s
 * (expire_later's cp->timeout = 60*HZ, which later restarts keep) and its timer is re-armed.
 * An expired connection leaves the real server's counters (ip_vs_unbind_dest) and its template's
 * n_control. The hash table has 4096 buckets (conn_tab_bits 12, shown as `size=4096`); the kernel
 * bounds the entries only by memory. netloom bounds them at 262,144 connections per director
 * (MAX_CONNECTIONS, about 64 MiB of model): a new connection past that fails as ip_vs_conn_new's
 * allocation would (the packet is dropped).
 */
import { addressKey, type AddressFamily, type InetAddress } from './inet-address.js';
import type { SyncedConnectionState } from './connection-sync.js';
import type { RealServer } from './virtual-service.js';

/** IP_VS_CONN_F_* (libipvs/ip_vs.h). */
export const CONN_F_FWD_MASK = 0x0007;
export const CONN_F_NOOUTPUT = 0x0080;
export const CONN_F_INACTIVE = 0x0100;
export const CONN_F_TEMPLATE = 0x1000;
export const CONN_F_ONE_PACKET = 0x2000;

/** conn_tab_bits' default: 2^12 buckets (ipvsadm's `size=`). */
export const CONN_TAB_BITS = 12;
export const CONN_TAB_SIZE = 1 << CONN_TAB_BITS;
/** netloom's bound on entries (connections and templates) per director. */
export const MAX_CONNECTIONS = 262_144;
/** How long a template that still controls connections waits before its next expiry attempt. */
export const CONTROL_RETRY_NS = 60e9;

/** Template state names (ip_vs_ctpl_state_name_table). */
export const TEMPLATE_STATE_NONE = 0;
export const TEMPLATE_STATE_ASSURED = 1;

export interface ConnectionParams {
  readonly family: AddressFamily;
  /** 6, 17, or 0 (IPPROTO_IP) for a fwmark template. */
  readonly protocol: number;
  readonly caddr: InetAddress;
  readonly cport: number;
  readonly vaddr: InetAddress;
  readonly vport: number;
  readonly daddr: InetAddress;
  readonly dport: number;
  /** A fwmark template's mark (its vaddr is the mark). */
  readonly fwmark?: number;
}

export class IpvsConnection {
  readonly family: AddressFamily;
  readonly protocol: number;
  readonly caddr: InetAddress;
  cport: number;
  readonly vaddr: InetAddress;
  vport: number;
  readonly daddr: InetAddress;
  dport: number;
  readonly fwmark: number;
  flags: number;
  /** IPVS protocol state: a TCP_S value, 0 for UDP, TEMPLATE_STATE_* for templates. */
  state = 0;
  /** The real server (null once unbound). */
  dest: RealServer | null;
  /** The persistence template controlling this connection (cp->control). */
  control: IpvsConnection | null = null;
  /** How many connections this template controls (n_control). */
  controlled = 0;
  /** The timeout the timer restarts with, in nanoseconds (cp->timeout). */
  timeoutNs: number;
  /** When the timer fires, in virtual nanoseconds. */
  expiresAt: number;
  /** Whether the entry is in the lookup tables (IP_VS_CONN_F_HASHED). */
  hashed = false;
  /** A template's key in the template table (until it is invalidated). */
  templateKey: string | undefined;
  /** The keys it was hashed under in the client and real-server tables (kept to unhash without rebuilding them). */
  inKey = '';
  outKey = '';
  /** What connection synchronisation keeps per entry (cp->in_pkts, old_state, sync_endtime). */
  readonly sync: SyncedConnectionState = { inPkts: 0, oldState: 0, syncEndtime: 0 };

  /** `dest` null: a connection a backup learnt for a real server it does not have (yet). */
  constructor(params: ConnectionParams, flags: number, dest: RealServer | null, now: number, timeoutNs: number) {
    this.family = params.family;
    this.protocol = params.protocol;
    this.caddr = params.caddr;
    this.cport = params.cport;
    this.vaddr = params.vaddr;
    this.vport = params.vport;
    this.daddr = params.daddr;
    this.dport = params.dport;
    this.fwmark = params.fwmark ?? 0;
    this.flags = flags;
    this.dest = dest;
    this.timeoutNs = timeoutNs;
    this.expiresAt = now + timeoutNs;
  }

  get isTemplate(): boolean {
    return (this.flags & CONN_F_TEMPLATE) !== 0;
  }

  get isInactive(): boolean {
    return (this.flags & CONN_F_INACTIVE) !== 0;
  }

  /** The expiry of this entry's one live heap entry (undefined: none queued). */
  queuedAt: number | undefined;
}

/** Key of a packet from the client: protocol, family, caddr:cport, vaddr:vport. */
export function inKey(protocol: number, caddr: InetAddress, cport: number, vaddr: InetAddress, vport: number): string {
  return `${protocol}|${addressKey(caddr)}|${cport}|${addressKey(vaddr)}|${vport}`;
}

/** Key of a reply from the real server: protocol, daddr:dport, caddr:cport. */
export function outKey(protocol: number, daddr: InetAddress, dport: number, caddr: InetAddress, cport: number): string {
  return `${protocol}|${addressKey(daddr)}|${dport}|${addressKey(caddr)}|${cport}`;
}

/** Key of a template: protocol (0 for fwmark), client network, vaddr or the fwmark, vport. */
export function templateKey(protocol: number, clientNet: InetAddress, vaddr: InetAddress | number, vport: number): string {
  const v = typeof vaddr === 'number' ? `m${vaddr}` : addressKey(vaddr);
  return `${protocol}|${addressKey(clientNet)}|${v}|${vport}`;
}

/** A binary min-heap of connections by the expiry they had when pushed (lazily re-checked). */
class ExpiryHeap {
  private readonly at: number[] = [];
  private readonly items: IpvsConnection[] = [];

  get size(): number {
    return this.items.length;
  }

  push(conn: IpvsConnection, at: number): void {
    this.at.push(at);
    this.items.push(conn);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= this.at[i]!) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  peekAt(): number | undefined {
    return this.at[0];
  }

  pop(): IpvsConnection | undefined {
    const top = this.items[0];
    if (top === undefined) return undefined;
    const lastAt = this.at.pop()!;
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.at[0] = lastAt;
      this.items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.items.length && this.at[l]! < this.at[m]!) m = l;
        if (r < this.items.length && this.at[r]! < this.at[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private swap(a: number, b: number): void {
    [this.at[a], this.at[b]] = [this.at[b]!, this.at[a]!];
    [this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!];
  }
}

export class ConnectionTable {
  /** Every live entry, in creation order (what /proc/net/ip_vs_conn walks). */
  private readonly entries = new Set<IpvsConnection>();
  private readonly byIn = new Map<string, IpvsConnection>();
  private readonly byOut = new Map<string, IpvsConnection>();
  private readonly templates = new Map<string, IpvsConnection>();
  /** Each entry is in the heap once, at the expiry it had when pushed; re-pushed when it moved. */
  private readonly heap = new ExpiryHeap();

  constructor(private readonly onExpire: (conn: IpvsConnection) => 'free' | 'retry') {}

  get size(): number {
    return this.entries.size;
  }

  get isFull(): boolean {
    return this.entries.size >= MAX_CONNECTIONS;
  }

  all(): IterableIterator<IpvsConnection> {
    return this.entries.values();
  }

  /** ip_vs_conn_hash: a new entry enters the tables and its timer starts. */
  insert(conn: IpvsConnection, templateKeyText?: string): void {
    this.entries.add(conn);
    if (conn.isTemplate) {
      conn.templateKey = templateKeyText;
      if (templateKeyText !== undefined) this.templates.set(templateKeyText, conn);
    } else {
      conn.inKey = inKey(conn.protocol, conn.caddr, conn.cport, conn.vaddr, conn.vport);
      conn.outKey = outKey(conn.protocol, conn.daddr, conn.dport, conn.caddr, conn.cport);
      this.byIn.set(conn.inKey, conn);
      this.byOut.set(conn.outKey, conn);
    }
    conn.hashed = true;
    this.queue(conn);
  }

  lookupIn(protocol: number, caddr: InetAddress, cport: number, vaddr: InetAddress, vport: number): IpvsConnection | undefined {
    return this.byIn.get(inKey(protocol, caddr, cport, vaddr, vport));
  }

  lookupOut(protocol: number, daddr: InetAddress, dport: number, caddr: InetAddress, cport: number): IpvsConnection | undefined {
    return this.byOut.get(outKey(protocol, daddr, dport, caddr, cport));
  }

  lookupTemplate(key: string): IpvsConnection | undefined {
    return this.templates.get(key);
  }

  /** ip_vs_check_template's invalidation: the template no longer matches (ports 65535, cport 0) but lives on until it expires. */
  invalidateTemplate(conn: IpvsConnection): void {
    if (conn.templateKey !== undefined && this.templates.get(conn.templateKey) === conn) this.templates.delete(conn.templateKey);
    conn.templateKey = undefined;
    conn.vport = 0xffff;
    conn.dport = 0xffff;
    conn.cport = 0;
  }

  /** Take an entry out of every table (ip_vs_conn_unlink); the caller unbinds it. */
  remove(conn: IpvsConnection): void {
    if (!this.entries.delete(conn)) return;
    conn.hashed = false;
    if (conn.isTemplate) {
      if (conn.templateKey !== undefined && this.templates.get(conn.templateKey) === conn) this.templates.delete(conn.templateKey);
      return;
    }
    if (this.byIn.get(conn.inKey) === conn) this.byIn.delete(conn.inKey);
    if (this.byOut.get(conn.outKey) === conn) this.byOut.delete(conn.outKey);
  }

  /** Restart the entry's timer with its timeout (ip_vs_conn_put, mod_timer). */
  restartTimer(conn: IpvsConnection, now: number): void {
    this.setExpiry(conn, now + conn.timeoutNs);
  }

  /** Make the entry's timer fire now (ip_vs_conn_expire_now). */
  expireNow(conn: IpvsConnection, now: number): void {
    this.setExpiry(conn, now);
  }

  private setExpiry(conn: IpvsConnection, at: number): void {
    conn.expiresAt = at;
    this.queue(conn);
  }

  /** Keep one heap entry per live connection, no later than its expiry (a later expiry re-queues when the early one pops). */
  private queue(conn: IpvsConnection): void {
    if (conn.queuedAt !== undefined && conn.queuedAt <= conn.expiresAt) return;
    conn.queuedAt = conn.expiresAt;
    this.heap.push(conn, conn.expiresAt);
  }

  /** Run the timers due by `now`, in expiry order. */
  expireDue(now: number): void {
    for (;;) {
      const at = this.heap.peekAt();
      if (at === undefined || at > now) return;
      const conn = this.heap.pop()!;
      if (!conn.hashed || conn.queuedAt !== at) continue; // superseded by an earlier entry, or gone
      conn.queuedAt = undefined;
      if (conn.expiresAt > at) {
        this.queue(conn); // the timer was restarted since
        continue;
      }
      if (this.onExpire(conn) === 'retry') {
        // expire_later: cp->timeout = 60*HZ, kept for every later restart of the timer.
        conn.timeoutNs = CONTROL_RETRY_NS;
        this.setExpiry(conn, now + CONTROL_RETRY_NS);
      }
    }
  }

  /** The earliest timer, or undefined. An entry whose timer was restarted makes this early, never late. */
  nextDeadline(): number | undefined {
    return this.heap.peekAt();
  }

  /** Heap entries held (bounded: at most one live entry per connection plus superseded ones that pop in time). */
  get queuedTimers(): number {
    return this.heap.size;
  }
}
