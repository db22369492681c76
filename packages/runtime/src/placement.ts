/**
 * From a TopologySpec to the tables every shard shares: nodes (file order), ports (link endpoints
 * in link order, then LAN members in LAN order), links (point-to-point links, then LANs), and which
 * shard hosts each node.
 *
 * `per-node`: node i on shard i. `packed` with N workers: contiguous runs of nodes, node i on shard
 * ⌊i·N/count⌋, so neighbours in a chain share a thread. `inline`: everything on shard 0 in the
 * main thread. The indexes never depend on the placement, so neither do the event ordering keys.
 *
 * Without a placement asked for, a topology of up to INLINE_NODE_LIMIT nodes runs inline: no worker
 * threads to start (each loads the whole stack, ~0.2 s before the first window) and no barrier per
 * window; bigger ones, or any run given a worker count, are packed.
 */
import type { LinkPlacement, NodePlacement, PortPlacement } from '@netloom/ipc';
import type { TopologySpec } from '@netloom/topology';
import { configuresIpv6 } from '@netloom/topology';
import type { Placement } from './emulator-types.js';
import { hashSeed } from './prng.js';

export interface Tables {
  nodes: NodePlacement[];
  ports: PortPlacement[];
  links: LinkPlacement[];
  shards: number;
}

export function parseMacText(text: string): Uint8Array {
  const bytes = new Uint8Array(6);
  text.split(':').forEach((part, i) => {
    if (i < 6) bytes[i] = Number.parseInt(part, 16) & 0xff;
  });
  return bytes;
}

/**
 * The most nodes the default placement runs inline. Measured on the project's 2-core machine with
 * `netloom bench chain --packets 20000`: inline and packed on 2 workers forward at the same rate
 * at 16 routers (410k hop-forwards/s each); at 40 routers packed leads (470k against 415k).
 */
export const INLINE_NODE_LIMIT = 16;

/** The placement used when none is given: inline for small topologies, packed otherwise or when `workers` is given. */
export function defaultPlacement(nodeCount: number, workers: number | undefined): Placement {
  return workers === undefined && nodeCount <= INLINE_NODE_LIMIT ? 'inline' : 'packed';
}

export function shardCount(placement: Placement, nodeCount: number, workers: number): number {
  if (placement === 'inline') return 1;
  if (placement === 'per-node') return Math.max(1, nodeCount);
  return Math.max(1, Math.min(workers, nodeCount));
}

/**
 * The shard of each node: inline 0, per-node its index, packed ⌊i·N/count⌋ unless `shardOf` names it.
 * An assignment outside 0…shards-1, to a node the topology lacks, outside packed placement, or that
 * leaves a shard empty is refused with what was wrong (a RangeError the Emulator reports).
 */
export function assignShards(names: readonly string[], placement: Placement, shards: number, shardOf: Readonly<Record<string, number>> | undefined): number[] {
  const count = names.length;
  const contiguous = names.map((_, i) => (placement === 'inline' ? 0 : placement === 'per-node' ? i : Math.floor((i * shards) / count)));
  if (shardOf === undefined) return contiguous;
  if (placement !== 'packed') throw new RangeError(`shardOf applies to packed placement only, not ${placement}`);
  const known = new Set(names);
  for (const [name, shard] of Object.entries(shardOf)) {
    if (!known.has(name)) throw new RangeError(`shardOf: no node ${name} in the topology`);
    if (!Number.isInteger(shard) || shard < 0 || shard >= shards) throw new RangeError(`shardOf: node ${name} on shard ${shard}, but there are shards 0-${shards - 1}`);
  }
  const assigned = names.map((name, i) => shardOf[name] ?? contiguous[i]!);
  for (let shard = 0; shard < shards; shard++) {
    if (!assigned.includes(shard)) throw new RangeError(`shardOf leaves shard ${shard} without a node`);
  }
  return assigned;
}

export function buildTables(spec: TopologySpec, seed: number, placement: Placement, workers: number, shardOf?: Readonly<Record<string, number>>): Tables {
  const count = spec.nodes.length;
  const shards = shardCount(placement, count, workers);
  const shardOfNode = assignShards(
    spec.nodes.map((node) => node.name),
    placement,
    shards,
    shardOf,
  );
  const nodeIndex = new Map(spec.nodes.map((node, i) => [node.name, i]));
  const ndiscProbes = configuresIpv6(spec);
  const nodes: NodePlacement[] = spec.nodes.map((node, i) => ({
    index: i,
    name: node.name,
    kind: node.kind,
    compat: [...node.compat],
    seed: hashSeed(seed, 'node', node.name),
    interfaces: node.interfaces.map((iface) => ({ name: iface.name, mac: parseMacText(iface.mac), mtu: iface.mtu })),
    shard: shardOfNode[i]!,
    ...(node.files !== undefined ? { files: node.files.map((f) => ({ ...f })) } : {}),
    ...(node.ra !== undefined ? { routerAdvertisements: node.ra.map((r) => ({ ...r })) } : {}),
    ...(ndiscProbes ? { ndiscProbes } : {}),
    ...(node.healthChecks !== undefined ? { healthChecks: node.healthChecks.map((h) => ({ ...h })) } : {}),
  }));
  const ports: PortPlacement[] = [];
  const links: LinkPlacement[] = [];
  const addPort = (endpoint: { node: string; ifname: string }, link: number): number => {
    const index = ports.length;
    ports.push({ index, node: nodeIndex.get(endpoint.node) ?? 0, ifname: endpoint.ifname, link });
    return index;
  };
  for (const link of spec.links) {
    const index = links.length;
    links.push({ index, id: link.id, type: 'p2p', ports: [addPort(link.a, index), addPort(link.b, index)], params: { ...link.params }, up: true });
  }
  for (const lan of spec.lans) {
    const index = links.length;
    links.push({ index, id: lan.name, type: lan.type, ports: lan.members.map((m) => addPort(m, index)), params: { ...lan.params }, up: true });
  }
  return { nodes, ports, links, shards };
}
