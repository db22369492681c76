/**
 * IPv4 fragmentation and reassembly (RFC 791 §3.2; Linux ip_output.c ip_do_fragment and
 * ip_fragment.c).
 *
 * Covers: splitting a packet whose DF bit is clear into fragments of the largest multiple of 8
 * bytes that fits the MTU (the header copied, MF on all but the last, the header checksum
 * recomputed); reassembly of fragments addressed to this node keyed by (source, destination,
 * identification, protocol), overlapping data resolved first-come, completed datagrams handed on
 * whole, incomplete ones expired after ipfrag_time (30 s) with ICMP time exceeded "fragment
 * reassembly time exceeded" when the first fragment had arrived (ip_expire).
 * Leaves out: option copying rules (options are only on the first fragment of our own packets,
 * which carry none), memory limits (ipfrag_high_thresh), and the overlap-rejection of RFC 5722.
 */
import { Ipv4PacketView } from '@netloom/wire';
import type { Nanos } from '../node-host.js';
import type { TimerHandle, TimerHeap } from '../timers.js';

export const IPFRAG_TIME = 30_000_000_000;

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

interface PendingDatagram {
  pieces: { offset: number; data: Uint8Array }[];
  /** Header of the fragment at offset 0, once it has arrived. */
  firstHeader: Uint8Array | null;
  totalPayload: number | null;
  timer: TimerHandle;
}

/** Fragments waiting for their siblings (ipq). */
export class Reassembler {
  private readonly pending = new Map<string, PendingDatagram>();

  constructor(
    private readonly timers: TimerHeap,
    /** A datagram timed out; `firstFragment` is set when fragment 0 had arrived (ICMP time exceeded). */
    private readonly onExpired: (firstFragment: Uint8Array | null, now: Nanos) => void,
  ) {}

  /** Add a fragment; returns the whole datagram when this one completes it, else null. */
  add(fragment: Uint8Array, now: Nanos): Uint8Array | null {
    const view = Ipv4PacketView.over(fragment);
    const key = `${view.source}|${view.destination}|${view.identification}|${view.protocol}`;
    let datagram = this.pending.get(key);
    if (datagram === undefined) {
      const created: PendingDatagram = {
        pieces: [],
        firstHeader: null,
        totalPayload: null,
        timer: this.timers.schedule(now + IPFRAG_TIME, (at) => {
          this.pending.delete(key);
          const first = created.pieces.find((p) => p.offset === 0);
          this.onExpired(first !== undefined && created.firstHeader !== null ? concat(created.firstHeader, first.data) : null, at);
        }),
      };
      datagram = created;
      this.pending.set(key, datagram);
    }
    const headerLength = view.headerLength;
    const offset = view.fragmentOffset;
    const data = fragment.slice(headerLength, view.totalLength);
    if (offset === 0) datagram.firstHeader = fragment.slice(0, headerLength);
    if (!view.moreFragments) datagram.totalPayload = offset + data.length;
    datagram.pieces.push({ offset, data });
    if (datagram.firstHeader === null || datagram.totalPayload === null) return null;
    const payload = new Uint8Array(datagram.totalPayload);
    const covered = new Uint8Array(datagram.totalPayload);
    for (const piece of datagram.pieces) {
      for (let i = 0; i < piece.data.length && piece.offset + i < payload.length; i++) {
        if (covered[piece.offset + i] === 0) {
          payload[piece.offset + i] = piece.data[i]!;
          covered[piece.offset + i] = 1;
        }
      }
    }
    if (covered.includes(0)) return null;
    datagram.timer.cancel();
    this.pending.delete(key);
    const whole = concat(datagram.firstHeader, payload);
    const out = Ipv4PacketView.over(whole);
    out.totalLength = whole.length;
    out.flagsAndFragmentOffset = out.flagsAndFragmentOffset & 0x4000;
    out.fillChecksum();
    return whole;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
