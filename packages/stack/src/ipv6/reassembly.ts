/**
 * IPv6 fragments (RFC 8200 §4.5): fragmentation at the source (Linux ip6_output.c ip6_fragment,
 * ip6_find_1stfragopt, ipv6_select_ident) and the family's side of reassembly (reassembly.c
 * ip6_frag_queue / ip6_frag_reasm; the queues, their memory bound and timer are
 * ipv4/fragmentation.ts's Reassembler, which inet_fragment.c shares between the families too).
 *
 * Follows Linux 6.18:
 * - The unfragmentable part is the IPv6 header and the Hop-by-Hop and Routing headers, with a
 *   Destination Options header before a Routing header or holding a Home Address option
 *   (ip6_find_1stfragopt). Each fragment repeats it, the last next-header field now naming the
 *   Fragment header (44), whose next header is the first fragmentable one; every fragment but the
 *   last carries (MTU − unfragmentable − 8) rounded down to 8 bytes of data, with M set; all carry
 *   one identification.
 * - The identification is drawn per (source, destination): Linux hashes the pair into a table of
 *   counters with a random key; here each pair's counter starts at a value from the node's seeded
 *   PRNG and counts up, and never hands out 0 (a 0 becomes 1 << 31, as ipv6_select_ident).
 * - Reassembly queues by (source, destination, identification); the reassembled packet loses its
 *   Fragment header (the header before it names the next header) and its payload length is the
 *   sum; a payload over 65535 bytes fails (ip6_frag_reasm's out_oversize).
 * Bounded: at most MAX_IDENTIFIER_PAIRS remembered pairs (the oldest goes first).
 * Leaves out: the per-fragment checks the IPv6 layer makes before queueing (ipv6_frag_rcv's
 * parameter problems), jumbograms, and IPV6_DONTFRAG.
 */
import { FRAGMENT_HEADER_LENGTH, IPV6_HEADER_LENGTH, Ipv6ExtensionHeaderView, ipv6FromBytes, parseIpv6ExtensionHeader } from '@netloom/wire';
import type { Prng } from '../timers.js';
import { IPQ_SIZE, type FragmentFormat } from '../ipv4/fragmentation.js';

const NEXTHDR_HOP = 0;
const NEXTHDR_ROUTING = 43;
const NEXTHDR_FRAGMENT = 44;
const NEXTHDR_DEST = 60;
/** IPV6_MAXPLEN. */
const IPV6_MAX_PAYLOAD = 65535;
/** The (source, destination) pairs whose identification counters are kept. */
export const MAX_IDENTIFIER_PAIRS = 4096;

/** Where the header whose next-header field names `protocol` keeps that field, and the next header's offset. */
interface HeaderPosition {
  /** Offset in the packet of the next-header field that names the header at `offset`. */
  nextHeaderField: number;
  offset: number;
  protocol: number;
}

/** The headers before the first one ip6_find_1stfragopt leaves fragmentable: where that one starts. */
function unfragmentableEnd(packet: Uint8Array): HeaderPosition {
  let position: HeaderPosition = { nextHeaderField: 6, offset: IPV6_HEADER_LENGTH, protocol: packet[6] ?? 0 };
  for (;;) {
    const { offset, protocol } = position;
    if (protocol !== NEXTHDR_HOP && protocol !== NEXTHDR_ROUTING && protocol !== NEXTHDR_DEST) return position;
    const bytes = packet.subarray(offset);
    const header = parseIpv6ExtensionHeader(bytes, protocol);
    if ('error' in header) return position;
    const length = Ipv6ExtensionHeaderView.over(bytes).headerLengthAs(protocol);
    const next: HeaderPosition = { nextHeaderField: offset, offset: offset + length, protocol: header.nextHeader };
    if (protocol === NEXTHDR_DEST) {
      // A Destination Options header is unfragmentable before a Routing header, or with a Home Address option.
      const hasHomeAddress = header.kind === 'destinationOptions' && header.options.some((o) => o.kind === 'homeAddress');
      if (header.nextHeader !== NEXTHDR_ROUTING && !hasHomeAddress) return position;
    }
    position = next;
  }
}

/** The Fragment header of a fragment: the header walk up to it (the IPv6 layer found it there). */
function fragmentHeaderAt(packet: Uint8Array): HeaderPosition {
  let position: HeaderPosition = { nextHeaderField: 6, offset: IPV6_HEADER_LENGTH, protocol: packet[6] ?? 0 };
  while (position.protocol !== NEXTHDR_FRAGMENT && (position.protocol === NEXTHDR_HOP || position.protocol === NEXTHDR_ROUTING || position.protocol === NEXTHDR_DEST)) {
    const bytes = packet.subarray(position.offset);
    const view = Ipv6ExtensionHeaderView.over(bytes);
    position = { nextHeaderField: position.offset, offset: position.offset + view.headerLengthAs(position.protocol), protocol: view.nextHeader };
  }
  return position;
}

/** IPv6's fragments for the Reassembler (reassembly.c). */
export const IPV6_FRAGMENTS: FragmentFormat = {
  describe(fragment) {
    const at = fragmentHeaderAt(fragment);
    const header = Ipv6ExtensionHeaderView.over(fragment.subarray(at.offset));
    const headerLength = at.offset + FRAGMENT_HEADER_LENGTH;
    const payloadLength = ((fragment[4] ?? 0) << 8) | (fragment[5] ?? 0);
    const source = ipv6FromBytes(fragment.subarray(8, 24));
    const destination = ipv6FromBytes(fragment.subarray(24, 40));
    return {
      key: `${source}|${destination}|${header.identification}`,
      headerLength,
      offset: header.fragmentOffset,
      dataLength: IPV6_HEADER_LENGTH + payloadLength - headerLength,
      moreFragments: header.moreFragments,
    };
  },
  isOversized: (headerLength, dataLength) => headerLength - IPV6_HEADER_LENGTH - FRAGMENT_HEADER_LENGTH + dataLength > IPV6_MAX_PAYLOAD,
  assemble(header, data) {
    const at = fragmentHeaderAt(header);
    const next = Ipv6ExtensionHeaderView.over(header.subarray(at.offset)).nextHeader;
    const whole = new Uint8Array(at.offset + data.length);
    whole.set(header.subarray(0, at.offset), 0);
    whole.set(data, at.offset);
    whole[at.nextHeaderField] = next;
    const payloadLength = whole.length - IPV6_HEADER_LENGTH;
    whole[4] = payloadLength >>> 8;
    whole[5] = payloadLength & 0xff;
    return whole;
  },
  queueSize: IPQ_SIZE,
};

/**
 * ip6_fragment for `packet` (a whole IPv6 packet of ours) over a path of `mtu`: the fragments, or
 * the packet alone when it fits; none when the MTU leaves no room for 8 bytes of data.
 */
export function fragmentIpv6Packet(packet: Uint8Array, mtu: number, identification: number): Uint8Array[] {
  if (packet.length <= mtu) return [packet];
  const unfragmentable = unfragmentableEnd(packet);
  const hlen = unfragmentable.offset;
  const room = (mtu - hlen - FRAGMENT_HEADER_LENGTH) & ~7;
  if (room <= 0) return [];
  const data = packet.subarray(hlen);
  const fragments: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += room) {
    const size = Math.min(room, data.length - at);
    const last = at + size >= data.length;
    const fragment = new Uint8Array(hlen + FRAGMENT_HEADER_LENGTH + size);
    fragment.set(packet.subarray(0, hlen), 0);
    fragment[unfragmentable.nextHeaderField] = NEXTHDR_FRAGMENT;
    const view = Ipv6ExtensionHeaderView.over(fragment.subarray(hlen));
    fragment[hlen] = unfragmentable.protocol;
    fragment[hlen + 1] = 0;
    view.fragmentWord = (at & 0xfff8) | (last ? 0 : 1);
    view.identification = identification;
    fragment.set(data.subarray(at, at + size), hlen + FRAGMENT_HEADER_LENGTH);
    const payloadLength = fragment.length - IPV6_HEADER_LENGTH;
    fragment[4] = payloadLength >>> 8;
    fragment[5] = payloadLength & 0xff;
    fragments.push(fragment);
  }
  return fragments;
}

/** ipv6_select_ident: an identification per (source, destination), counting up from a seeded draw. */
export class FragmentIdentifiers {
  /** Made with the first fragmented packet: most nodes never fragment. */
  private next: Map<string, number> | null = null;

  constructor(private readonly prng: Prng) {}

  select(source: bigint, destination: bigint): number {
    const key = `${source}|${destination}`;
    const next = (this.next ??= new Map());
    let id = next.get(key);
    if (id === undefined) {
      if (next.size >= MAX_IDENTIFIER_PAIRS) next.delete(next.keys().next().value!);
      id = this.prng.nextUint32();
    }
    next.set(key, (id + 1) >>> 0);
    return id === 0 ? 0x80000000 : id;
  }
}
