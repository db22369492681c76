// The reading and normalisation of Linux TCP recordings (tcp-linux-recording.ts): pcap files in both
// byte orders, relative sequence numbers (across the 2^32 wrap), roles, options, `ss` listings — on
// built segments and on the recorded fixtures themselves.
import { buildEthernetFrame, buildTcpIpv4Packet, buildTcpIpv6Packet, EtherType, parseIpv4, parseIpv6, TcpFlag, type TcpOption } from '@netloom/wire';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  normaliseListing,
  normaliseSegments,
  readPcap,
  readRecording,
  RECORDINGS,
  recordedSegments,
  segmentLine,
  wireSegmentOf,
  type WireSegment,
} from './tcp-linux-recording.js';

const MAC_A = new Uint8Array([2, 0, 0, 0, 1, 1]);
const MAC_B = new Uint8Array([2, 0, 0, 0, 2, 1]);

function frame(from: 'a' | 'b', flags: number, seq: number, ack: number, options: TcpOption[], payload = 0): Uint8Array {
  const [source, destination, sport, dport] = from === 'a' ? ['10.0.0.1', '10.0.0.2', 40000, 5000] : ['10.0.0.2', '10.0.0.1', 5000, 40000];
  const packet = buildTcpIpv4Packet(
    { source: parseIpv4(source as string) ?? 0, destination: parseIpv4(destination as string) ?? 0, ttl: from === 'a' ? 64 : 63 },
    { sourcePort: sport as number, destinationPort: dport as number, sequenceNumber: seq, acknowledgementNumber: ack, flags, window: 502, urgentPointer: 0, options, payload: new Uint8Array(payload) },
  );
  return buildEthernetFrame(from === 'a' ? MAC_B : MAC_A, from === 'a' ? MAC_A : MAC_B, EtherType.ipv4, packet);
}

/** A classic pcap of `frames`, in the byte order and stamp resolution asked for, each frame cut to `snap` bytes. */
function pcap(frames: Uint8Array[], order: 'little' | 'big', nanos: boolean, snap = 65535): Uint8Array {
  const le = order === 'little';
  const kept = frames.map((f) => f.subarray(0, snap));
  const out = new Uint8Array(24 + kept.reduce((n, f) => n + 16 + f.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  view.setUint16(4, 2, le);
  view.setUint16(6, 4, le);
  view.setUint32(16, snap, le);
  view.setUint32(20, 1, le);
  let at = 24;
  kept.forEach((f, i) => {
    view.setUint32(at, 1000 + i, le);
    view.setUint32(at + 4, nanos ? 500 : 7, le);
    view.setUint32(at + 8, f.length, le);
    view.setUint32(at + 12, frames[i]!.length, le);
    out.set(f, at + 16);
    at += 16 + f.length;
  });
  return out;
}

const SYN_OPTIONS: TcpOption[] = [
  { kind: 'maxSegmentSize', maxSegmentSize: 1460 },
  { kind: 'sackPermitted' },
  { kind: 'timestamps', value: 0xdeadbeef, echoReply: 0 },
  { kind: 'noOperation' },
  { kind: 'windowScale', shift: 7 },
];
const TS: TcpOption[] = [{ kind: 'noOperation' }, { kind: 'noOperation' }, { kind: 'timestamps', value: 1, echoReply: 2 }];

// A handshake, one data segment and a SACK, with both ISNs a few bytes below 2^32.
const A_ISN = 0xfffffff0;
const B_ISN = 0xffffffff;
const conversation = [
  frame('a', TcpFlag.syn, A_ISN, 0, SYN_OPTIONS),
  frame('b', TcpFlag.syn | TcpFlag.ack, B_ISN, A_ISN + 1, SYN_OPTIONS),
  frame('a', TcpFlag.ack | TcpFlag.psh, (A_ISN + 1) >>> 0, 0, TS, 100),
  frame('b', TcpFlag.ack, 0, (A_ISN + 1) >>> 0, [{ kind: 'noOperation' }, { kind: 'noOperation' }, { kind: 'sack', blocks: [{ left: (A_ISN + 201) >>> 0, right: (A_ISN + 301) >>> 0 }] }]),
];

describe('reading pcap files', () => {
  it.each([
    ['little', false],
    ['big', false],
    ['little', true],
    ['big', true],
  ] as const)('reads a %s-endian file (ns stamps: %s) frame by frame with its time', (order, nanos) => {
    const frames = readPcap(pcap(conversation, order, nanos));
    expect(frames.map((f) => f.frame)).toEqual(conversation);
    expect(frames[1]?.at).toBe(1001e9 + (nanos ? 500 : 7000));
  });

  it('refuses what is not a classic Ethernet pcap', () => {
    const bad = pcap(conversation, 'little', false);
    bad[0] = 0;
    expect(() => readPcap(bad)).toThrow(/bad magic/);
    const truncated = pcap(conversation, 'little', false).subarray(0, 60);
    expect(() => readPcap(truncated)).toThrow(/truncated record/);
  });

  it('reads TCP over IPv6 too: addresses, hop limit, the payload length from the IPv6 header', () => {
    const packet = buildTcpIpv6Packet(
      { source: parseIpv6('2001:db8::1') as Uint8Array, destination: parseIpv6('2001:db8::2') as Uint8Array, hopLimit: 63 },
      { sourcePort: 40000, destinationPort: 5000, sequenceNumber: 7, acknowledgementNumber: 9, flags: TcpFlag.ack, window: 64, urgentPointer: 0, options: TS, payload: new Uint8Array(1428) },
    );
    const [cut] = readPcap(pcap([buildEthernetFrame(MAC_B, MAC_A, EtherType.ipv6, packet)], 'little', false, 128));
    expect(wireSegmentOf(cut!)).toMatchObject({ source: '2001:db8::1', destination: '2001:db8::2', sourcePort: 40000, ttl: 63, length: 1428 });
  });

  it('takes the payload length from the IP header when the capture cut the frame (tcpdump -s 128)', () => {
    const big = frame('a', TcpFlag.ack, 1, 1, TS, 1448);
    const [cut] = readPcap(pcap([big], 'little', false, 128));
    expect(cut?.frame.length).toBe(128);
    expect(wireSegmentOf(cut!)?.length).toBe(1448);
  });
});

describe('normalising segments', () => {
  const segments = readPcap(pcap(conversation, 'little', false)).map(wireSegmentOf) as WireSegment[];

  it('names the ends by role and makes seq, ack and SACK blocks relative across the 2^32 wrap', () => {
    expect(normaliseSegments(segments).map(segmentLine)).toEqual([
      'client > server: Flags [S], seq 0, win 502, options [mss 1460,sackOK,TS,nop,wscale 7], length 0, ttl 64',
      'server > client: Flags [S.], seq 0, ack 1, win 502, options [mss 1460,sackOK,TS,nop,wscale 7], length 0, ttl 63',
      'client > server: Flags [P.], seq 1:101, ack 1, win 502, options [nop,nop,TS], length 100, ttl 64',
      'server > client: Flags [.], seq 1, ack 1, win 502, options [nop,nop,sack 1 {201:301}], length 0, ttl 63',
    ]);
  });

  it('measures times from the first segment, in seconds', () => {
    expect(normaliseSegments(segments).map((s) => s.t)).toEqual([0, 1, 2, 3]);
  });

  it('keeps the absolute seq of a side that sent no SYN (an RST from a closed port)', () => {
    const rst = [frame('a', TcpFlag.syn, 77, 0, SYN_OPTIONS), frame('b', TcpFlag.rst | TcpFlag.ack, 0, 78, [])];
    const lines = normaliseSegments(readPcap(pcap(rst, 'little', false)).map(wireSegmentOf) as WireSegment[]).map(segmentLine);
    expect(lines[1]).toBe('server > client: Flags [R.], seq 0, ack 1, win 502, length 0, ttl 63');
  });
});

describe('the recorded Linux fixtures', () => {
  it('an RST from a closed port: SYN with Linux options, RST-ACK with seq 0 and window 0; ECONNREFUSED', () => {
    const recording = readRecording('rst-closed-port');
    expect(recordedSegments(recording, 'client-eth0').segments.map(segmentLine)).toEqual([
      'client > server: Flags [S], seq 0, win 64240, options [mss 1460,sackOK,TS,nop,wscale 10], length 0, ttl 64',
      'server > client: Flags [R.], seq 0, ack 1, win 0, length 0, ttl 64',
    ]);
    expect(recording.steps[0]?.result.errno).toBe('ECONNREFUSED');
  });

  it('every frame of every capture is a well-formed TCP segment', () => {
    for (const scenario of ['transfer-direct', 'transfer-routed', 'transfer-direct6', 'rst-closed-port', 'rto-data', 'rto-bulk', 'rto-unreachable', 'rto-syn', 'rto-syn-retries2', 'close-blackhole']) {
      const recording = readRecording(scenario);
      for (const [capture, { file }] of Object.entries(recording.captures)) {
        const frames = readPcap(new Uint8Array(readFileSync(new URL(file, RECORDINGS))));
        expect(frames.length, `${scenario} ${capture}`).toBeGreaterThan(0);
        expect(frames.filter((f) => wireSegmentOf(f) === null), `${scenario} ${capture}`).toEqual([]);
        expect(recordedSegments(recording, capture).segments.length).toBe(frames.length);
      }
    }
  });
});

describe('normalising ss listings', () => {
  it('joins columns by one space, names the ephemeral port and hides pid and fd', () => {
    const output = [
      'State     Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
      'ESTAB     0      0           10.0.0.1:48504      10.0.0.2:5000  users:(("python3",pid=4242,fd=3))',
      'LISTEN    0      5           10.0.0.1:4850      0.0.0.0:*',
      '',
    ].join('\n');
    expect(normaliseListing(output, 48504)).toBe(
      [
        'State Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
        'ESTAB 0 0 10.0.0.1:EPH 10.0.0.2:5000 users:(("python3",pid=N,fd=N))',
        'LISTEN 0 5 10.0.0.1:4850 0.0.0.0:*',
      ].join('\n'),
    );
  });
});
