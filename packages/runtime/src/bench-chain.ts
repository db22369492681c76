/**
 * `netloom bench chain`: hop-forwards per second through a chain of real stack routers.
 *
 *   h1 (source) — r1 — r2 — … — rN — h2 (sink)        link k: 10.0.k.0/24, left .1, right .2
 *
 * Every router forwards every datagram once, so hop-forwards = datagrams delivered × routers. The
 * clock runs from the first datagram of the flood to the last delivery (wall time, after a warm-up
 * datagram has resolved every neighbour). Peak RSS is the whole process's (all worker threads).
 * Figures only: no pass/fail.
 */
import { resourceUsage } from 'node:process';
import { performance } from 'node:perf_hooks';
import type { TopologySpec } from '@netloom/topology';
import { Emulator } from './emulator.js';
import type { EmulatorOptions, Placement } from './emulator-types.js';
import { SINK_NODE, SOURCE_NODE } from './bench-nodes.js';

export interface BenchChainOptions {
  /** Routers between the two hosts (default 8). */
  routers?: number;
  /** Datagrams pushed end to end (default 100,000). */
  packets?: number;
  placement?: Placement;
  workers?: number;
  /** Datagrams per burst and the virtual time between bursts (default 1000 every 1 ms). */
  burst?: number;
  burstIntervalNs?: number;
  /** Link latency (default 100 µs). */
  latencyNs?: number;
  /** As EmulatorOptions' (the CLI benchmarks with the watchdog it runs with). */
  inlineWatchdog?: EmulatorOptions['inlineWatchdog'];
}

export interface BenchChainResult {
  routers: number;
  packets: number;
  delivered: number;
  hopForwards: number;
  wallMs: number;
  hopForwardsPerSec: number;
  /** The same figure, under the name the CLI prints. */
  hopForwardsPerSecond: number;
  peakRssBytes: number;
  /** The placement used and its worker threads (0 for inline). */
  placement: Placement;
  workers: number;
  virtualNs: number;
}

const BENCH_NODES = {
  module: new URL(import.meta.url.endsWith('.ts') ? '../dist/bench-nodes.js' : './bench-nodes.js', import.meta.url).href,
  export: 'createBenchNode',
};

function mac(node: number, iface: number): string {
  return `02:00:00:00:${node.toString(16).padStart(2, '0')}:${iface.toString(16).padStart(2, '0')}`;
}

export function chainSpec(routers: number, latencyNs: number): TopologySpec {
  const names = [SOURCE_NODE, ...Array.from({ length: routers }, (_, i) => `r${i + 1}`), SINK_NODE];
  const last = routers; // index of the link to the sink
  const params = { latencyNs, bandwidthBps: null, loss: 0, mtu: 1500, queue: 1000 };
  const nodes = names.map((name, i) => {
    const isRouter = i > 0 && i <= routers;
    const interfaces = i === 0 ? ['eth0'] : isRouter ? ['eth0', 'eth1'] : ['eth0'];
    let exec: string[];
    if (i === 0) exec = ['addr 10.0.0.1'];
    else if (!isRouter) exec = [`addr 10.0.${last}.2`];
    else {
      exec = [
        `ip addr add 10.0.${i - 1}.2/24 dev eth0`,
        `ip addr add 10.0.${i}.1/24 dev eth1`,
        'ip link set eth0 up',
        'ip link set eth1 up',
      ];
      if (i < routers) exec.push(`ip route add 10.0.${last}.0/24 via 10.0.${i}.2`);
    }
    return {
      name,
      kind: isRouter ? ('router' as const) : ('host' as const),
      compat: [],
      exec,
      interfaces: interfaces.map((ifname, j) => ({ name: ifname, mac: mac(i + 1, j + 1), mtu: 1500 })),
    };
  });
  const links = names.slice(1).map((name, k) => {
    const a = { node: names[k]!, ifname: k === 0 ? 'eth0' : 'eth1' };
    const b = { node: name, ifname: 'eth0' };
    return { id: `${a.node}:${a.ifname}--${b.node}:${b.ifname}`, a, b, params: { ...params } };
  });
  return { name: `chain-${routers}`, seed: 1, file: '(bench chain)', nodes, links, lans: [], events: [], expect: [] };
}

export async function benchChain(options: BenchChainOptions = {}): Promise<BenchChainResult> {
  const routers = options.routers ?? 8;
  const packets = options.packets ?? 100_000;
  const burst = options.burst ?? 1000;
  const interval = options.burstIntervalNs ?? 1e6;
  const latencyNs = options.latencyNs ?? 100_000;
  const spec = chainSpec(routers, latencyNs);
  const emulatorOptions: EmulatorOptions = {
    placement: options.placement ?? 'packed',
    nodeFactory: BENCH_NODES,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.inlineWatchdog !== undefined ? { inlineWatchdog: options.inlineWatchdog } : {}),
  };
  const emulator = await Emulator.load(spec, emulatorOptions);
  try {
    await emulator.start();
    const failed = emulator.startupResults().find((r) => r.status !== 0);
    if (failed !== undefined) throw new Error(`bench chain: ${failed.node}: ${failed.cmd}: ${failed.stderr.trim()}`);
    const sinkAddress = `10.0.${routers}.2`;
    const r1Mac = spec.nodes[1]!.interfaces[0]!.mac;
    // Warm-up: one datagram resolves every neighbour along the chain.
    await emulator.exec(SOURCE_NODE, `flood ${r1Mac} 10.0.0.1 ${sinkAddress} 1 1 0`);
    await emulator.advance(100e6);
    const received = async (): Promise<number> => Number((await emulator.exec(SINK_NODE, 'received')).stdout.trim());
    const before = await received();
    const virtualStart = emulator.now();
    const began = performance.now();
    await emulator.exec(SOURCE_NODE, `flood ${r1Mac} 10.0.0.1 ${sinkAddress} ${packets} ${burst} ${interval}`);
    // Then until the last datagram has crossed the chain.
    await emulator.advance((routers + 2) * latencyNs * 2 + 10e6);
    const wallMs = performance.now() - began;
    const delivered = (await received()) - before;
    const hopForwards = delivered * routers;
    const perSecond = wallMs > 0 ? (hopForwards / wallMs) * 1000 : 0;
    return {
      routers,
      packets,
      delivered,
      hopForwards,
      wallMs,
      hopForwardsPerSec: perSecond,
      hopForwardsPerSecond: perSecond,
      peakRssBytes: resourceUsage().maxRSS * 1024,
      placement: emulator.placement,
      workers: emulator.placement === 'inline' ? 0 : emulator.shardCount,
      virtualNs: emulator.now() - virtualStart,
    };
  } finally {
    await emulator.close();
  }
}
