/**
 * TCP segments netloom emits, handed to tshark (`-o tcp.check_checksum:TRUE`): every captured
 * Linux segment parsed and emitted again, segments with every option kind and flag this module
 * writes, and a seeded sample of random valid records, over IPv4 and IPv6. Each must dissect
 * without a malformed-packet or error-level expert note, with `[Checksum Status: Good]`.
 * Skipped (or failed under CI=true) without tshark.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { parseIpv6 } from './address.js';
import { buildEthernetFrame, buildTcpIpv4Packet, buildTcpIpv6Packet } from './builders.js';
import { EtherType } from './ethernet.js';
import { parseIpv4Packet } from './ipv4.js';
import { parseIpv6Packet } from './ipv6.js';
import { TcpFlag, parseTcp, type TcpRepr } from './tcp.js';
import { tcpReprArb } from './testing/arbitraries.js';
import { hexBytes } from './testing/captured-frames.js';
import { capturedTcp } from './testing/captured-tcp-segments.js';
import { needs, scaled } from './testing/test-environment.js';
import { dissectWithTshark } from './testing/tshark.js';
import { isWireError } from './wire-error.js';

const macA = new Uint8Array([2, 0, 0, 0, 0, 1]);
const macB = new Uint8Array([2, 0, 0, 0, 0, 2]);
const source6 = parseIpv6('2001:db8::1') as Uint8Array;
const destination6 = parseIpv6('2001:db8::2') as Uint8Array;

function overIpv4(tcp: TcpRepr): Uint8Array {
  return buildEthernetFrame(macB, macA, EtherType.ipv4, buildTcpIpv4Packet({ source: 0x0a000001, destination: 0x0a000002 }, tcp));
}

function overIpv6(tcp: TcpRepr): Uint8Array {
  return buildEthernetFrame(macB, macA, EtherType.ipv6, buildTcpIpv6Packet({ source: source6, destination: destination6 }, tcp));
}

/** A captured segment parsed into a record (checksum verified), to be emitted again by netloom. */
function recordOf(hex: string): TcpRepr {
  const frame = hexBytes(hex);
  const isIpv6 = frame[12] === 0x86;
  const packet = isIpv6 ? parseIpv6Packet(frame.subarray(14)) : parseIpv4Packet(frame.subarray(14));
  if (isWireError(packet)) throw new Error(packet.error);
  const context =
    'nextHeader' in packet
      ? ({ family: 6, source: packet.source, destination: packet.destination } as const)
      : ({ family: 4, source: packet.source, destination: packet.destination } as const);
  const tcp = parseTcp(packet.payload, context);
  if (isWireError(tcp)) throw new Error(tcp.error);
  return tcp;
}

const base: TcpRepr = {
  sourcePort: 40000,
  destinationPort: 5000,
  sequenceNumber: 1000,
  acknowledgementNumber: 2000,
  flags: TcpFlag.ack,
  window: 512,
  urgentPointer: 0,
  options: [],
  payload: new Uint8Array(0),
};

/** Segments with every option kind and flag emitTcp writes. */
const handmade: TcpRepr[] = [
  {
    ...base,
    flags: TcpFlag.syn | TcpFlag.ece | TcpFlag.cwr,
    acknowledgementNumber: 0,
    options: [
      { kind: 'maxSegmentSize', maxSegmentSize: 1460 },
      { kind: 'sackPermitted' },
      { kind: 'timestamps', value: 1, echoReply: 0 },
      { kind: 'noOperation' },
      { kind: 'windowScale', shift: 7 },
    ],
  },
  {
    ...base,
    options: [
      { kind: 'noOperation' },
      { kind: 'noOperation' },
      { kind: 'timestamps', value: 5, echoReply: 6 },
      { kind: 'noOperation' },
      { kind: 'noOperation' },
      { kind: 'sack', blocks: [{ left: 3000, right: 3100 }, { left: 3200, right: 3300 }, { left: 3400, right: 3500 }] },
    ],
  },
  {
    ...base,
    options: [
      { kind: 'noOperation' },
      { kind: 'noOperation' },
      {
        kind: 'sack',
        blocks: [
          { left: 3000, right: 3100 },
          { left: 3200, right: 3300 },
          { left: 3400, right: 3500 },
          { left: 3600, right: 3700 },
        ],
      },
    ],
  },
  { ...base, options: [{ kind: 'unknown', type: 200, data: new Uint8Array([1, 2, 3]) }, { kind: 'endOfList' }] },
  { ...base, flags: TcpFlag.psh | TcpFlag.ack | TcpFlag.urg, urgentPointer: 3, payload: new Uint8Array([0x61, 0x62, 0x63]) },
  { ...base, flags: TcpFlag.fin | TcpFlag.ack | TcpFlag.ae },
  { ...base, flags: TcpFlag.rst | TcpFlag.ack, window: 0 },
  { ...base, flags: TcpFlag.psh | TcpFlag.ack, payload: new Uint8Array(1400).fill(0x5a) },
  { ...base, payload: new Uint8Array(3).fill(0x01) }, // odd length: the checksum pads with a zero byte
];

/** tshark -V's text per frame, sequence numbers absolute (the frames are not one stream). */
function dissect(frames: Uint8Array[]): string[] {
  return dissectWithTshark(frames, ['tcp.check_checksum:TRUE', 'ip.check_checksum:TRUE', 'tcp.relative_sequence_numbers:FALSE']);
}

/** What tshark found wrong with one frame ('' when nothing). */
function complaint(dissection: string): string {
  const tcp = dissection.slice(dissection.indexOf('Transmission Control Protocol'));
  if (!/\[Checksum Status: Good\]/.test(tcp)) return 'TCP checksum status not Good';
  const bad = dissection.split('\n').find((line) => /Malformed|\[Expert Info \(Error/.test(line));
  return bad === undefined ? '' : bad.trim();
}

function complaints(frames: Uint8Array[]): string[] {
  const dissections = dissect(frames);
  expect(dissections.length).toBe(frames.length);
  return dissections.map((text, i) => [i, complaint(text)] as const).filter(([, problem]) => problem !== '').map(([i, problem]) => `frame ${i}: ${problem}`);
}

const tshark = needs({ tools: ['tshark'] });

tshark.it('dissects every captured Linux segment netloom emits again, checksum Good', () => {
  const frames = Object.values(capturedTcp).map((frame) => {
    const record = recordOf(frame.hex);
    return hexBytes(frame.hex)[12] === 0x86 ? overIpv6(record) : overIpv4(record);
  });
  expect(complaints(frames)).toEqual([]);
});

tshark.it('dissects segments with every option and flag over IPv4 and IPv6, and reads the options back', () => {
  const frames = [...handmade.map(overIpv4), ...handmade.map(overIpv6)];
  expect(complaints(frames)).toEqual([]);
  const dissections = dissect(frames.slice(0, 3));
  expect(dissections[0]).toMatch(/Maximum segment size: 1460 bytes/);
  expect(dissections[0]).toMatch(/Window scale: 7 \(multiply by 128\)/);
  expect(dissections[0]).toMatch(/TCP Option - SACK permitted/);
  expect(dissections[0]).toMatch(/TCP Option - Timestamps: TSval 1, TSecr 0/);
  expect(dissections[0]).toMatch(/\.\.\.\. \.\.\.\. \.\.1\. = Syn: Set/);
  expect(dissections[0]).toMatch(/Congestion Window Reduced: Set/);
  expect(dissections[1]).toMatch(/TCP Option - SACK 3000-3100 3200-3300 3400-3500\n/);
  expect(dissections[2]).toMatch(/TCP Option - SACK 3000-3100 3200-3300 3400-3500 3600-3700\n/);
  expect(dissections[2]).toMatch(/\[TCP SACK Count: 4\]/);
});

tshark.it('dissects random valid segments over IPv4 and IPv6 without malformed notes, checksum Good', () => {
  const sample = fc.sample(tcpReprArb, { seed: 16, numRuns: scaled(150) });
  expect(complaints(sample.flatMap((tcp) => [overIpv4(tcp), overIpv6(tcp)]))).toEqual([]);
});
