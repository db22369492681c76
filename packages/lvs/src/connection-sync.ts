/**
 * IPVS connection synchronisation's control plane (net/netfilter/ipvs/ip_vs_sync.c, version 1
 * messages): what a master director puts into sync messages and when, and what a backup does with
 * the connections it reads. The daemons' sockets and timers are datapath/sync-daemon.ts's.
 *
 * Master (ip_vs_sync_conn): after each packet from a client (ip_vs_in), the connection counts it
 * (cp->in_pkts; a one-packet connection counts as sync_threshold) and ip_vs_sync_conn_needed decides:
 * a TCP connection only in ESTABLISHED, FIN_WAIT, CLOSE, CLOSE_WAIT or TIME_WAIT, at once when it
 * has just changed into one of them other than ESTABLISHED; otherwise (and for UDP) when its packet
 * count modulo sync_period (50) is sync_threshold (3); a template every time one of its connections
 * is synced (templates first counted by their own in_pkts); sync_refresh_period and sync_retries as
 * the kernel has them (jiffies at HZ 1000); sync_persist_mode skips connections under persistence.
 * One-packet connections are not synced, their templates are. Entries go into the current buffer
 * (header, 36-byte IPv4 / 72-byte IPv6 entries) of at most sync_maxlen bytes (default 1500 − 28 =
 * 1472, the kernel's fixed MTU for a master: 40 IPv4 entries) and at most 255 entries (nr_conns is a
 * byte); a full buffer is queued (sb_queue_tail), at most MAX_SYNC_QUEUE of them (then dropped, as
 * past sync_qlen_max). The daemon sends what is queued and a buffer older than 2 s (next_sync_buff).
 * Backup (ip_vs_process_message → ip_vs_proc_sync_conn → ip_vs_proc_conn): the syncid filter (a
 * backup with syncid 0 takes every message), flags masked to IP_VS_CONN_F_BACKUP_MASK plus
 * IP_VS_CONN_F_SYNC, the protocol and state checked (TCP 11 states, UDP 2; others dropped); an
 * existing connection to another real server is expired and replaced unless the message says it is
 * inactive; an existing one updates its INACTIVE flag (moving the server's counters); a new one is
 * created without scheduling, bound to the real server the backup's own service table has for it
 * (ip_vs_find_dest; unbound when none, bound later when one appears), its method from that server;
 * then the state as sent, in_pkts = sync_threshold and the timeout from the message (else the
 * protocol's for the state, 3 minutes for templates), and its timer restarted.
 * Leaves out: version 0 messages (sync_version = 0), sequence options (no FTP helper), persistence
 * engines' data, SCTP, several master threads (sync_ports > 1).
 */
import { IPVS_SYNC_HEADER_LENGTH, IPVS_SYNC_MAX_CONNS, encodeIpvsSyncMessage, ipvsSyncConnLength, parseIpvsSyncMessage, type IpvsSyncConnRepr } from '@netloom/wire/ipvs-sync';
import { CONN_F_FWD_MASK, CONN_F_INACTIVE, CONN_F_NOOUTPUT, CONN_F_ONE_PACKET, CONN_F_TEMPLATE, templateKey, type IpvsConnection } from './connection-table.js';
import { inet4, type InetAddress } from './inet-address.js';
import { TCP_S } from './protocol-states.js';
import { IPPROTO_TCP, IPPROTO_UDP } from './virtual-service.js';
import type { VsSettings } from './vs-settings.js';

/** net.ipv4.vs.sync_threshold's two values ("3 50"). */
export const SYNC_THRESHOLD = 3;
export const SYNC_PERIOD = 50;
/** IP_VS_CONN_F_SYNC, IP_VS_CONN_F_HASHED, IP_VS_CONN_F_NO_CPORT and the masks of what a backup takes and updates. */
export const CONN_F_SYNC = 0x0020;
export const CONN_F_HASHED = 0x0040;
export const CONN_F_NO_CPORT = 0x0800;
const CONN_F_SEQ_MASK = 0x0600;
export const CONN_F_BACKUP_MASK = CONN_F_FWD_MASK | CONN_F_NOOUTPUT | CONN_F_INACTIVE | CONN_F_SEQ_MASK | CONN_F_NO_CPORT | CONN_F_TEMPLATE;
export const CONN_F_BACKUP_UPD_MASK = CONN_F_INACTIVE | CONN_F_SEQ_MASK;
/** Buffers a master keeps queued (the kernel's sync_qlen_max depends on memory). */
export const MAX_SYNC_QUEUE = 1024;
/** IPVS_SYNC_FLUSH_TIME: a buffer is sent at the latest this long after its first entry. */
export const SYNC_FLUSH_NS = 2e9;
/** The default message size of a master: IP (20) and UDP (8) headers off the 1500 bytes it assumes. */
export const DEFAULT_SYNC_MAXLEN = 1500 - 28;

const JIFFY_NS = 1e6;
const TCP_STATES = 11;
const UDP_STATES = 2;
const TEMPLATE_TIMEOUT_S = 180;
const SYNCED_TCP_STATES = (1 << TCP_S.ESTABLISHED) | (1 << TCP_S.FIN_WAIT) | (1 << TCP_S.CLOSE) | (1 << TCP_S.CLOSE_WAIT) | (1 << TCP_S.TIME_WAIT);

/** What ip_vs_sync_conn needs of the connection beyond the table's fields. */
export interface SyncedConnectionState {
  /** cp->in_pkts. */
  inPkts: number;
  /** cp->old_state: the state at the last sync. */
  oldState: number;
  /** cp->sync_endtime, in jiffies (the low 2 bits count retries). */
  syncEndtime: number;
}

/** One message's entries as they accumulate (ip_vs_sync_buff). */
interface SyncBuffer {
  readonly connections: IpvsSyncConnRepr[];
  size: number;
  readonly firstUse: number;
}

/** The master's side: buffers filled from ip_vs_in, taken by the daemon. */
export class SyncMaster {
  private current: SyncBuffer | null = null;
  private readonly queue: Uint8Array[] = [];
  /** Buffers dropped because the queue was full. */
  queueOverflowed = 0;

  /**
   * `wake(queueLength, now)` is told each time a buffer is queued (the daemon sends after
   * IPVS_SYNC_SEND_DELAY, or at once from the eighth).
   */
  constructor(
    readonly syncId: number,
    readonly maxlen: number,
    private readonly settings: VsSettings,
    private readonly wake: (queueLength: number, now: number) => void,
  ) {}

  /** ip_vs_sync_conn: `pkts` is the packet count ip_vs_in gives (cp->in_pkts after the increment). */
  syncConnection(conn: IpvsConnection, pkts: number, now: number): void {
    let cp: IpvsConnection | null = conn;
    if ((cp.flags & CONN_F_ONE_PACKET) !== 0) {
      cp = cp.control;
      if (cp === null) return;
      pkts = (cp.flags & CONN_F_TEMPLATE) !== 0 ? ++cp.sync.inPkts : SYNC_THRESHOLD;
    }
    while (cp !== null) {
      if (this.isNeeded(cp, pkts, now)) this.add(entryOf(cp), now);
      const control: IpvsConnection | null = cp.control;
      if (control === null) return;
      pkts = (control.flags & CONN_F_TEMPLATE) !== 0 ? ++control.sync.inPkts : SYNC_THRESHOLD;
      cp = control;
    }
  }

  /** ip_vs_sync_conn_needed. */
  private isNeeded(cp: IpvsConnection, pkts: number, now: number): boolean {
    const sync = cp.sync;
    const jiffies = Math.floor(now / JIFFY_NS);
    const timeout = Math.floor(cp.timeoutNs / JIFFY_NS);
    const orig = sync.syncEndtime;
    let n = (jiffies + timeout) & ~3;
    let force = false;
    const set = (): boolean => {
      sync.oldState = cp.state;
      sync.syncEndtime = n;
      return true;
    };
    if ((cp.flags & CONN_F_TEMPLATE) !== 0) force = false;
    else if (this.settings.sync_persist_mode !== 0 && isInPersistence(cp)) return false;
    else if (cp.protocol === IPPROTO_TCP) {
      if (((1 << cp.state) & SYNCED_TCP_STATES) === 0) return false;
      force = cp.state !== sync.oldState;
      if (force && cp.state !== TCP_S.ESTABLISHED) return set();
    }
    const refresh = this.settings.sync_refresh_period * 1000; // the sysctl holds seconds; jiffies at HZ 1000
    if (refresh > 0) {
      const diff = n - orig;
      const minDiff = Math.max(timeout >> 1, 10_000);
      if (Math.abs(diff) < Math.min(refresh, minDiff)) {
        const retries = orig & 3;
        if (retries >= this.settings.sync_retries) return false;
        if (jiffies < orig - timeout + (refresh >> 3)) return false;
        n |= retries + 1;
      }
    }
    if (SYNC_PERIOD > 0) {
      if ((cp.flags & CONN_F_TEMPLATE) === 0 && pkts % SYNC_PERIOD !== SYNC_THRESHOLD) return false;
    } else if (refresh === 0 && pkts !== SYNC_THRESHOLD) return false;
    set();
    return true;
  }

  /** Put one entry into the current buffer, queueing the buffer first when the entry does not fit. */
  private add(entry: IpvsSyncConnRepr, now: number): void {
    const length = ipvsSyncConnLength(entry);
    let buffer = this.current;
    if (buffer !== null) {
      const pad = (4 - buffer.size) & 3;
      if (buffer.size + pad + length > this.maxlen || buffer.connections.length >= IPVS_SYNC_MAX_CONNS) {
        this.enqueue(buffer, now);
        buffer = null;
      }
    }
    if (buffer === null) {
      buffer = { connections: [], size: IPVS_SYNC_HEADER_LENGTH, firstUse: now };
      this.current = buffer;
    }
    buffer.size += ((4 - buffer.size) & 3) + length;
    buffer.connections.push(entry);
  }

  /** sb_queue_tail. */
  private enqueue(buffer: SyncBuffer, now: number): void {
    this.current = null;
    if (this.queue.length >= MAX_SYNC_QUEUE) {
      this.queueOverflowed++;
      return;
    }
    this.queue.push(encodeIpvsSyncMessage({ syncId: this.syncId, connections: buffer.connections }));
    this.wake(this.queue.length, now);
  }

  /** next_sync_buff: a queued message, else the current buffer once `flushAfterNs` old; undefined when none is due. */
  nextMessage(now: number, flushAfterNs = SYNC_FLUSH_NS): Uint8Array | undefined {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    const buffer = this.current;
    if (buffer === null || now - buffer.firstUse < flushAfterNs) return undefined;
    this.current = null;
    return encodeIpvsSyncMessage({ syncId: this.syncId, connections: buffer.connections });
  }

  /** When the current buffer is due to be flushed (undefined: none). */
  get currentFirstUse(): number | undefined {
    return this.current?.firstUse;
  }
}

/** The template table's key for a synced template: protocol (0 for fwmark), client network, vaddr or the fwmark, vport. */
export function syncedTemplateKey(entry: IpvsSyncConnRepr): string {
  return templateKey(entry.protocol, entry.caddr, entry.protocol === 0 && entry.fwmark !== 0 ? entry.fwmark : entry.vaddr, entry.vport);
}

function isInPersistence(cp: IpvsConnection): boolean {
  for (let c = cp.control; c !== null; c = c.control) if ((c.flags & CONN_F_TEMPLATE) !== 0) return true;
  return false;
}

/**
 * The entry ip_vs_sync_conn writes for `cp`: flags without HASHED, the timeout in seconds; a fwmark
 * template carries the mark as its virtual address (the kernel's template key).
 */
export function entryOf(cp: IpvsConnection): IpvsSyncConnRepr {
  const fwmarkTemplate = cp.isTemplate && cp.protocol === 0 && cp.fwmark !== 0;
  const vaddr: InetAddress = fwmarkTemplate && cp.family === 4 ? inet4(cp.fwmark) : cp.vaddr;
  return {
    protocol: cp.protocol,
    flags: cp.flags & ~CONN_F_HASHED,
    state: cp.state,
    cport: cp.cport,
    vport: cp.vport,
    dport: cp.dport,
    fwmark: cp.fwmark,
    timeout: Math.floor(cp.timeoutNs / 1e9),
    caddr: cp.caddr,
    vaddr,
    daddr: cp.daddr,
    options: new Uint8Array(0),
  };
}

/** Why a backup dropped a message or an entry (IP_VS_DBG / IP_VS_ERR_RL's reasons), counted. */
export interface SyncBackupCounters {
  messagesReceived: number;
  /** Dropped whole: bad size, version 0, a malformed entry. */
  malformedReceived: number;
  /** Ignored: another syncid. */
  otherSyncIdReceived: number;
  /** Entries skipped: unsupported protocol or invalid state. */
  entriesRejected: number;
  connectionsCreated: number;
  connectionsUpdated: number;
}

export function newSyncBackupCounters(): SyncBackupCounters {
  return { messagesReceived: 0, malformedReceived: 0, otherSyncIdReceived: 0, entriesRejected: 0, connectionsCreated: 0, connectionsUpdated: 0 };
}

/** What ip_vs_proc_conn needs of the connection table and services (Ipvs implements it). */
export interface SyncedConnectionSink {
  /** ip_vs_proc_conn for one checked entry: `flags` already masked, with IP_VS_CONN_F_SYNC. */
  processSyncedConnection(entry: IpvsSyncConnRepr, flags: number, timeoutS: number, now: number): 'created' | 'updated' | 'ignored';
}

/** ip_vs_process_message and ip_vs_proc_sync_conn's checks, for a backup with `syncId` (0: any). */
export function processSyncMessage(bytes: Uint8Array, syncId: number, sink: SyncedConnectionSink, counters: SyncBackupCounters, now: number): void {
  counters.messagesReceived++;
  const message = parseIpvsSyncMessage(bytes);
  if ('error' in message) {
    counters.malformedReceived++;
    return;
  }
  if (syncId !== 0 && message.syncId !== syncId) {
    counters.otherSyncIdReceived++;
    return;
  }
  for (const entry of message.connections) {
    const flags = (entry.flags & CONN_F_BACKUP_MASK) | CONN_F_SYNC;
    if ((flags & CONN_F_TEMPLATE) === 0) {
      const states = entry.protocol === IPPROTO_TCP ? TCP_STATES : entry.protocol === IPPROTO_UDP ? UDP_STATES : 0;
      if (entry.state >= states) {
        counters.entriesRejected++;
        continue;
      }
    }
    const timeout = entry.timeout !== 0 ? entry.timeout : (flags & CONN_F_TEMPLATE) !== 0 ? TEMPLATE_TIMEOUT_S : 0;
    const outcome = sink.processSyncedConnection(entry, flags, timeout, now);
    if (outcome === 'created') counters.connectionsCreated++;
    else if (outcome === 'updated') counters.connectionsUpdated++;
  }
}
