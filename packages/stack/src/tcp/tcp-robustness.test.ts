/**
 * Bad input never crashes TCP: seeded random segments — any flags, sequence and acknowledgement
 * numbers near and far from the connection's, windows, payloads, well-formed and garbage options,
 * bad checksums, other ports — thrown at a node with a listener and an established connection.
 * Nothing may throw, malformed ones must be counted drops with the parser's reason, and afterwards
 * the listener still accepts a new connection whose bytes arrive whole. Sized by
 * NETLOOM_TEST_SCALE (scaled()).
 */
import { buildIpv4Frame, emitTcp, TcpSegmentView, tcpBufferLen, type TcpOption, type TcpRepr } from '@netloom/wire';
import { scaled } from '@netloom/wire/testing/test-environment';
import { expect, test } from 'vitest';
import { Prng } from '../timers.js';
import { ip, MS, SECOND } from '../testing/lab.js';
import { chain, clientProgram, concat, newLog, pattern, serverProgram, tcpSegments } from './tcp-lab.js';

const OPTIONS: readonly TcpOption[] = [
  { kind: 'maxSegmentSize', maxSegmentSize: 0 },
  { kind: 'maxSegmentSize', maxSegmentSize: 65535 },
  { kind: 'windowScale', shift: 14 },
  { kind: 'windowScale', shift: 255 },
  { kind: 'sackPermitted' },
  { kind: 'timestamps', value: 0, echoReply: 0xffffffff },
  { kind: 'sack', blocks: [{ left: 5, right: 1 }] },
  { kind: 'noOperation' },
];

function randomSegment(prng: Prng, near: { seq: number; ack: number; port: number }): { repr: TcpRepr; garbleOptions: boolean; badChecksum: boolean } {
  const pick = (n: number): number => prng.below(n);
  const around = (value: number): number => (pick(4) === 0 ? prng.nextUint32() : (value + pick(200_000) - 100_000) >>> 0);
  const options: TcpOption[] = [];
  for (let i = pick(4); i > 0; i--) options.push(OPTIONS[pick(OPTIONS.length)]!);
  while (options.reduce((n, o) => n + (o.kind === 'sack' ? 10 : o.kind === 'timestamps' ? 10 : 4), 0) > 36) options.pop();
  const payload = new Uint8Array(pick(3) === 0 ? 0 : pick(1400));
  for (let i = 0; i < payload.length; i += 97) payload[i] = pick(256);
  return {
    repr: {
      sourcePort: pick(5) === 0 ? pick(65536) : near.port,
      destinationPort: pick(5) === 0 ? pick(65536) : 80,
      sequenceNumber: around(near.seq),
      acknowledgementNumber: around(near.ack),
      flags: pick(0x1000),
      window: pick(65536),
      urgentPointer: pick(65536),
      options,
      payload,
    },
    garbleOptions: pick(8) === 0,
    badChecksum: pick(10) === 0,
  };
}

test('random segments at a listener and an established connection: no exception, malformed ones are counted drops, the listener still works', () => {
  const server = newLog();
  const client = newLog();
  const lab = chain(0, { server: serverProgram(server), client: clientProgram(client) });
  lab.exec('h2', 'server 80');
  lab.exec('h1', 'client 10.0.0.2 80 1000');
  lab.run(100 * MS);
  const h2 = lab.node('h2');
  const fromClient = tcpSegments(lab.sent('h1')).at(-1)!.tcp;
  const near = { seq: fromClient.sequenceNumber, ack: fromClient.acknowledgementNumber, port: fromClient.sourcePort };
  const destinationMac = h2.parts.routing.device('eth0')!.mac;
  const sourceMac = lab.node('h1').parts.routing.device('eth1')!.mac;
  const prng = new Prng(0x7c9);
  const count = scaled(2000);
  let garbled = 0;
  for (let i = 0; i < count; i++) {
    const { repr, garbleOptions, badChecksum } = randomSegment(prng, near);
    const segment = new Uint8Array(tcpBufferLen(repr));
    emitTcp(repr, segment, 0, { family: 4, source: ip('10.0.0.1'), destination: ip('10.0.0.2') });
    const view = TcpSegmentView.over(segment);
    if (garbleOptions && view.headerLength > 20) {
      // An option length that runs past the header: the parser's badOption.
      segment[20] = 3;
      segment[21] = 0xff;
      garbled++;
    }
    view.fillChecksum({ family: 4, source: ip('10.0.0.1'), destination: ip('10.0.0.2') });
    if (badChecksum) segment[16] = (segment[16]! ^ 0xff) & 0xff;
    const frame = buildIpv4Frame(destinationMac, sourceMac, { source: ip('10.0.0.1'), destination: ip('10.0.0.2'), protocol: 6, ttl: 64 }, segment);
    h2.receive('eth0', frame, lab.now);
    lab.run(MS);
  }
  lab.run(10 * SECOND);
  const drops = lab.drops('h2').map((e) => (e.event.type === 'drop' ? `${e.event.reason} ${e.event.detail ?? ''}` : ''));
  expect(drops.some((d) => d === 'malformed tcp badOption')).toBe(garbled > 0);
  expect(drops.some((d) => d === 'badChecksum tcp badChecksum')).toBe(true);
  expect(h2.parts.tcp.mib.inErrs).toBe(drops.filter((d) => d.includes(' tcp bad')).length);
  // A new connection after all that: accepted, its bytes whole.
  const before = server.received.length;
  const again = lab.exec('h1', 'client 10.0.0.2 80 50000', 30 * SECOND);
  expect(again.status).toBe(0);
  expect(concat(server.received.slice(before)).length).toBeGreaterThanOrEqual(50_000);
  expect(concat(server.received.slice(before)).subarray(-50_000)).toEqual(pattern(50_000));
});
