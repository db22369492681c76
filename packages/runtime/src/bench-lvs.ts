/**
 * `netloom bench lvs`: new TCP connections per second through one IPVS director. K clients on an
 * outside switch run `http-load` (one HTTP/1.0 GET per connection, C at a time each) against a
 * virtual service that the director masquerades (rr) to M real servers running `httpd` on an
 * inside switch. Every connection crosses the director four ways: the client's SYN scheduled and
 * rewritten, the replies rewritten back, the rest of the exchange and both FINs by the connection
 * table. Figures: connections the director made (`ipvsadm -L -n --stats --exact`), requests
 * answered, wall time, connections per wall second and per virtual second, peak RSS. Packed placement by default,
 * with the director alone on the last worker and the clients and real servers spread over the others
 * (`directorApart`), so every connection crosses shards both ways.
 * Figures only: no verdict reads a time.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { TopologySpec } from '@netloom/topology';
import type { Placement } from './emulator-types.js';
import { benchMac, emulatorOptions, placementFigures, startBenchEmulator, type BenchRunOptions } from './bench-common.js';

export interface BenchLvsOptions extends BenchRunOptions {
  /** Client nodes (default 4). */
  clients?: number;
  /** Real servers (default 4). */
  servers?: number;
  /** Connections in all, shared among the clients (default 2000). */
  connections?: number;
  /** Connections each client keeps open at once (default 10). */
  concurrency?: number;
}

export interface BenchLvsResult {
  clients: number;
  servers: number;
  /** Connections the director scheduled (its service's Conns). */
  connections: number;
  /** Requests http-load completed, of `requested`. */
  answered: number;
  requested: number;
  wallMs: number;
  connectionsPerSecond: number;
  /**
   * Connections per second of virtual time, from the first request to the last client's exit: the
   * emulated network's own rate (the same for every placement), beside the wall-time figure.
   */
  connectionsPerVirtualSecond: number;
  peakRssBytes: number;
  placement: Placement;
  workers: number;
  virtualNs: number;
}

export const LVS_DIRECTOR = 'director';
const VIP = '192.168.0.100';
const LATENCY_NS = 100_000;

/** Client i (0-based) on 192.168.0.0/16 from .1.1; real server j on 10.1.0.0/16 from .1.1. */
const clientAddress = (i: number): string => `192.168.${1 + (i >> 8)}.${1 + (i & 0xff)}`;
const serverAddress = (j: number): string => `10.1.${1 + (j >> 8)}.${1 + (j & 0xff)}`;

export function lvsSpec(clients: number, servers: number): TopologySpec {
  if (!Number.isInteger(clients) || clients < 1 || clients > 10_000) throw new RangeError(`an LVS bench needs 1 to 10000 clients, not ${clients}`);
  if (!Number.isInteger(servers) || servers < 1 || servers > 1024) throw new RangeError(`an LVS bench needs 1 to 1024 real servers, not ${servers}`);
  const params = { latencyNs: LATENCY_NS, bandwidthBps: null, loss: 0, mtu: 1500, queue: 1000 };
  const host = (name: string, index: number, exec: string[]) => ({ name, kind: 'host' as const, compat: [], exec, interfaces: [{ name: 'eth0', mac: benchMac(index, 1), mtu: 1500 }] });
  const clientNodes = Array.from({ length: clients }, (_, i) => host(`c${i + 1}`, i + 1, ['ip link set eth0 up', `ip addr add ${clientAddress(i)}/16 dev eth0`]));
  const serverNodes = Array.from({ length: servers }, (_, j) =>
    host(`rs${j + 1}`, clients + j + 1, ['ip link set eth0 up', `ip addr add ${serverAddress(j)}/16 dev eth0`, 'ip route add default via 10.1.0.1', 'httpd -p 80 > /dev/null &']),
  );
  const director = {
    name: LVS_DIRECTOR,
    kind: 'director' as const,
    compat: [],
    exec: [
      'ip link set eth0 up',
      'ip link set eth1 up',
      'ip addr add 192.168.0.1/16 dev eth0',
      `ip addr add ${VIP}/16 dev eth0`,
      'ip addr add 10.1.0.1/16 dev eth1',
      `ipvsadm -A -t ${VIP}:80 -s rr`,
      ...Array.from({ length: servers }, (_, j) => `ipvsadm -a -t ${VIP}:80 -r ${serverAddress(j)}:80 -m`),
    ],
    interfaces: [
      { name: 'eth0', mac: benchMac(clients + servers + 1, 1), mtu: 1500 },
      { name: 'eth1', mac: benchMac(clients + servers + 1, 2), mtu: 1500 },
    ],
  };
  const outside = { name: 'outside', type: 'switch' as const, members: [...clientNodes.map((n) => ({ node: n.name, ifname: 'eth0' })), { node: LVS_DIRECTOR, ifname: 'eth0' }], params: { ...params } };
  const inside = { name: 'inside', type: 'switch' as const, members: [{ node: LVS_DIRECTOR, ifname: 'eth1' }, ...serverNodes.map((n) => ({ node: n.name, ifname: 'eth0' }))], params: { ...params } };
  return { name: `lvs-${clients}x${servers}`, seed: 1, file: '(bench lvs)', nodes: [...clientNodes, ...serverNodes, director], links: [], lans: [outside, inside], events: [], expect: [] };
}

/** The director's service's Conns from `ipvsadm -L -n --stats --exact`. */
function serviceConnections(stats: string): number {
  const line = stats.split('\n').find((l) => l.startsWith('TCP  '));
  return Number(line?.trim().split(/\s+/)[2] ?? 0);
}

/**
 * Packed on `workers` threads: the director alone on the last, the other nodes in contiguous runs over the
 * rest. One worker: nothing to set apart (undefined).
 */
export function directorApart(names: readonly string[], workers: number): Record<string, number> | undefined {
  if (workers < 2) return undefined;
  const others = names.filter((name) => name !== LVS_DIRECTOR);
  const shardOf: Record<string, number> = { [LVS_DIRECTOR]: workers - 1 };
  others.forEach((name, j) => (shardOf[name] = Math.floor((j * (workers - 1)) / others.length)));
  return shardOf;
}

/** Virtual time the run may take at most (http-load's own -s 30 s per response bounds a stuck one). */
const RUN_LIMIT_NS = 600e9;

export async function benchLvs(options: BenchLvsOptions = {}): Promise<BenchLvsResult> {
  const clients = options.clients ?? 4;
  const servers = options.servers ?? 4;
  const requested = options.connections ?? 2000;
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(requested) || requested < clients) throw new RangeError(`at least one connection per client (${clients}), not ${requested}`);
  const spec = lvsSpec(clients, servers);
  const opened = emulatorOptions(options, { placement: 'packed' });
  const workers = Math.min(opened.workers ?? availableParallelism(), spec.nodes.length);
  const shardOf = opened.placement === 'packed' ? directorApart(spec.nodes.map((n) => n.name), workers) : undefined;
  const emulator = await startBenchEmulator('lvs', spec, { ...opened, ...(shardOf !== undefined ? { shardOf } : {}) });
  try {
    // Warm-up: one request per client resolves every neighbour on both sides.
    for (let i = 0; i < clients; i++) await emulator.exec(`c${i + 1}`, `http-load -n 1 http://${VIP}/`);
    const before = serviceConnections((await emulator.exec(LVS_DIRECTOR, 'ipvsadm -L -n --stats --exact')).stdout);
    // http-load's `Complete requests:` line, per spawned command (its output is a few hundred bytes).
    const loads = new Map<number, string>();
    let exited = 0;
    let lastExitAt = 0;
    emulator.onOutput((out) => {
      const text = loads.get(out.id);
      if (text !== undefined && out.stream === 'stdout') loads.set(out.id, text + out.text);
    });
    emulator.onExit((exit) => {
      if (!loads.has(exit.id)) return;
      exited++;
      lastExitAt = Math.max(lastExitAt, exit.t);
    });
    const virtualStart = emulator.now();
    const began = performance.now();
    for (let i = 0; i < clients; i++) {
      const share = Math.floor(requested / clients) + (i < requested % clients ? 1 : 0);
      const { id } = await emulator.spawn(`c${i + 1}`, `http-load -n ${share} -c ${Math.min(concurrency, share)} http://${VIP}/`);
      loads.set(id, '');
    }
    while (exited < clients && emulator.now() - virtualStart < RUN_LIMIT_NS) {
      await emulator.advance(emulator.stepSize() * 100);
      options.onProgress?.(exited, clients);
    }
    const wallMs = performance.now() - began;
    let answered = 0;
    for (const text of loads.values()) answered += Number(/^Complete requests:\s+(\d+)/m.exec(text)?.[1] ?? 0);
    const connections = serviceConnections((await emulator.exec(LVS_DIRECTOR, 'ipvsadm -L -n --stats --exact')).stdout) - before;
    return {
      clients,
      servers,
      connections,
      answered,
      requested,
      wallMs,
      connectionsPerSecond: wallMs > 0 ? (connections / wallMs) * 1000 : 0,
      connectionsPerVirtualSecond: lastExitAt > virtualStart ? (connections / (lastExitAt - virtualStart)) * 1e9 : 0,
      ...placementFigures(emulator),
      virtualNs: emulator.now() - virtualStart,
    };
  } finally {
    await emulator.close();
  }
}
