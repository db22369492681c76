/**
 * Linux's TCP as recorded by tcp/fixtures/record-linux.py (a NAME.json of socket calls, their results
 * and `ss` listings, and NAME.CAPTURE.pcap files from tcpdump) and the one normalisation that both
 * the recording and a netloom replay go through before they are compared (tcp/*-vs-linux.test.ts).
 *
 * Normalised: the ends are named by role (the address that sent the first SYN is `client`, the other
 * `server`; with no SYN, the first sender is `client`), sequence and acknowledgement numbers are made
 * relative to each side's initial sequence number (as tcpdump prints them; a side that never sent a
 * SYN — an RST from a closed port — keeps the absolute value, which Linux fills from the segment it
 * answers), Timestamps keep only their presence (`TS`, as values are clock readings), times are
 * seconds since the first segment, and in `ss` listings the client's ephemeral port becomes `EPH`
 * and a process's pid and fd become `N`, with columns joined by one space (ss pads them to the
 * widest entry, which depends on the port numbers).
 * Kept: flags, the raw window field, the options in order with their values, payload length, TTL.
 * Leaves out: frames that are not TCP over IPv4 or IPv6 (without extension headers) over Ethernet
 * (skipped: tcpdump's filter kept only TCP). Classic pcap (what tcpdump -w writes), either byte order, µs or ns stamps.
 */
import { readFileSync } from 'node:fs';
import {
  EtherType,
  formatIpv4,
  formatIpv6,
  IpProtocol,
  Ipv4PacketView,
  Ipv6PacketView,
  parseEthernet,
  parseQuotedIpv4Packet,
  parseQuotedIpv6Packet,
  parseTcp,
  TcpFlag,
  type TcpOption,
} from '@netloom/wire';

/** One frame as a capture holds it: when (ns, any origin) and the bytes kept. */
export interface TimedFrame {
  at: number;
  frame: Uint8Array;
}

/** A pcap holds at most this many frames here (the recordings have a few hundred). */
const MAX_PCAP_FRAMES = 100_000;

/** The frames of a classic pcap file (LINKTYPE_ETHERNET), stamps in ns since the epoch. */
export function readPcap(bytes: Uint8Array): TimedFrame[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24) throw new Error('pcap: shorter than its file header');
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (!little && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error(`pcap: bad magic ${magic.toString(16)}`);
  if (view.getUint32(20, little) !== 1) throw new Error('pcap: not LINKTYPE_ETHERNET');
  const frames: TimedFrame[] = [];
  let offset = 24;
  while (offset + 16 <= bytes.length) {
    if (frames.length === MAX_PCAP_FRAMES) throw new Error(`pcap: more than ${MAX_PCAP_FRAMES} frames`);
    const seconds = view.getUint32(offset, little);
    const fraction = view.getUint32(offset + 4, little);
    const kept = view.getUint32(offset + 8, little);
    if (offset + 16 + kept > bytes.length) throw new Error('pcap: truncated record');
    frames.push({ at: seconds * 1e9 + fraction * (nanos ? 1 : 1000), frame: bytes.subarray(offset + 16, offset + 16 + kept) });
    offset += 16 + kept;
  }
  return frames;
}

/** A TCP segment as it crossed the wire, before normalisation. */
export interface WireSegment {
  at: number;
  source: string;
  sourcePort: number;
  destination: string;
  destinationPort: number;
  ttl: number;
  flags: number;
  sequenceNumber: number;
  acknowledgementNumber: number;
  window: number;
  options: TcpOption[];
  /** Payload bytes, from the IP total length (the capture may have cut the frame short). */
  length: number;
}

/** The IP header's fields a segment needs: addresses, TTL / hop limit, the TCP bytes and their length on the wire. */
interface IpCarrier {
  source: string;
  destination: string;
  ttl: number;
  tcp: Uint8Array;
  /** The TCP segment's length from the IP header (the capture may hold less of it). */
  tcpLength: number;
}

function ipCarrierOf(ethertype: number, packet: Uint8Array): IpCarrier | null {
  if (ethertype === EtherType.ipv4) {
    const ip = parseQuotedIpv4Packet(packet);
    if ('error' in ip || ip.protocol !== IpProtocol.tcp || ip.fragmentOffset !== 0) return null;
    const header = Ipv4PacketView.over(packet);
    return { source: formatIpv4(ip.source), destination: formatIpv4(ip.destination), ttl: ip.ttl, tcp: ip.payload, tcpLength: header.totalLength - header.headerLength };
  }
  if (ethertype === EtherType.ipv6) {
    // TCP straight after the fixed header: no extension headers in these captures.
    const ip = parseQuotedIpv6Packet(packet);
    if ('error' in ip || ip.nextHeader !== IpProtocol.tcp) return null;
    return { source: formatIpv6(ip.source), destination: formatIpv6(ip.destination), ttl: ip.hopLimit, tcp: ip.payload, tcpLength: Ipv6PacketView.over(packet).payloadLength };
  }
  return null;
}

/** The TCP segment (over IPv4 or IPv6) in an Ethernet frame, or null for anything else (or anything malformed). */
export function wireSegmentOf(timed: TimedFrame): WireSegment | null {
  const ethernet = parseEthernet(timed.frame);
  if ('error' in ethernet) return null;
  const ip = ipCarrierOf(ethernet.ethertype, ethernet.payload);
  if (ip === null) return null;
  // The capture may have cut the payload short (tcpdump -s 128): the header is all that is parsed.
  const tcp = parseTcp(ip.tcp, null);
  if ('error' in tcp) return null;
  return {
    at: timed.at,
    source: ip.source,
    sourcePort: tcp.sourcePort,
    destination: ip.destination,
    destinationPort: tcp.destinationPort,
    ttl: ip.ttl,
    flags: tcp.flags,
    sequenceNumber: tcp.sequenceNumber,
    acknowledgementNumber: tcp.acknowledgementNumber,
    window: tcp.window,
    options: tcp.options,
    length: ip.tcpLength - (ip.tcp.length - tcp.payload.length),
  };
}

/** The TCP segments of a pcap file, in capture order. */
export function wireSegmentsOfPcap(path: string): WireSegment[] {
  return readPcap(new Uint8Array(readFileSync(path)))
    .map(wireSegmentOf)
    .filter((s): s is WireSegment => s !== null);
}

export type Role = 'client' | 'server';

/** A segment normalised for comparison: the fields a test compares, by name. */
export interface NormalSegment {
  /** Seconds since the first segment. */
  t: number;
  from: Role;
  ttl: number;
  /** tcpdump's flag letters: S, F, R, P, U, E, W and `.` for ACK. */
  flags: string;
  /** Relative to the sender's ISN (absolute when the sender sent no SYN). */
  seq: number;
  /** Relative to the receiver's ISN when the ACK flag is set, else null. */
  ack: number | null;
  win: number;
  /** tcpdump's option list with timestamp values dropped: `mss 1460,sackOK,TS,nop,wscale 7`. */
  options: string;
  length: number;
}

/** tcpdump's flag letters, in its order. */
export function flagLetters(flags: number): string {
  const letters = [
    [TcpFlag.syn, 'S'],
    [TcpFlag.fin, 'F'],
    [TcpFlag.psh, 'P'],
    [TcpFlag.rst, 'R'],
    [TcpFlag.urg, 'U'],
    [TcpFlag.ece, 'E'],
    [TcpFlag.cwr, 'W'],
    [TcpFlag.ack, '.'],
  ] as const;
  return letters.map(([bit, letter]) => ((flags & bit) !== 0 ? letter : '')).join('');
}

/** tcpdump's words for the options, with Timestamps' values dropped and SACK blocks made relative. */
export function optionWords(options: readonly TcpOption[], relativeTo: number | null): string {
  return options
    .map((option) => {
      switch (option.kind) {
        case 'maxSegmentSize':
          return `mss ${option.maxSegmentSize}`;
        case 'windowScale':
          return `wscale ${option.shift}`;
        case 'sackPermitted':
          return 'sackOK';
        case 'timestamps':
          return 'TS';
        case 'noOperation':
          return 'nop';
        case 'endOfList':
          return 'eol';
        case 'sack':
          return `sack ${option.blocks.length} ${option.blocks.map((b) => `{${rel(b.left, relativeTo)}:${rel(b.right, relativeTo)}}`).join('')}`;
        case 'unknown':
          return `unknown-${option.type}`;
      }
    })
    .join(',');
}

function rel(value: number, base: number | null): number {
  return base === null ? value : (value - base) >>> 0;
}

/** The segment that names the client: the first SYN, else the first segment. */
function opening(segments: readonly WireSegment[]): WireSegment | undefined {
  return segments.find((s) => (s.flags & TcpFlag.syn) !== 0 && (s.flags & TcpFlag.ack) === 0) ?? segments[0];
}

/** The client's (ephemeral) port, or null without segments. */
export function clientPortOf(segments: readonly WireSegment[]): number | null {
  return opening(segments)?.sourcePort ?? null;
}

/** The segments of one connection (or one refused attempt), normalised. */
export function normaliseSegments(segments: readonly WireSegment[]): NormalSegment[] {
  const first = opening(segments);
  if (first === undefined) return [];
  const clientEnd = `${first.source}:${first.sourcePort}`;
  const isn = new Map<Role, number>();
  for (const s of segments) {
    const role: Role = `${s.source}:${s.sourcePort}` === clientEnd ? 'client' : 'server';
    if ((s.flags & TcpFlag.syn) !== 0 && !isn.has(role)) isn.set(role, s.sequenceNumber);
  }
  const start = segments[0]?.at ?? 0;
  return segments.map((s) => {
    const from: Role = `${s.source}:${s.sourcePort}` === clientEnd ? 'client' : 'server';
    const to: Role = from === 'client' ? 'server' : 'client';
    const own = isn.get(from) ?? null;
    const peer = isn.get(to) ?? null;
    return {
      t: Math.round((s.at - start) / 1e3) / 1e6,
      from,
      ttl: s.ttl,
      flags: flagLetters(s.flags),
      seq: rel(s.sequenceNumber, own),
      ack: (s.flags & TcpFlag.ack) !== 0 ? rel(s.acknowledgementNumber, peer) : null,
      win: s.window,
      options: optionWords(s.options, peer),
      length: s.length,
    };
  });
}

/** One normalised segment as a tcpdump-like line (without its time): what the tests print and compare. */
export function segmentLine(s: NormalSegment): string {
  const to = s.from === 'client' ? 'server' : 'client';
  const seq = s.length > 0 ? `${s.seq}:${s.seq + s.length}` : `${s.seq}`;
  const ack = s.ack === null ? '' : `, ack ${s.ack}`;
  const options = s.options === '' ? '' : `, options [${s.options}]`;
  return `${s.from} > ${to}: Flags [${s.flags}], seq ${seq}${ack}, win ${s.win}${options}, length ${s.length}, ttl ${s.ttl}`;
}

/** One socket call of a recording, with what it returned. */
export interface RecordedStep {
  /** CLOCK_REALTIME seconds when the call was made. */
  t: number;
  role: Role;
  node: string;
  /** The agent command: `listen ADDR PORT BACKLOG`, `accept`, `connect ADDR PORT`, `send N`, `recv N`, `recveof`, `waiterror`, `shutdown`, `close`. */
  call: string;
  result: { t: number; ok?: true; errno?: string; bytes?: number; local?: [string, number]; peer?: [string, number] };
}

export interface RecordedListing {
  t: number;
  stage: string;
  node: string;
  command: string;
  output: string;
}

/** A scenario as record-linux.py wrote it. */
export interface LinuxRecording {
  scenario: string;
  kernel: string;
  network: { shape: 'direct' | 'routed'; client: string; server: string };
  sysctl: Record<string, Record<string, string>>;
  captures: Record<string, { node: string; ifname: string; file: string }>;
  steps: RecordedStep[];
  /** The scenario's own commands on a node (a blackhole route on the router), when it has any. */
  commands?: { t: number; node: string; command: string }[];
  ss: RecordedListing[];
  /** Where it was read from (its pcap files are beside it). */
  directory?: URL;
}

/** The directory of the recordings. */
export const RECORDINGS = new URL('../tcp/fixtures/linux/', import.meta.url);

/** A recording, from the committed ones unless `directory` (a URL ending in `/`) says where. */
export function readRecording(scenario: string, directory: URL = RECORDINGS): LinuxRecording {
  return { ...(JSON.parse(readFileSync(new URL(`${scenario}.json`, directory), 'utf8')) as LinuxRecording), directory };
}

/** A capture of a recording, normalised. */
export function recordedSegments(recording: LinuxRecording, capture: string): { start: number; segments: NormalSegment[]; clientPort: number | null } {
  const file = recording.captures[capture]?.file;
  if (file === undefined) throw new Error(`${recording.scenario}: no capture ${capture}`);
  const wire = wireSegmentsOfPcap(new URL(file, recording.directory ?? RECORDINGS).pathname);
  return { start: wire[0]?.at ?? 0, segments: normaliseSegments(wire), clientPort: clientPortOf(wire) };
}

/**
 * An `ss` listing normalised: columns joined by one space, `clientPort` (the ephemeral port) as `EPH`,
 * `pid=N,fd=N` in the process column, trailing blanks dropped.
 */
export function normaliseListing(output: string, clientPort: number | null): string {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      // ss pads the peer column to its widest entry, so the header's `Port` and `Process` may touch.
      let words = line.trim().split(/\s+/).join(' ').replace(/^(State .*:Port)Process$/, '$1 Process');
      if (clientPort !== null) words = words.replace(new RegExp(`:${clientPort}(?=\\s|$)`, 'g'), ':EPH');
      return words.replace(/pid=\d+/g, 'pid=N').replace(/fd=\d+/g, 'fd=N');
    })
    .join('\n');
}
