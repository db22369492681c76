import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopologyFile } from '@netloom/topology';
import { scaled } from '@netloom/wire/testing/test-environment';
import { Emulator } from './emulator.js';
import type { EmulatorOptions } from './emulator-types.js';
import { formatTrace } from './trace-format.js';
import { allocateRing, FrameRing, ringCapacityForMtu } from './frame-ring.js';
import { FAKE_NODES, mixedSpec } from './testing/specs.js';

const ROUTER_CHAIN = new URL('../../../topologies/router-chain.yaml', import.meta.url).pathname;

const scratch = mkdtempSync(join(tmpdir(), 'netloom-determinism-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function runOnce(label: string, options: EmulatorOptions): Promise<{ trace: string; pcaps: Map<string, Buffer>; report: string }> {
  const emulator = await Emulator.load(mixedSpec(), { ...options, nodeFactory: FAKE_NODES });
  const lines: string[] = [];
  emulator.onTrace((events) => {
    for (const event of events) lines.push(formatTrace(event));
  });
  const dir = join(scratch, label);
  await emulator.startCapture(dir);
  const report = await emulator.run();
  await emulator.close();
  const pcaps = new Map<string, Buffer>();
  for (const file of readdirSync(dir).sort()) pcaps.set(file, readFileSync(join(dir, file)));
  return { trace: lines.join('\n'), pcaps, report: JSON.stringify(report) };
}

const CHAIN_DATAGRAMS = 400;

interface ChainRun {
  trace: string;
  pcaps: Map<string, Buffer>;
  shards: number;
  synchronisation: { windows: number; spans: number; waits: number };
}

/**
 * router-chain without a bandwidth limit and with long queues: 400 datagrams of 1,400 bytes sent
 * 1 µs apart reach every hop within one 1 ms lookahead. `exec` waits for the sender (global
 * windows: a command is awaited); `spawn` starts it and lets advance() run the traffic.
 */
async function chainRun(label: string, options: EmulatorOptions, flood: 'exec' | 'spawn'): Promise<ChainRun> {
  const spec = loadTopologyFile(ROUTER_CHAIN);
  for (const link of spec.links) link.params = { ...link.params, bandwidthBps: null, queue: 10_000 };
  const emulator = await Emulator.load(spec, options);
  const lines: string[] = [];
  emulator.onTrace((events) => {
    for (const event of events) lines.push(formatTrace(event));
  });
  const dir = join(scratch, label);
  await emulator.startCapture(dir);
  await emulator.start();
  // Neighbours resolved first: a hop holds only 3 frames while it waits for ARP (neighbourQueueFull).
  expect((await emulator.exec('h1', 'ping -c 1 10.0.8.2')).status, label).toBe(0);
  const cmd = `udpsend 10.0.8.2 9 -i 1us -c ${CHAIN_DATAGRAMS} -s 1400`;
  let stdout: string;
  if (flood === 'exec') {
    stdout = (await emulator.exec('h1', cmd)).stdout;
    await emulator.advance(20e6);
  } else {
    const { id } = await emulator.spawn('h1', cmd);
    await emulator.advance(20e6);
    stdout = emulator.commandResult(id)!.stdout;
  }
  expect(stdout, label).toContain(`--- udpsend: ${CHAIN_DATAGRAMS} sent, ${CHAIN_DATAGRAMS} ok, 0 failed`);
  const shards = emulator.shardCount;
  const synchronisation = emulator.synchronisation();
  await emulator.close();
  const pcaps = new Map<string, Buffer>();
  for (const file of readdirSync(dir).sort()) pcaps.set(file, readFileSync(join(dir, file)));
  return { trace: lines.join('\n'), pcaps, shards, synchronisation };
}

function expectSameRun(run: { trace: string; pcaps: Map<string, Buffer> }, reference: { trace: string; pcaps: Map<string, Buffer> }, label: string): void {
  expect(run.trace, label).toBe(reference.trace);
  expect([...run.pcaps.keys()], label).toEqual([...reference.pcaps.keys()]);
  for (const [file, bytes] of reference.pcaps) expect(run.pcaps.get(file)!.equals(bytes), `${label}: ${file}`).toBe(true);
}

describe('determinism across placements', () => {
  it('the seed option changes the loss draws, and only them', async () => {
    const trace = async (seed?: number): Promise<string> => {
      const emulator = await Emulator.load(mixedSpec(), { placement: 'inline', nodeFactory: FAKE_NODES, ...(seed !== undefined ? { seed } : {}) });
      const lines: string[] = [];
      emulator.onTrace((events) => lines.push(...events.map(formatTrace)));
      await emulator.run();
      await emulator.close();
      return lines.join('\n');
    };
    const seven = await trace();
    expect(await trace(7)).toBe(seven);
    const eight = await trace(8);
    expect(eight).not.toBe(seven);
    const withoutLoss = (text: string): string => text.split('\n').filter((l) => !l.includes('r2:eth1') && !l.includes('r3:')).slice(0, 40).join('\n');
    expect(withoutLoss(eight)).toBe(withoutLoss(seven));
  });

  it('refuses a link without latency (the lookahead would be zero)', async () => {
    const spec = mixedSpec();
    spec.links[0]!.params.latencyNs = 0;
    await expect(Emulator.load(spec, { nodeFactory: FAKE_NODES })).rejects.toThrow('link h1:eth0--r1:eth0: latency must be a positive whole number of ns, got 0');
    await expect(Emulator.load(mixedSpec(), { workers: 0 })).rejects.toThrow('workers must be a whole number ≥ 1, got 0');
    // A frame of the largest MTU must fit the rings between shards.
    const emulator = await Emulator.load(mixedSpec(), { placement: 'inline', nodeFactory: FAKE_NODES });
    await expect(emulator.setLink('h1:eth0--r1:eth0', { mtu: 65536 })).rejects.toThrow('link h1:eth0--r1:eth0: mtu must be a whole number within 68..65535, got 65536');
    await emulator.setLink('h1:eth0--r1:eth0', { mtu: 65535 });
    await emulator.close();
  });

  it('gives byte-identical traces and pcaps inline, per-node, packed with 1, 2 and 3 workers, and on a second run', async () => {
    const reference = await runOnce('inline', { placement: 'inline' });
    // The scenario really exercises the link features.
    for (const reason of ['queueFull', 'loss', 'mtuExceeded', 'linkDown', 'nodeStopped', 'ttlExpired']) {
      expect(reference.trace.includes(`drop(${reason})`), reason).toBe(true);
    }
    expect(reference.trace.split('\n').length).toBeGreaterThan(250);
    expect([...reference.pcaps.keys()]).toEqual([
      'h1_eth0--r1_eth0.pcapng',
      'lan1.pcapng',
      'lan2.pcapng',
      'r1_eth1--r2_eth0.pcapng',
      'r2_eth1--r3_eth0.pcapng',
      'r3_eth1--h2_eth0.pcapng',
    ]);
    const variants: [string, EmulatorOptions][] = [
      ['inline-again', { placement: 'inline' }],
      ['per-node', { placement: 'per-node' }],
      ['packed-1', { placement: 'packed', workers: 1 }],
      ['packed-2', { placement: 'packed', workers: 2 }],
      ['packed-3', { placement: 'packed', workers: 3 }],
      ['packed-3-again', { placement: 'packed', workers: 3 }],
    ];
    for (const [label, options] of variants) {
      const run = await runOnce(label, options);
      expect(run.trace, label).toBe(reference.trace);
      expect(run.report, label).toBe(reference.report);
      expect([...run.pcaps.keys()], label).toEqual([...reference.pcaps.keys()]);
      for (const [file, bytes] of reference.pcaps) expect(run.pcaps.get(file)!.equals(bytes), `${label} ${file}`).toBe(true);
    }
  });

  it('a 10-shard chain (per-node, frames in rings between neighbours, a full ring holding its sender back) gives the trace and pcaps of inline', async () => {
    // 400 × (32 + 1448) bytes in all — more than a ring holds, so each sender waits for its neighbour to drain.
    expect(CHAIN_DATAGRAMS * (32 + 1448)).toBeGreaterThan(ringCapacityForMtu(1500));
    const inline = await chainRun('chain-inline', { placement: 'inline' }, 'exec');
    // Every datagram crossed every hop (h2 has no socket on port 9).
    expect(inline.trace.split('\n').filter((l) => l.includes('h2:eth0 drop(noSocket)')).length).toBe(CHAIN_DATAGRAMS);
    const perNode = await chainRun('chain-per-node', { placement: 'per-node' }, 'exec');
    expect(perNode.shards).toBe(10);
    expectSameRun(perNode, inline, 'per-node');
    // Two runs at every NETLOOM_TEST_SCALE, the fewest that compare per-node with inline; the ten
    // worker threads of per-node on two cores are most of its time (about 5 s on a quiet machine).
  });

  it('under neighbour synchronisation a 10-shard chain runs its traffic in spans and gives the trace and pcaps of inline and of global windows, also with rings too small for one frame', async () => {
    // The datagrams go out while advance() runs: spans, each shard waiting only for its neighbours.
    const inline = await chainRun('span-inline', { placement: 'inline' }, 'spawn');
    expect(inline.trace.split('\n').filter((l) => l.includes('h2:eth0 drop(noSocket)')).length).toBe(CHAIN_DATAGRAMS);
    const global = await chainRun('span-global', { placement: 'per-node', sync: 'global' }, 'spawn');
    expect(global.synchronisation.spans).toBe(0);
    expectSameRun(global, inline, 'per-node, global windows');
    const neighbour = await chainRun('span-neighbour', { placement: 'per-node', sync: 'neighbour' }, 'spawn');
    expect(neighbour.shards).toBe(10);
    // The flood ran in spans: far fewer of them than global windows, and shards waited for their neighbours' clocks.
    expect(neighbour.synchronisation.spans).toBeGreaterThan(0);
    expect(neighbour.synchronisation.spans).toBeLessThan((global.synchronisation.windows - neighbour.synchronisation.windows) / 4);
    expect(neighbour.synchronisation.waits).toBeGreaterThan(0);
    expectSameRun(neighbour, inline, 'per-node, neighbour');
    // 1 KiB rings hold no 1,448-byte frame whole: every datagram crosses in parts and every sender
    // waits for room in the middle of a frame, whatever the threads' speeds. Packed 3 (two rings on
    // the way) at every NETLOOM_TEST_SCALE; from scale 2 per-node too (nine rings, ten more threads).
    const packed = await chainRun('span-packed-3', { placement: 'packed', workers: 3, sync: 'neighbour', ringBytes: 1024 }, 'spawn');
    expectSameRun(packed, inline, 'packed 3, neighbour, 1 KiB rings');
    if (scaled(1) >= 2) {
      const tiny = await chainRun('span-tiny-rings', { placement: 'per-node', sync: 'neighbour', ringBytes: 1024 }, 'spawn');
      expectSameRun(tiny, inline, 'per-node, neighbour, 1 KiB rings');
    }
    // Four runs at scale 1, five from scale 2; two (three) of them with ten worker threads on two cores.
  });

  it('a frame larger than the ring it was sized for (an MTU raised while running) crosses in parts: packed gives the trace of inline', async () => {
    const TWO_HOSTS = new URL('../../../topologies/two-hosts.yaml', import.meta.url).pathname;
    const jumboRun = async (options: EmulatorOptions): Promise<{ trace: string; ping: string }> => {
      const emulator = await Emulator.load(TWO_HOSTS, options);
      const lines: string[] = [];
      emulator.onTrace((events) => lines.push(...events.map(formatTrace)));
      await emulator.start();
      await emulator.setLink('h1:eth0--h2:eth0', { mtu: 65535 });
      for (const node of ['h1', 'h2']) expect((await emulator.exec(node, 'ip link set eth0 mtu 65535')).status).toBe(0);
      // 65,507 bytes of ICMP payload: one Ethernet frame of 65,549 bytes, more than half of a 128 KiB ring.
      const ping = await emulator.exec('h1', 'ping -c 2 -s 65507 10.0.0.2');
      await emulator.close();
      return { trace: lines.join('\n'), ping: ping.stdout };
    };
    expect(new FrameRing(allocateRing(ringCapacityForMtu(1500))).fits(65507 + 28 + 14)).toBe(false);
    const inline = await jumboRun({ placement: 'inline' });
    expect(inline.ping).toContain('2 packets transmitted, 2 received, 0% packet loss');
    expect(inline.trace).toContain('length 65515');
    const packed = await jumboRun({ placement: 'packed', workers: 2 });
    expect(packed.trace).toBe(inline.trace);
  });
});
