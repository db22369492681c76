/**
 * `netloom bench boot`: time to a ready network and peak RSS. The network is a chain of N nodes —
 * two hosts with N−2 real routers between them — whose addresses and routes are set by startup
 * commands, as a topology file would: link k is 10.A.B.0/24 (k = A·256 + B), left end .1, right
 * end .2; each router routes the far host's /24 on to its right neighbour and 10.0.0.0/24 back
 * to its left one, the hosts use a default route. Ready means start() returned: every node built
 * and every startup command run. The bench/ harness builds the same chain with Linux namespaces and
 * veth pairs (bench/namespaces-boot.mjs) to compare.
 *
 * Peak RSS is the process's: run one size and placement per process (the CLI does, in a child),
 * or a bigger earlier run hides a smaller later one.
 */
import { performance } from 'node:perf_hooks';
import type { TopologySpec } from '@netloom/topology';
import type { Placement } from './emulator-types.js';
import { benchMac, chainLinks, emulatorOptions, placementFigures, startBenchEmulator, subnet24, type BenchRunOptions } from './bench-common.js';

export interface BenchBootOptions extends BenchRunOptions {
  /** Nodes in the chain, hosts included (default 1000; at least 2). */
  nodes?: number;
  /** Link latency (default 100 µs). */
  latencyNs?: number;
}

export interface BenchBootResult {
  nodes: number;
  links: number;
  /** Startup commands run. */
  commands: number;
  /** From Emulator.load to start() done. */
  readyMs: number;
  peakRssBytes: number;
  placement: Placement;
  workers: number;
}

/** The most nodes a boot chain can address: one /24 per link in 10.0.0.0/8. */
export const MAX_BOOT_NODES = 65537;

/** Startup commands of node i (0 … nodes−1) of the boot chain. */
export function bootNodeCommands(i: number, nodes: number): string[] {
  const last = nodes - 1;
  const sinkNet = `${subnet24(last - 1)}.0/24`;
  if (i === 0) return ['ip link set eth0 up', `ip addr add ${subnet24(0)}.1/24 dev eth0`, `ip route add default via ${subnet24(0)}.2`];
  if (i === last) return ['ip link set eth0 up', `ip addr add ${subnet24(last - 1)}.2/24 dev eth0`, `ip route add default via ${subnet24(last - 1)}.1`];
  const commands = [
    'ip link set eth0 up',
    'ip link set eth1 up',
    `ip addr add ${subnet24(i - 1)}.2/24 dev eth0`,
    `ip addr add ${subnet24(i)}.1/24 dev eth1`,
  ];
  if (i < last - 1) commands.push(`ip route add ${sinkNet} via ${subnet24(i)}.2`);
  if (i > 1) commands.push(`ip route add ${subnet24(0)}.0/24 via ${subnet24(i - 1)}.1`);
  return commands;
}

export function bootSpec(nodes: number, latencyNs: number): TopologySpec {
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > MAX_BOOT_NODES) throw new RangeError(`a boot chain has 2 to ${MAX_BOOT_NODES} nodes, not ${nodes}`);
  const name = (i: number) => (i === 0 ? 'h1' : i === nodes - 1 ? 'h2' : `r${i}`);
  const specs = Array.from({ length: nodes }, (_, i) => {
    const isRouter = i > 0 && i < nodes - 1;
    return {
      name: name(i),
      kind: isRouter ? ('router' as const) : ('host' as const),
      compat: [],
      exec: bootNodeCommands(i, nodes),
      interfaces: (isRouter ? ['eth0', 'eth1'] : ['eth0']).map((ifname, j) => ({ name: ifname, mac: benchMac(i + 1, j + 1), mtu: 1500 })),
    };
  });
  const links = chainLinks(nodes, name, latencyNs);
  return { name: `boot-${nodes}`, seed: 1, file: '(bench boot)', nodes: specs, links, lans: [], events: [], expect: [] };
}

export async function benchBoot(options: BenchBootOptions = {}): Promise<BenchBootResult> {
  const nodes = options.nodes ?? 1000;
  const spec = bootSpec(nodes, options.latencyNs ?? 100_000);
  const began = performance.now();
  const emulator = await startBenchEmulator('boot', spec, emulatorOptions(options, { placement: 'packed' }));
  const readyMs = performance.now() - began;
  try {
    options.onProgress?.(1, 1);
    return {
      nodes,
      links: spec.links.length,
      commands: spec.nodes.reduce((sum, node) => sum + node.exec.length, 0),
      readyMs,
      ...placementFigures(emulator),
    };
  } finally {
    await emulator.close();
  }
}
