/**
 * `netloom bench chain`: hop-forwards per second through a chain of real stack routers.
 *
 *   h1 (source) — r1 — r2 — … — rN — h2 (sink)        link k: 10.0.k.0/24, left .1, right .2
 *
 * Every router forwards every datagram once, so hop-forwards = datagrams delivered × routers. The
 * clock runs from the first datagram of the flood to the last delivery (wall time, after a warm-up
 * datagram has resolved every neighbour and a warm-up flood has had every thread's code optimised). Peak RSS is the whole process's (all worker threads).
 * Figures only: no pass/fail.
 */
import { performance } from 'node:perf_hooks';
import type { TopologySpec } from '@netloom/topology';
import type { Placement } from './emulator-types.js';
import { advanceReporting, BENCH_NODES, chainLinks, emulatorOptions, placementFigures, startBenchEmulator, type BenchRunOptions } from './bench-common.js';
import { SINK_NODE, SOURCE_NODE } from './bench-nodes.js';

export interface BenchChainOptions extends BenchRunOptions {
  /** Routers between the two hosts (default 8). */
  routers?: number;
  /** Datagrams pushed end to end (default 100,000). */
  packets?: number;
  /**
   * Datagrams per burst and the virtual time between bursts (default 100 every 100 µs, one link
   * latency: the rate of ns-3's UdpClient at one datagram a µs, and a burst on every hop at every
   * instant, so shards have work at the same time; 1000 every 1 ms is one wave through the chain,
   * one hop at a time, which no placement can run in parallel).
   */
  burst?: number;
  burstIntervalNs?: number;
  /** Link latency (default 100 µs). */
  latencyNs?: number;
  /** UDP payload bytes of each datagram (default DEFAULT_CHAIN_PAYLOAD). */
  payloadBytes?: number;
}

/** 18 bytes of UDP payload: a 60-byte Ethernet frame, the ns-3 anchor's PacketSize (bench/ns3/chain.cc). */
export const DEFAULT_CHAIN_PAYLOAD = 18;

export interface BenchChainResult {
  routers: number;
  packets: number;
  /** Datagrams per burst and the virtual time between bursts (benchChain always gives them). */
  burst?: number;
  burstIntervalNs?: number;
  /** UDP payload bytes of each datagram (benchChain always gives it). */
  payloadBytes?: number;
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

/**
 * The most datagrams sent before the measured run (as many as it sends, up to this). A tenth of the
 * run (10,000 of the default 100,000) was not enough with a thread per node: each of the ten
 * isolates compiles its own copy, on two cores, and `--trace-opt` showed the frame path's functions
 * still being optimised in the first measured tenth and `runSpan` (15–55 ms to compile, all
 * threads at once) in the seventh — slices of 90–130 ms against 55–65 for the others. After a warm-up
 * as long as the run, per-node went from 1.09–1.20M to 1.40–1.44M hop-forwards/s and inline stayed
 * at 1.16M (8 routers, load ≈ 1).
 */
const WARM_UP_DATAGRAMS = 100_000;

function mac(node: number, iface: number): string {
  return `02:00:00:00:${node.toString(16).padStart(2, '0')}:${iface.toString(16).padStart(2, '0')}`;
}

export function chainSpec(routers: number, latencyNs: number): TopologySpec {
  const names = [SOURCE_NODE, ...Array.from({ length: routers }, (_, i) => `r${i + 1}`), SINK_NODE];
  const last = routers; // index of the link to the sink
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
  const links = chainLinks(names.length, (i) => names[i]!, latencyNs);
  return { name: `chain-${routers}`, seed: 1, file: '(bench chain)', nodes, links, lans: [], events: [], expect: [] };
}

export async function benchChain(options: BenchChainOptions = {}): Promise<BenchChainResult> {
  const routers = options.routers ?? 8;
  const packets = options.packets ?? 100_000;
  const burst = options.burst ?? 100;
  const interval = options.burstIntervalNs ?? 100_000;
  const latencyNs = options.latencyNs ?? 100_000;
  const payload = options.payloadBytes ?? DEFAULT_CHAIN_PAYLOAD;
  if (!(Number.isInteger(payload) && payload >= 0 && payload <= 1472)) throw new RangeError(`payload must be 0…1472 bytes (a 1500-byte MTU), got ${payload}`);
  const spec = chainSpec(routers, latencyNs);
  const emulator = await startBenchEmulator('chain', spec, emulatorOptions(options, { placement: 'packed', nodeFactory: BENCH_NODES }));
  try {
    const sinkAddress = `10.0.${routers}.2`;
    const r1Mac = spec.nodes[1]!.interfaces[0]!.mac;
    // Warm-up: one datagram resolves every neighbour along the chain; then a flood as long as the
    // run (at most WARM_UP_DATAGRAMS) in the same bursts, so that every thread's code is optimised
    // before the clock starts (each worker thread compiles its own copy): the figure is the steady state.
    await emulator.exec(SOURCE_NODE, `flood ${r1Mac} 10.0.0.1 ${sinkAddress} 1 1 0`);
    await emulator.advance(100e6);
    const warmUp = Math.min(WARM_UP_DATAGRAMS, packets);
    await emulator.spawn(SOURCE_NODE, `flood ${r1Mac} 10.0.0.1 ${sinkAddress} ${warmUp} ${burst} ${interval} ${payload}`);
    await emulator.advance(Math.ceil(warmUp / burst) * interval + (routers + 2) * latencyNs * 2 + 10e6);
    const received = async (): Promise<number> => Number((await emulator.exec(SINK_NODE, 'received')).stdout.trim());
    const before = await received();
    const virtualStart = emulator.now();
    // The flood's bursts, then until the last datagram has crossed the chain.
    const virtualRun = Math.ceil(packets / burst) * interval + (routers + 2) * latencyNs * 2 + 10e6;
    const began = performance.now();
    await emulator.spawn(SOURCE_NODE, `flood ${r1Mac} 10.0.0.1 ${sinkAddress} ${packets} ${burst} ${interval} ${payload}`);
    await advanceReporting(emulator, virtualRun, { done: 0, total: virtualRun, ...(options.onProgress ? { report: options.onProgress } : {}) });
    const wallMs = performance.now() - began;
    const delivered = (await received()) - before;
    const hopForwards = delivered * routers;
    const perSecond = wallMs > 0 ? (hopForwards / wallMs) * 1000 : 0;
    return {
      routers,
      packets,
      burst,
      burstIntervalNs: interval,
      payloadBytes: payload,
      delivered,
      hopForwards,
      wallMs,
      hopForwardsPerSec: perSecond,
      hopForwardsPerSecond: perSecond,
      ...placementFigures(emulator),
      virtualNs: emulator.now() - virtualStart,
    };
  } finally {
    await emulator.close();
  }
}
