import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEthernetFrame, buildIcmpv4Packet, parseIpv4 } from '@netloom/wire';
import { afterAll, describe, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { captureFileName, enhancedPacketBlock, interfaceDescriptionBlock, PcapngCapture, sectionHeaderBlock } from './pcapng-writer.js';

const scratch = mkdtempSync(join(tmpdir(), 'netloom-pcapng-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const tshark = needs({ tools: ['tshark'] });

function echo(kind: 'echoRequest' | 'echoReply'): Uint8Array {
  const a = Uint8Array.of(2, 0, 0, 0, 1, 1);
  const b = Uint8Array.of(2, 0, 0, 0, 2, 1);
  const request = kind === 'echoRequest';
  const packet = buildIcmpv4Packet(
    { source: parseIpv4(request ? '10.0.1.1' : '10.0.1.2')!, destination: parseIpv4(request ? '10.0.1.2' : '10.0.1.1')! },
    { kind, identifier: 1, sequence: 1, data: new Uint8Array(56) },
  );
  return buildEthernetFrame(request ? b : a, request ? a : b, 0x0800, packet);
}

describe('pcapng writer', () => {
  it('writes the blocks byte for byte as the format defines them', () => {
    const shb = sectionHeaderBlock();
    // type, length, byte-order magic, version 1.0, section length -1
    expect([...shb.subarray(0, 16)]).toEqual([0x0a, 0x0d, 0x0d, 0x0a, shb.length, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0]);
    expect(shb.length % 4).toBe(0);
    const idb = interfaceDescriptionBlock('h1:eth0');
    // type 1, linktype 1 (Ethernet), if_name option (2) "h1:eth0" padded, if_tsresol (9) = 9
    expect([...idb.subarray(8, 16)]).toEqual([1, 0, 0, 0, 0, 0, 4, 0]);
    expect([...idb.subarray(16, 20)]).toEqual([2, 0, 7, 0]);
    expect(new TextDecoder().decode(idb.subarray(20, 27))).toBe('h1:eth0');
    expect([...idb.subarray(28, 33)]).toEqual([9, 0, 1, 0, 9]);
    const epb = enhancedPacketBlock(1, 2 ** 32 + 5, Uint8Array.of(1, 2, 3), true);
    // interface 1, timestamp high 1, low 5, captured 3, original 3, data padded to 4, epb_flags inbound
    expect([...epb.subarray(8, 32)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3, 0]);
    expect([...epb.subarray(32, 40)]).toEqual([2, 0, 4, 0, 1, 0, 0, 0]);
    expect(captureFileName('h1:eth0--r1:eth0')).toBe('h1_eth0--r1_eth0.pcapng');
  });

  tshark.it('tshark reads the capture: interfaces by name, nanosecond virtual times, echo answered', () => {
    const capture = new PcapngCapture(scratch, [{ id: 'h1:eth0--h2:eth0', ends: ['h1:eth0', 'h2:eth0'] }]);
    capture.add(0, 0, 1_000_000_001, echo('echoRequest'), false);
    capture.add(0, 1, 1_002_000_001, echo('echoRequest'), true);
    capture.add(0, 1, 1_002_000_001, echo('echoReply'), false);
    capture.add(0, 0, 1_004_000_001, echo('echoReply'), true);
    capture.close();
    const file = join(scratch, 'h1_eth0--h2_eth0.pcapng');
    expect(readFileSync(file).length).toBeGreaterThan(0);
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.time_epoch', '-e', 'icmp.type', '-e', '_ws.expert.message'], {
      encoding: 'utf8',
      env: { ...process.env, HOME: scratch },
    });
    expect(out.replace(/\n$/, '').split('\n')).toEqual([
      'h1:eth0\t1.000000001\t8\t',
      'h2:eth0\t1.002000001\t8\t',
      'h2:eth0\t1.002000001\t0\t',
      'h1:eth0\t1.004000001\t0\t',
    ]);
  });
});
