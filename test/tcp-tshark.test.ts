// tshark follows netloom's TCP streams (issue #16): a transfer across topologies/router-chain.yaml
// (8 routers, lossless 1 Gbit/s links) captured by the runtime's capture API (what `netloom run
// --pcap` writes) is dissected by tshark with TCP checksum verification on. Every segment on the
// first and the last link is well formed with good IP and TCP checksums, tshark's TCP analysis finds
// no retransmission, spurious retransmission, lost segment, out-of-order segment or duplicate ACK on
// the lossless path, and `-z follow,tcp,ascii,0` gives back exactly the bytes tcpx-source sent
// (test/tcp-probe-node-factory.mjs). Needs tshark: skipped with the reason without it, failing under CI=true.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { needs } from '@netloom/wire/testing/test-environment';
import { afterAll, beforeAll, expect } from 'vitest';
// @ts-expect-error -- plain JavaScript module without type declarations
import { streamText } from './tcp-probe-node-factory.mjs';

const need = needs({ tools: ['tshark'] });
const factory = { module: new URL('./tcp-probe-node-factory.mjs', import.meta.url).href, export: 'createTcpProbeNode' };
const BYTES = 300_000;

function tshark(file: string, ...args: string[]): string {
  return execFileSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The bytes one side sent, from `-z follow,tcp,ascii,N`: each chunk is its length on a line, then that many characters. */
function followedBytes(output: string, node: 0 | 1): string {
  const body = output.slice(output.indexOf('\n', output.indexOf('Node 1: ')) + 1);
  let text = '';
  let at = 0;
  for (;;) {
    const line = /^(\t?)(\d+)\n/.exec(body.slice(at));
    if (line === null) break;
    const length = Number(line[2]);
    const start = at + line[0].length;
    if ((line[1] === '\t' ? 1 : 0) === node) text += body.slice(start, start + length);
    at = start + length + 1;
  }
  return text;
}

need.describe('tshark on a netloom TCP transfer across the router chain', () => {
  let emulator: Emulator;
  let directory: string;
  let files: string[] = [];
  const outcome = { sink: '', source: '' };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'netloom-tcp-tshark-'));
    emulator = await Emulator.load(join(import.meta.dirname, '../topologies/router-chain.yaml'), { placement: 'inline', nodeFactory: factory });
    await emulator.start();
    const paths = await emulator.startCapture(directory);
    files = [paths.find((p) => p.includes('h1_eth0')), paths.find((p) => p.includes('h2_eth0'))].filter((p): p is string => p !== undefined);
    const sink = await emulator.spawn('h2', 'tcpx-sink 5000');
    const off = emulator.onOutput((out) => {
      if (out.id === sink.id) outcome.sink += out.text;
    });
    await emulator.advance(100_000_000);
    const source = await emulator.exec('h1', `tcpx-source 10.0.8.2 5000 ${BYTES}`);
    outcome.source = source.stdout + source.stderr;
    await emulator.advance(1_000_000_000);
    off();
    await emulator.stopCapture();
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  need.it('the transfer completes: every byte sent arrives', () => {
    expect(outcome.source).toBe(`sent ${BYTES} bytes\n`);
    expect(outcome.sink).toBe(`received ${BYTES} bytes\n`);
    expect(files).toHaveLength(2);
  });

  need.it('no malformed segment and no bad IP or TCP checksum on the first and the last link', () => {
    for (const file of files) {
      const segments = tshark(file, '-Y', 'tcp', '-T', 'fields', '-e', 'frame.number').trim().split('\n').length;
      expect(segments, file).toBeGreaterThan(Math.ceil(BYTES / 1448));
      expect(tshark(file, '-Y', '_ws.malformed || _ws.expert.severity >= error || tcp.checksum.status != 1 || ip.checksum.status != 1'), file).toBe('');
    }
  });

  need.it('no retransmission, spurious retransmission, lost or out-of-order segment, or duplicate ACK on the lossless path', () => {
    const trouble =
      'tcp.analysis.retransmission || tcp.analysis.spurious_retransmission || tcp.analysis.fast_retransmission || ' +
      'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment || tcp.analysis.out_of_order || tcp.analysis.duplicate_ack';
    for (const file of files) expect(tshark(file, '-Y', trouble), file).toBe('');
  });

  need.it('tshark -z follow,tcp,ascii,0 gives back the bytes sent, and nothing from the receiver', () => {
    for (const file of files) {
      const output = tshark(file, '-q', '-z', 'follow,tcp,ascii,0');
      expect(output).toContain('Node 0: 10.0.0.1:');
      expect(output).toContain('Node 1: 10.0.8.2:5000');
      expect(followedBytes(output, 0) === streamText(BYTES), `${file}: the followed stream differs from what was sent`).toBe(true);
      expect(followedBytes(output, 1)).toBe('');
    }
  });
});
