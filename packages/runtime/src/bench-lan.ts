/**
 * `netloom bench lan`: an ARP- and broadcast-heavy segment. N real hosts (the stack with its apps)
 * on one switch, 10.0.0.0/16; in round k (1 … N−1) every host i runs `arping -c 1` and
 * `ping -c 1` to host (i + k) mod N at once, so every host arpings and pings every other: N·(N−1)
 * broadcast ARP requests flooded to N−1 ports each, the neighbour resolutions ping needs, and the
 * echo exchanges. Figures: commands completed, frames the switch carried, wall time, peak RSS.
 * Leaves out hubs (a switch floods broadcasts as a hub would; unicast is what differs).
 */
import { performance } from 'node:perf_hooks';
import type { TopologySpec } from '@netloom/topology';
import type { Placement } from './emulator-types.js';
import { benchMac, emulatorOptions, placementFigures, startBenchEmulator, type BenchRunOptions } from './bench-common.js';

export interface BenchLanOptions extends BenchRunOptions {
  /** Hosts on the switch (default 32; at least 2). */
  hosts?: number;
  /** Switch latency (default 100 µs). */
  latencyNs?: number;
}

export interface BenchLanResult {
  hosts: number;
  rounds: number;
  /** arping and ping runs that exited 0 (each host's reply came), of `commands`. */
  answered: number;
  commands: number;
  /** Frames the switch took in (every ARP request, reply and echo). */
  switchFrames: number;
  wallMs: number;
  framesPerSecond: number;
  peakRssBytes: number;
  placement: Placement;
  workers: number;
  virtualNs: number;
}

export const LAN_NAME = 'lan0';

/** Host i's address: 10.0.0.0/16 from .0.1 on (i < 65534). */
export function lanHostAddress(i: number): string {
  const n = i + 1;
  return `10.0.${n >> 8}.${n & 0xff}`;
}

export function lanSpec(hosts: number, latencyNs: number): TopologySpec {
  if (!Number.isInteger(hosts) || hosts < 2 || hosts > 65533) throw new RangeError(`a LAN bench needs 2 to 65533 hosts, not ${hosts}`);
  const params = { latencyNs, bandwidthBps: null, loss: 0, mtu: 1500, queue: 1000 };
  const nodes = Array.from({ length: hosts }, (_, i) => ({
    name: `h${i + 1}`,
    kind: 'host' as const,
    compat: [],
    exec: ['ip link set eth0 up', `ip addr add ${lanHostAddress(i)}/16 dev eth0`],
    interfaces: [{ name: 'eth0', mac: benchMac(i + 1, 1), mtu: 1500 }],
  }));
  const lan = { name: LAN_NAME, type: 'switch' as const, members: nodes.map((n) => ({ node: n.name, ifname: 'eth0' })), params };
  return { name: `lan-${hosts}`, seed: 1, file: '(bench lan)', nodes, links: [], lans: [lan], events: [], expect: [] };
}

/** The commands of round k (1 … hosts−1): every host arpings and pings the host k places on. */
export function lanRound(hosts: number, k: number): { node: string; cmd: string }[] {
  const round: { node: string; cmd: string }[] = [];
  for (let i = 0; i < hosts; i++) {
    const target = lanHostAddress((i + k) % hosts);
    round.push({ node: `h${i + 1}`, cmd: `arping -c 1 -w 1 -I eth0 ${target}` }, { node: `h${i + 1}`, cmd: `ping -c 1 -W 1 ${target}` });
  }
  return round;
}

/** Virtual time a round may take: the 1 s deadlines of arping -w and ping -W, and a margin. */
const ROUND_LIMIT_NS = 1.5e9;

export async function benchLan(options: BenchLanOptions = {}): Promise<BenchLanResult> {
  const hosts = options.hosts ?? 32;
  const latencyNs = options.latencyNs ?? 100_000;
  const emulator = await startBenchEmulator('lan', lanSpec(hosts, latencyNs), emulatorOptions(options, { placement: 'packed' }));
  try {
    let exited = 0;
    let answered = 0;
    emulator.onExit((exit) => {
      exited++;
      if (exit.status === 0) answered++;
    });
    const framesBefore = emulator.links().find((l) => l.id === LAN_NAME)?.frames ?? 0;
    const virtualStart = emulator.now();
    const rounds = hosts - 1;
    let commands = 0;
    const began = performance.now();
    for (let k = 1; k <= rounds; k++) {
      const round = lanRound(hosts, k);
      for (const { node, cmd } of round) await emulator.spawn(node, cmd);
      commands += round.length;
      const roundStart = emulator.now();
      while (exited < commands && emulator.now() - roundStart < ROUND_LIMIT_NS) await emulator.advance(emulator.stepSize() * 10);
      options.onProgress?.(k, rounds);
    }
    const wallMs = performance.now() - began;
    const switchFrames = (emulator.links().find((l) => l.id === LAN_NAME)?.frames ?? 0) - framesBefore;
    return {
      hosts,
      rounds,
      answered,
      commands,
      switchFrames,
      wallMs,
      framesPerSecond: wallMs > 0 ? (switchFrames / wallMs) * 1000 : 0,
      ...placementFigures(emulator),
      virtualNs: emulator.now() - virtualStart,
    };
  } finally {
    await emulator.close();
  }
}
