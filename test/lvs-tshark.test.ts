/**
 * The LVS forwarding methods as tshark reads the captures of the bundled topologies (issue #17):
 * - LVS-DR (lvs-dr.yaml): each query crosses the LAN twice with the same IP header — source,
 *   destination (the VIP), identification — and the TTL one less, first to the director's MAC, then
 *   from the director to a real server's MAC; every IP and UDP checksum good;
 * - LVS-NAT (lvs-nat.yaml): on the inside network the queries go to the real servers' addresses and
 *   the answers come from them, on the outside every answer comes from the VIP; every IP and UDP
 *   checksum good after the rewriting;
 * - LVS-TUN (lvs-tun.yaml): the director's packets to the real servers are IP-in-IP — outer
 *   10.0.0.1 → RIP protocol 4, inner client → VIP UDP — both headers' checksums and the UDP one good.
 * Nothing malformed anywhere. Skipped with the reason when tshark is missing (failing under CI=true).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '@netloom/wire/testing/test-environment';
import { afterAll, describe, expect } from 'vitest';
import { captureTopology, tsharkFields } from './tshark-captures.js';

const tshark = needs({ tools: ['tshark'] });
const scratch = mkdtempSync(join(tmpdir(), 'netloom-lvs-tshark-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FIELDS = ['frame.number', 'eth.src', 'eth.dst', 'ip.src', 'ip.dst', 'ip.proto', 'ip.id', 'ip.ttl', 'ip.checksum.status', 'udp.srcport', 'udp.dstport', 'udp.checksum.status', '_ws.malformed'] as const;
type Frame = Record<(typeof FIELDS)[number], string>;

/** tshark's fields of every frame of a capture, checksums verified. */
function dissect(file: string): Frame[] {
  // Port 53 carries netcat's text, not DNS: the DNS dissector would call every query malformed.
  return tsharkFields(file, FIELDS, ['--disable-protocol', 'dns', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'], scratch);
}

const capture = (topology: string): Promise<string> => captureTopology(topology, scratch);

function expectWellFormed(frames: Frame[]): void {
  expect(frames.filter((f) => f['_ws.malformed'] !== '').map((f) => f['frame.number'])).toEqual([]);
  expect(frames.filter((f) => f['ip.checksum.status'] !== '' && !/^1(,1)*$/.test(f['ip.checksum.status'])).map((f) => `${f['frame.number']}: ip ${f['ip.checksum.status']}`)).toEqual([]);
  expect(frames.filter((f) => f['udp.checksum.status'] !== '' && f['udp.checksum.status'] !== '1').map((f) => `${f['frame.number']}: udp ${f['udp.checksum.status']}`)).toEqual([]);
}

const DIRECTOR_MAC = '02:00:00:00:03:01';
const ROUTER_MAC = '02:00:00:00:02:02';

describe('LVS captures read by tshark', () => {
  tshark.it(
    "direct routing: the query's IP header unchanged but for the TTL, sent from the director to a real server's MAC",
    async () => {
      const frames = dissect(join(await capture('lvs-dr'), 'lan.pcapng'));
      expectWellFormed(frames);
      const queries = frames.filter((f) => f['udp.dstport'] === '53');
      expect(queries).toHaveLength(12);
      for (let i = 0; i < queries.length; i += 2) {
        const [toDirector, toServer] = [queries[i]!, queries[i + 1]!];
        expect([toDirector['eth.src'], toDirector['eth.dst']]).toEqual([ROUTER_MAC, DIRECTOR_MAC]);
        expect(toServer['eth.src']).toBe(DIRECTOR_MAC);
        expect(['02:00:00:00:04:01', '02:00:00:00:05:01']).toContain(toServer['eth.dst']);
        for (const field of ['ip.src', 'ip.dst', 'ip.id', 'udp.srcport'] as const) expect(toServer[field]).toBe(toDirector[field]);
        expect(toServer['ip.dst']).toBe('10.0.0.100');
        expect(Number(toServer['ip.ttl'])).toBe(Number(toDirector['ip.ttl']) - 1);
      }
      // The answers leave the real servers for the router, from the VIP.
      const answers = frames.filter((f) => f['udp.srcport'] === '53');
      expect(answers.map((f) => `${f['ip.src']} ${f['eth.dst']}`)).toEqual(Array(6).fill(`10.0.0.100 ${ROUTER_MAC}`));
    },
    120_000,
  );

  tshark.it(
    'masquerading: real server addresses inside, the VIP outside, every checksum good',
    async () => {
      const dir = await capture('lvs-nat');
      const inside = dissect(join(dir, 'inside.pcapng'));
      const outside = dissect(join(dir, 'outside.pcapng'));
      expectWellFormed(inside);
      expectWellFormed(outside);
      const queries = inside.filter((f) => f['udp.dstport'] === '53');
      expect(queries).toHaveLength(6);
      expect(new Set(queries.map((f) => f['ip.dst']))).toEqual(new Set(['10.1.1.2', '10.1.1.3', '10.1.1.4']));
      expect(new Set(queries.map((f) => f['ip.src']))).toEqual(new Set(['192.168.1.254', '192.168.1.253']));
      expect(new Set(inside.filter((f) => f['udp.srcport'] === '53').map((f) => f['ip.src']))).toEqual(new Set(['10.1.1.2', '10.1.1.3', '10.1.1.4']));
      const answers = outside.filter((f) => f['udp.srcport'] === '53');
      expect(answers).toHaveLength(6);
      expect(new Set(answers.map((f) => f['ip.src']))).toEqual(new Set(['192.168.1.110']));
      expect(outside.filter((f) => f['ip.src'].startsWith('10.1.1.'))).toEqual([]);
    },
    120_000,
  );

  tshark.it(
    'tunnelling: a well-formed IP-in-IP packet from the director to the real server around the unchanged query',
    async () => {
      const frames = dissect(join(await capture('lvs-tun'), 'front.pcapng'));
      expectWellFormed(frames);
      const tunnelled = frames.filter((f) => f['ip.proto'] === '4,17');
      expect(tunnelled).toHaveLength(4);
      for (const f of tunnelled) {
        const [outerSource, innerSource] = f['ip.src'].split(',');
        const [outerDestination, innerDestination] = f['ip.dst'].split(',');
        expect([outerSource, innerSource, innerDestination]).toEqual(['10.0.0.1', '172.16.0.1', '10.0.0.100']);
        expect(['10.2.0.2', '10.2.0.3']).toContain(outerDestination);
        expect(f['ip.checksum.status']).toBe('1,1');
        expect(f['udp.checksum.status']).toBe('1');
        expect(f['eth.src']).toBe(DIRECTOR_MAC);
      }
    },
    120_000,
  );
});
