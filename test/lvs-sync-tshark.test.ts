/**
 * IPVS connection synchronisation as tshark reads it (issue #17): lvs-sync.yaml's master director
 * multicasts its connection to 224.0.0.81:8848 with TTL 1, and Wireshark's IPVS sync daemon dissector
 * reads the version 1 message netloom built: header (syncid 0, size, one connection, version 1) and
 * the entry (IPv4, TCP, flags 0x83 = DROUTE|NOOUTPUT, state 1 = ESTABLISHED, ports, timeout 900 s,
 * the client, virtual and real server addresses); the UDP checksum good, nothing malformed.
 * Skipped with the reason when tshark is missing (failing under CI=true).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '@netloom/wire/testing/test-environment';
import { afterAll, describe, expect } from 'vitest';
import { captureTopology, tsharkFields } from './tshark-captures.js';

const tshark = needs({ tools: ['tshark'] });
const scratch = mkdtempSync(join(tmpdir(), 'netloom-lvs-sync-tshark-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FIELDS = [
  'ip.src',
  'ip.dst',
  'ip.ttl',
  'udp.dstport',
  'udp.checksum.status',
  'ipvs.syncid',
  'ipvs.size',
  'ipvs.conncount',
  'ipvs.version',
  'ipvs.type',
  'ipvs.proto',
  'ipvs.size.v1',
  'ipvs.flags.v1',
  'ipvs.state',
  'ipvs.vport',
  'ipvs.dport',
  'ipvs.timeout',
  'ipvs.caddr',
  'ipvs.vaddr',
  'ipvs.daddr',
  '_ws.malformed',
] as const;

describe('IPVS sync messages read by tshark', () => {
  tshark.it('the master multicasts a version 1 message Wireshark decodes field by field', async () => {
    const dir = await captureTopology('lvs-sync', scratch);
    const frames = tsharkFields(join(dir, 'lan.pcapng'), FIELDS, ['-o', 'udp.check_checksum:TRUE'], scratch).filter((f) => f['udp.dstport'] === '8848');
    // One message: the connection's third packet filled a buffer that the master sent 2 s later; the
    // backup's copy needs no refresh before the failover (sync_period 50 packets, 12 sent in all).
    expect(frames).toHaveLength(1);
    const [message] = frames;
    expect(message).toMatchObject({
      'ip.src': '10.0.0.1',
      'ip.dst': '224.0.0.81',
      'ip.ttl': '1',
      'udp.checksum.status': '1',
      'ipvs.syncid': '0',
      'ipvs.size': '44',
      'ipvs.conncount': '1',
      'ipvs.version': '1',
      'ipvs.type': '0',
      'ipvs.proto': '0x06',
      'ipvs.size.v1': '36',
      'ipvs.flags.v1': '0x00000083',
      'ipvs.state': '0x0001',
      'ipvs.vport': '80',
      'ipvs.dport': '80',
      'ipvs.timeout': '900',
      'ipvs.caddr': '10.0.0.10',
      'ipvs.vaddr': '10.0.0.100',
      'ipvs.daddr': '10.0.0.3',
      '_ws.malformed': '',
    });
  });
});
