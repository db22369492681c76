/**
 * IPv4 fragmentation and reassembly (RFC 791 §3.2; Linux ip_output.c ip_do_fragment, and
 * ip_fragment.c / inet_fragment.c as of Linux 4.17+, checked on 6.18).
 *
 * Covers: splitting a packet whose DF bit is clear into fragments of the largest multiple of 8
 * bytes that fits the MTU (the header copied, MF on all but the last, the header checksum
 * recomputed); reassembly of fragments addressed to this node keyed by (source, destination,
 * identification, protocol), as ip_defrag / ip_frag_queue do it:
 * - every fragment counts ReasmReqds; while the node's fragment memory is above
 *   net.ipv4.ipfrag_high_thresh (or the sysctl is 0) every fragment is dropped and counts
 *   ReasmFails — new and existing queues alike, nothing is evicted (inet_frag_find since 4.17;
 *   ipfrag_low_thresh is registered but, as in the kernel, obsolete). The check comes before the
 *   fragment is added, so memory can pass high_thresh by one queue header and one fragment.
 * - memory is accounted as the kernel's frag_mem_limit: IPQ_SIZE (sizeof(struct ipq), 200) per
 *   queue plus each queued fragment's skb truesize, approximated by `fragmentTruesize` (what a
 *   veth-delivered skb costs on x86_64 6.18, measured through /proc/net/sockstat's FRAG line).
 * - an exact duplicate (inside one run of fragments, inet_frag_queue_insert) is dropped and the
 *   queue kept; an overlap (RFC 5722), a zero-length fragment, a last fragment that disagrees
 *   with the known length, or data past a known end discard the whole queue (ReasmFails; overlaps
 *   also count IpExt ReasmOverlaps). A datagram longer than 65535 bytes fails at reassembly.
 * - completion counts ReasmOKs and frees the queue; the queue's timer (net.ipv4.ipfrag_time,
 *   read when the queue is created) counts ReasmFails and ReasmTimeout and, when the first
 *   fragment had arrived, sends ICMP time exceeded "fragment reassembly time exceeded"
 *   (ip_expire).
 * The queues themselves (inet_fragment.c) serve both families: a FragmentFormat says how a family's
 * fragments are read and put together (IPV4_FRAGMENTS here, ipv6/reassembly.ts's for IPv6).
 * Leaves out: option copying rules (options are only on the first fragment of our own packets,
 * which carry none), ipfrag_max_dist (the inet_peer distance check), conntrack's defrag users.
 */
import { Ipv4PacketView } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { TimerHandle, TimerHeap } from '../timers.js';
import type { IpMib } from './ip-mib.js';

/** sizeof(struct ipq) on x86_64 (Linux 6.18): what a fragment queue adds to the node's fragment memory. */
export const IPQ_SIZE = 200;
/** The largest datagram reassembly builds (ip_frag_reasm's out_oversize). */
const IP_MAX_LENGTH = 65535;

/** Split `packet` (a whole IPv4 packet with DF clear) for `mtu`; returns it alone when it fits. */
export function fragmentPacket(packet: Uint8Array, mtu: number): Uint8Array[] {
  if (packet.length <= mtu) return [packet];
  const view = Ipv4PacketView.over(packet);
  const headerLength = view.headerLength;
  const payload = packet.subarray(headerLength, view.totalLength);
  const chunk = Math.floor((mtu - headerLength) / 8) * 8;
  if (chunk <= 0) return [];
  const baseOffset = view.fragmentOffset;
  const originalMf = view.moreFragments;
  const flags = view.flagsAndFragmentOffset & 0x4000;
  const fragments: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += chunk) {
    const size = Math.min(chunk, payload.length - at);
    const last = at + size >= payload.length;
    const fragment = new Uint8Array(headerLength + size);
    fragment.set(packet.subarray(0, headerLength), 0);
    fragment.set(payload.subarray(at, at + size), headerLength);
    const out = Ipv4PacketView.over(fragment);
    out.totalLength = fragment.length;
    out.flagsAndFragmentOffset = flags | (!last || originalMf ? 0x2000 : 0) | (((baseOffset + at) >>> 3) & 0x1fff);
    out.fillChecksum();
    fragments.push(fragment);
  }
  return fragments;
}

/**
 * The truesize of the skb a received fragment of `ipLength` bytes occupies (what the kernel adds to
 * the fragment memory for it): the head is kmalloc'ed for the packet plus 16 bytes of link-layer
 * room and 15 of alignment slack, cache-aligned (64), plus struct skb_shared_info (320); heads up
 * to 576 bytes come from the small-head cache, larger ones from the next power-of-two kmalloc
 * bucket; struct sk_buff adds 256. Measured on x86_64 Linux 6.18 over veth: 832 bytes for an IP
 * length up to 225, 1280 up to 673, 2304 up to 1697 (every fragment of a 1500-byte MTU), 4352,
 * 8448 … above.
 */
export function fragmentTruesize(ipLength: number): number {
  const head = align(ipLength + 16 + 15, 64) + 320;
  const bucket = head <= 576 ? 576 : 2 ** Math.ceil(Math.log2(head));
  return bucket + 256;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The sysctls reassembly reads (net.ipv4.ipfrag_*). */
export interface ReassemblyLimits {
  /** ipfrag_high_thresh, bytes. */
  highThresh: number;
  /** ipfrag_time, seconds (read when a queue is created). */
  timeSeconds: number;
}

/** Why a fragment or a whole queue was thrown away. */
export type ReassemblyDrop = 'over ipfrag_high_thresh' | 'duplicate fragment' | 'overlapping fragment' | 'bad fragment length' | 'oversized datagram';

/**
 * A family's side of reassembly (inet_frags' per-family parts: ip_fragment.c for IPv4,
 * reassembly.c for IPv6): where a fragment's data starts, its place in the datagram, its queue, and
 * how the whole datagram's header is made from the first fragment's.
 */
export interface FragmentFormat {
  /** The fragment's queue key, the bytes before its data, its data's offset in the datagram and length, and MF. */
  describe(fragment: Uint8Array): { key: string; headerLength: number; offset: number; dataLength: number; moreFragments: boolean };
  /** The datagram the first fragment's header part and the data make would be longer than the family allows. */
  isOversized(headerLength: number, dataLength: number): boolean;
  /** The whole datagram from the first fragment's header part and the reassembled data. */
  assemble(header: Uint8Array, data: Uint8Array): Uint8Array;
  /** What a queue adds to the node's fragment memory (sizeof(struct ipq) / struct frag_queue). */
  queueSize: number;
}

/** IPv4's fragments (ip_fragment.c): keyed by (source, destination, identification, protocol). */
export const IPV4_FRAGMENTS: FragmentFormat = {
  describe(fragment) {
    const view = Ipv4PacketView.over(fragment);
    const headerLength = view.headerLength;
    return {
      key: `${view.source}|${view.destination}|${view.identification}|${view.protocol}`,
      headerLength,
      offset: view.fragmentOffset,
      dataLength: view.totalLength - headerLength,
      moreFragments: view.moreFragments,
    };
  },
  isOversized: (headerLength, dataLength) => headerLength + dataLength > IP_MAX_LENGTH,
  assemble(header, data) {
    const whole = concat(header, data);
    const out = Ipv4PacketView.over(whole);
    out.totalLength = whole.length;
    out.flagsAndFragmentOffset = out.flagsAndFragmentOffset & 0x4000;
    out.fillChecksum();
    return whole;
  },
  queueSize: IPQ_SIZE,
};

export interface ReassemblyDependencies {
  timers: TimerHeap;
  limits(): ReassemblyLimits;
  /** The node's IP counters (Reasm* and IpExt ReasmOverlaps are counted here). */
  mib: IpMib;
  /** A queue timed out; `firstFragment` is set when fragment 0 had arrived (ICMP time exceeded). */
  expired(firstFragment: Uint8Array | null, now: Nanos): void;
  /** A fragment was dropped, and with it its queue unless the reason is a duplicate or the memory limit. */
  dropped(fragment: Uint8Array, reason: ReassemblyDrop): void;
}

/** One fragment's data inside a queue. */
interface QueuedFragment {
  offset: number;
  data: Uint8Array;
}

/** A run of fragments that arrived in order, each starting where the previous ended (frag run). */
interface FragmentRun {
  offset: number;
  end: number;
}

/** struct ipq: the fragments of one datagram so far. */
interface FragmentQueue {
  readonly key: string;
  /** Queued fragments, sorted by offset, never overlapping. */
  fragments: QueuedFragment[];
  runs: FragmentRun[];
  /** End of the highest fragment (fragments_tail), -1 while empty. */
  tailEnd: number;
  /** Header of the fragment at offset 0, once it has arrived (INET_FRAG_FIRST_IN). */
  firstHeader: Uint8Array | null;
  /** The LAST_IN flag: the fragment without MF has arrived. */
  hasLast: boolean;
  /** Datagram payload length known so far (q.len). */
  length: number;
  /** Payload bytes queued (q.meat). */
  meat: number;
  /** What this queue holds of the node's fragment memory: IPQ_SIZE plus its fragments' truesize. */
  memory: number;
  timer: TimerHandle;
}

type Insertion = 'ok' | 'duplicate' | 'overlap';

/** The node's fragment queues (its fqdir) and their memory (frag_mem_limit). */
export class Reassembler {
  /** Made with the first fragment: most nodes never reassemble. */
  private queues: Map<string, FragmentQueue> | null = null;
  private memoryInUse = 0;

  constructor(
    private readonly deps: ReassemblyDependencies,
    private readonly format: FragmentFormat = IPV4_FRAGMENTS,
  ) {}

  /** Bytes the queues hold, as /proc/net/sockstat's `FRAG: … memory N`. */
  get memory(): number {
    return this.memoryInUse;
  }

  /** Queues in use (`FRAG: inuse N`). */
  get queueCount(): number {
    return this.queues?.size ?? 0;
  }

  /** ip_defrag: add a fragment; returns the whole datagram when this one completes it, else null. */
  add(fragment: Uint8Array, now: Nanos): Uint8Array | null {
    const mib = this.deps.mib;
    mib.reasmReqds++;
    const highThresh = this.deps.limits().highThresh;
    if (highThresh <= 0 || this.memoryInUse > highThresh) {
      mib.reasmFails++;
      this.deps.dropped(fragment, 'over ipfrag_high_thresh');
      return null;
    }
    const described = this.format.describe(fragment);
    const queue = this.queues?.get(described.key) ?? this.createQueue(described.key, now);
    return this.queueFragment(queue, fragment, described);
  }

  private createQueue(key: string, now: Nanos): FragmentQueue {
    const timeout = Math.max(0, this.deps.limits().timeSeconds) * 1e9;
    const queue: FragmentQueue = {
      key,
      fragments: [],
      runs: [],
      tailEnd: -1,
      firstHeader: null,
      hasLast: false,
      length: 0,
      meat: 0,
      memory: this.format.queueSize,
      timer: this.deps.timers.schedule(now + timeout, (at) => this.expire(queue, at)),
    };
    (this.queues ??= new Map()).set(key, queue);
    this.memoryInUse += this.format.queueSize;
    return queue;
  }

  /** ip_frag_queue (and ip_frag_reasm when the datagram is complete). */
  private queueFragment(queue: FragmentQueue, fragment: Uint8Array, described: ReturnType<FragmentFormat['describe']>): Uint8Array | null {
    const { headerLength, offset } = described;
    let end = offset + described.dataLength;
    if (!described.moreFragments) {
      // The last fragment: the datagram's length is now known and must agree with what came before.
      if (end < queue.length || (queue.hasLast && end !== queue.length)) return this.discard(queue, fragment, 'bad fragment length');
      queue.hasLast = true;
      queue.length = end;
    } else {
      end &= ~7;
      if (end > queue.length) {
        if (queue.hasLast) return this.discard(queue, fragment, 'bad fragment length');
        queue.length = end;
      }
    }
    if (end === offset) return this.discard(queue, fragment, 'bad fragment length');
    const insertion = insertRun(queue, offset, end);
    if (insertion === 'duplicate') {
      this.deps.dropped(fragment, 'duplicate fragment');
      return null;
    }
    if (insertion === 'overlap') {
      this.deps.mib.reasmOverlaps++;
      return this.discard(queue, fragment, 'overlapping fragment');
    }
    const data = fragment.slice(headerLength, headerLength + (end - offset));
    const at = queue.fragments.findIndex((f) => f.offset > offset);
    queue.fragments.splice(at < 0 ? queue.fragments.length : at, 0, { offset, data });
    const truesize = fragmentTruesize(fragment.length);
    queue.memory += truesize;
    this.memoryInUse += truesize;
    queue.meat += data.length;
    if (offset === 0) queue.firstHeader = fragment.slice(0, headerLength);
    if (queue.firstHeader === null || !queue.hasLast || queue.meat !== queue.length) return null;
    return this.reassemble(queue, fragment);
  }

  /** ip_frag_reasm: the queue is complete; build the datagram and free the queue. */
  private reassemble(queue: FragmentQueue, last: Uint8Array): Uint8Array | null {
    const header = queue.firstHeader!;
    const fragments = queue.fragments;
    const length = queue.length;
    this.kill(queue);
    if (this.format.isOversized(header.length, length)) {
      this.deps.mib.reasmFails++;
      this.deps.dropped(last, 'oversized datagram');
      return null;
    }
    const data = new Uint8Array(length);
    for (const piece of fragments) data.set(piece.data, piece.offset);
    this.deps.mib.reasmOKs++;
    return this.format.assemble(header, data);
  }

  /** ip_expire: the queue's time is up. */
  private expire(queue: FragmentQueue, now: Nanos): void {
    if (this.queues?.get(queue.key) !== queue) return;
    const first = queue.firstHeader !== null && queue.fragments[0]?.offset === 0 ? concat(queue.firstHeader, queue.fragments[0].data) : null;
    this.kill(queue);
    this.deps.mib.reasmFails++;
    this.deps.mib.reasmTimeout++;
    this.deps.expired(first, now);
  }

  /** discard_qp: drop the fragment and the whole queue. */
  private discard(queue: FragmentQueue, fragment: Uint8Array, reason: ReassemblyDrop): null {
    this.kill(queue);
    this.deps.mib.reasmFails++;
    this.deps.dropped(fragment, reason);
    return null;
  }

  /**
   * inet_frag_kill + destroy: unhash the queue, stop its timer, give its memory back. The data is
   * let go at once: a cancelled timer stays in the heap until its time, and must not keep it.
   */
  private kill(queue: FragmentQueue): void {
    queue.timer.cancel();
    this.queues?.delete(queue.key);
    this.memoryInUse -= queue.memory;
    queue.memory = 0;
    queue.fragments = [];
    queue.runs = [];
    queue.firstHeader = null;
  }
}

/**
 * inet_frag_queue_insert's decision for [offset, end): past the tail it extends the last run or
 * starts a new one (an overlap with the tail is an overlap); otherwise it is a duplicate when one
 * run covers it whole, an overlap when it touches any run, else a new run.
 */
function insertRun(queue: FragmentQueue, offset: number, end: number): Insertion {
  const runs = queue.runs;
  if (queue.tailEnd < 0 || queue.tailEnd < end) {
    if (queue.tailEnd >= 0 && offset < queue.tailEnd) return 'overlap';
    const last = runs[runs.length - 1];
    if (last !== undefined && offset === queue.tailEnd) last.end = end;
    else runs.push({ offset, end });
    queue.tailEnd = end;
    return 'ok';
  }
  for (const run of runs) {
    if (end <= run.offset || offset >= run.end) continue;
    return offset >= run.offset && end <= run.end ? 'duplicate' : 'overlap';
  }
  const at = runs.findIndex((r) => r.offset > offset);
  runs.splice(at < 0 ? runs.length : at, 0, { offset, end });
  return 'ok';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
