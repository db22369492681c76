// TCP's goodput on a 100 Mbit/s link with 10 ms latency (issue #16 "Must hold"): a bulk transfer of
// 100 MB through the runtime (inline placement, the link's serialisation delay and its default
// 100-frame queue) reaches at least 90% of the link's bandwidth in virtual time — payload bytes over
// the virtual time from connect() to the receiver seeing the end of the stream (measured in 10 ms
// steps). The ceiling is 95.6% (1448 payload bytes per 1514-byte frame); NewReno's slow-start
// overshoot of the 100-frame queue and its sawtooth below the path's bandwidth-delay product cost
// the rest (91.8 Mbit/s); a shorter transfer would measure start-up more than TCP (25 MB: 87%).
// Deterministic in virtual time; sized by a byte count, never by wall-clock time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { expect, test } from 'vitest';

const factory = { module: new URL('./tcp-probe-node-factory.mjs', import.meta.url).href, export: 'createTcpProbeNode' };
const LINK_BITS_PER_SECOND = 100e6;
const BYTES = 100_000_000;

const topology = `name: tcp-throughput
seed: 1
nodes:
  h1:
    kind: host
    exec:
      - ip link set eth0 up
      - ip addr add 10.0.0.1/24 dev eth0
  h2:
    kind: host
    exec:
      - ip link set eth0 up
      - ip addr add 10.0.0.2/24 dev eth0
links:
  - endpoints: [h1:eth0, h2:eth0]
    latency: 10ms
    bandwidth: 100Mbit
`;

test('a bulk transfer over a 100 Mbit/s, 10 ms link reaches at least 90% of the link in virtual time', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'netloom-tcp-throughput-'));
  const file = join(directory, 'tcp-throughput.yaml');
  writeFileSync(file, topology);
  const emulator = await Emulator.load(file, { placement: 'inline', nodeFactory: factory });
  try {
    await emulator.start();
    const sink = await emulator.spawn('h2', 'tcpx-sink 5000');
    let sinkOutput = '';
    const off = emulator.onOutput((out) => {
      if (out.id === sink.id) sinkOutput += out.text;
    });
    await emulator.advance(100_000_000);
    const start = emulator.now();
    const source = await emulator.exec('h1', `tcpx-source 10.0.0.2 5000 ${BYTES}`);
    // The sink reports when the stream has ended: step 10 ms at a time to see when, at most 20 s.
    const STEP = 10_000_000;
    for (let i = 0; i < 2000 && sinkOutput === ''; i++) await emulator.advance(STEP);
    const finishedAt = emulator.now();
    off();
    expect(source.stdout).toBe(`sent ${BYTES} bytes\n`);
    expect(sinkOutput).toBe(`received ${BYTES} bytes\n`);
    const seconds = (finishedAt - start) / 1e9;
    const goodput = (BYTES * 8) / seconds;
    console.log(`tcp-throughput: ${BYTES} bytes in ${seconds.toFixed(3)} s of virtual time: ${(goodput / 1e6).toFixed(1)} Mbit/s`);
    expect(goodput).toBeGreaterThanOrEqual(0.9 * LINK_BITS_PER_SECOND);
  } finally {
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  }
  // The same 100 MB at every NETLOOM_TEST_SCALE (a shorter transfer would weigh slow start more
  // against the 90% bound): about 4 s, the scenarios' 120 s hang guard.
});
