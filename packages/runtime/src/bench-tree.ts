/**
 * `netloom bench tree`: a big network made ready, then used end to end. A tree of real routers — a
 * root, `fanout` routers below each router, down to leaf routers — where every leaf router is the
 * gateway of a switched LAN of hosts. The sizes make the total exactly `nodes`: as many LANs of
 * `hostsPerLan` hosts as fit with their routers, and the hosts left over go to the last LAN, the
 * biggest. Nodes are listed depth first (a router, then its subtrees; a leaf router, then its
 * hosts), so packed placement's contiguous split keeps subtrees together.
 *
 * Addresses and routes are startup commands, as a topology file would set them (a spec has no
 * other way): LAN j is a block of 10.0.0.0/8 sized for the biggest LAN, its leaf router's eth1 the
 * first address and the gateway; the link above router u is 172.16.0.0/12's u-th /30, the upper
 * router .1, the lower .2. Hosts and routers route `default` up the tree; every router has a route
 * per LAN below it, through the child whose subtree holds it (no aggregation: that is most of a
 * router's table, as a flat routing design would have it).
 *
 * Figures: time to ready (Emulator.load to start() returned), peak RSS, then the wall time of
 * `ping -c 1` from the first host to the last (across the root), and of an ARP storm on the biggest
 * LAN: every host on it runs `arping -c 1` and `ping -c 1` to its gateway at once — answers and the
 * LAN's frames counted. Figures only: no verdict reads a time.
 */
import { performance } from 'node:perf_hooks';
import type { LanSpec, LinkSpec, NodeSpec, TopologySpec } from '@netloom/topology';
import { formatIpv4 } from '@netloom/wire';
import type { Emulator } from './emulator.js';
import type { Placement } from './emulator-types.js';
import { benchMac, emulatorOptions, placementFigures, startBenchEmulator, type BenchRunOptions } from './bench-common.js';

export interface BenchTreeOptions extends BenchRunOptions {
  /** Nodes in all, routers and hosts (default 100,000). */
  nodes?: number;
  /** Routers below each router (default 16). */
  fanout?: number;
  /** Hosts on each LAN but the last, the biggest (default 64). */
  hostsPerLan?: number;
  /** Latency of every link and LAN (default 100 µs). */
  latencyNs?: number;
}

export interface BenchTreeResult {
  nodes: number;
  routers: number;
  hosts: number;
  lans: number;
  /** Levels of routers, the root's included. */
  depth: number;
  fanout: number;
  hostsPerLan: number;
  /** Hosts on the biggest LAN (the last). */
  biggestLan: number;
  /** Startup commands run. */
  commands: number;
  /** From Emulator.load to start() done. */
  readyMs: number;
  /** `ping -c 1` from the first host to the last: whether the reply came, and the wall time it took. */
  pingAnswered: boolean;
  pingMs: number;
  /** The storm: arping and ping runs on the biggest LAN that exited 0, of `stormCommands`. */
  stormAnswered: number;
  stormCommands: number;
  /** Frames the biggest LAN's switch took in during the storm. */
  stormFrames: number;
  stormMs: number;
  peakRssBytes: number;
  placement: Placement;
  workers: number;
}

/** The routers per level (root first), the hosts per LAN (LAN j under leaf router j). */
export interface TreeShape {
  levels: number[];
  lanHosts: number[];
  routers: number;
  hosts: number;
}

/** The most links above routers: 172.16.0.0/12's /30s. */
const MAX_UPLINKS = 1 << 18;
/** Ports of one router (benchMac numbers 256, the uplink takes one). */
const MAX_FANOUT = 255;
/** The most nodes a tree takes: its specs alone are a few hundred bytes each. */
export const MAX_TREE_NODES = 1_000_000;

/** Routers per level, root first, of a tree over `leaves` leaf routers (a root above a single leaf). */
function routerLevels(leaves: number, fanout: number): number[] {
  const levels = [leaves];
  while (levels[0]! > 1) levels.unshift(Math.ceil(levels[0]! / fanout));
  if (levels.length === 1) levels.unshift(1);
  return levels;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** The most LANs of `hostsPerLan` hosts that fit in `nodes` with their routers; the rest of the hosts join the last LAN. */
export function treeShape(nodes: number, fanout: number, hostsPerLan: number): TreeShape {
  if (!Number.isInteger(fanout) || fanout < 2 || fanout > MAX_FANOUT) throw new RangeError(`a tree's fanout is 2 to ${MAX_FANOUT}, not ${fanout}`);
  if (!Number.isInteger(hostsPerLan) || hostsPerLan < 1) throw new RangeError(`a LAN needs at least 1 host, not ${hostsPerLan}`);
  const fits = (leaves: number) => leaves * hostsPerLan + sum(routerLevels(leaves, fanout)) <= nodes;
  if (!Number.isInteger(nodes) || nodes > MAX_TREE_NODES || !fits(1)) {
    throw new RangeError(`a tree with ${hostsPerLan} hosts per LAN has ${hostsPerLan + 2} to ${MAX_TREE_NODES} nodes, not ${nodes}`);
  }
  // Routers grow with leaves, so the leaves that fit are a prefix of 1, 2, …: search it.
  let low = 1;
  let high = Math.floor(nodes / (hostsPerLan + 1)) + 1;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  const levels = routerLevels(low, fanout);
  const routers = sum(levels);
  const hosts = nodes - routers;
  const lanHosts = Array.from({ length: low }, (_, j) => (j === low - 1 ? hosts - hostsPerLan * (low - 1) : hostsPerLan));
  return { levels, lanHosts, routers, hosts };
}

/** The prefix length of every LAN: room for the biggest LAN's hosts, its gateway, network and broadcast. */
function lanPrefixLength(biggest: number): number {
  return 32 - Math.ceil(Math.log2(biggest + 3));
}

interface TreeRouter {
  level: number;
  index: number;
  /** Its number among routers with an uplink (depth first), or -1 for the root. */
  uplink: number;
  children: TreeRouter[];
  /** The LANs below it: first and count (leaves are numbered depth first, so they are a run). */
  firstLan: number;
  lanCount: number;
}

export interface TreeNetwork {
  spec: TopologySpec;
  shape: TreeShape;
  /** Name, address and gateway of the first and last hosts; the biggest LAN's name and hosts. */
  firstHost: string;
  lastHost: string;
  lastHostAddress: string;
  biggestLan: { name: string; gateway: string; hosts: string[] };
}

const LAN_BASE = 0x0a000000; // 10.0.0.0/8
const UPLINK_BASE = 0xac100000; // 172.16.0.0/12

/** The tree's spec: routers and hosts depth first, their links and LANs, their startup commands. */
export function treeNetwork(nodes: number, fanout: number, hostsPerLan: number, latencyNs: number): TreeNetwork {
  const shape = treeShape(nodes, fanout, hostsPerLan);
  const lans = shape.lanHosts.length;
  const biggest = shape.lanHosts[lans - 1]!;
  const prefixLength = lanPrefixLength(biggest);
  const blockSize = 2 ** (32 - prefixLength);
  if (lans * blockSize > 1 << 24) throw new RangeError(`${lans} LANs of up to ${biggest} hosts do not fit in 10.0.0.0/8`);
  if (shape.routers - 1 > MAX_UPLINKS) throw new RangeError(`${shape.routers} routers do not fit in 172.16.0.0/12's /30s`);
  const lanNetwork = (j: number) => LAN_BASE + j * blockSize;
  const gateway = (j: number) => formatIpv4(lanNetwork(j) + 1);
  const upper = (u: number) => formatIpv4(UPLINK_BASE + u * 4 + 1);
  const lower = (u: number) => formatIpv4(UPLINK_BASE + u * 4 + 2);

  // The routers, level by level; child i of a level hangs under router ⌊i/fanout⌋ of the one above.
  const byLevel = shape.levels.map((count, level) => Array.from({ length: count }, (_, index): TreeRouter => ({ level, index, uplink: -1, children: [], firstLan: 0, lanCount: 0 })));
  for (let level = 1; level < byLevel.length; level++) for (const router of byLevel[level]!) byLevel[level - 1]![Math.floor(router.index / fanout)]!.children.push(router);
  const leafLevel = byLevel.length - 1;
  let uplinks = 0;
  const number = (router: TreeRouter): void => {
    if (router.level > 0) router.uplink = uplinks++;
    if (router.level === leafLevel) {
      router.firstLan = router.index;
      router.lanCount = 1;
      return;
    }
    for (const child of router.children) number(child);
    router.firstLan = router.children[0]!.firstLan;
    router.lanCount = sum(router.children.map((c) => c.lanCount));
  };
  const root = byLevel[0]![0]!;
  number(root);

  const nodeSpecs: NodeSpec[] = [];
  const links: LinkSpec[] = [];
  const lanSpecs: LanSpec[] = [];
  const params = () => ({ latencyNs, bandwidthBps: null, loss: 0, mtu: 1500, queue: 1000 });
  const routerName = (r: TreeRouter) => `r${r.level}-${r.index + 1}`;
  let hostNumber = 0;
  const interfaces = (count: number) => {
    const position = nodeSpecs.length + 1;
    return Array.from({ length: count }, (_, p) => ({ name: `eth${p}`, mac: benchMac(position, p + 1), mtu: 1500 }));
  };
  const visit = (router: TreeRouter): void => {
    const isLeaf = router.level === leafLevel;
    // The root's ports are all down links; the others' eth0 goes up.
    const down = router.level === 0 ? 0 : 1;
    const ports = isLeaf ? 2 : down + router.children.length;
    const exec = Array.from({ length: ports }, (_, p) => `ip link set eth${p} up`);
    if (router.level > 0) exec.push(`ip addr add ${lower(router.uplink)}/30 dev eth0`);
    if (isLeaf) exec.push(`ip addr add ${gateway(router.firstLan)}/${prefixLength} dev eth1`);
    router.children.forEach((child, c) => {
      exec.push(`ip addr add ${upper(child.uplink)}/30 dev eth${down + c}`);
      for (let j = child.firstLan; j < child.firstLan + child.lanCount; j++) exec.push(`ip route add ${formatIpv4(lanNetwork(j))}/${prefixLength} via ${lower(child.uplink)}`);
    });
    if (router.level > 0) exec.push(`ip route add default via ${upper(router.uplink)}`);
    const name = routerName(router);
    nodeSpecs.push({ name, kind: 'router', compat: [], exec, interfaces: interfaces(ports) });
    router.children.forEach((child, c) => {
      const a = { node: name, ifname: `eth${down + c}` };
      const b = { node: routerName(child), ifname: 'eth0' };
      links.push({ id: `${a.node}:${a.ifname}--${b.node}:${b.ifname}`, a, b, params: params() });
      visit(child);
    });
    if (!isLeaf) return;
    const j = router.firstLan;
    const members = [{ node: name, ifname: 'eth1' }];
    for (let k = 0; k < shape.lanHosts[j]!; k++) {
      const host = `h${++hostNumber}`;
      const address = `${formatIpv4(lanNetwork(j) + 2 + k)}/${prefixLength}`;
      nodeSpecs.push({ name: host, kind: 'host', compat: [], exec: ['ip link set eth0 up', `ip addr add ${address} dev eth0`, `ip route add default via ${gateway(j)}`], interfaces: interfaces(1) });
      members.push({ node: host, ifname: 'eth0' });
    }
    lanSpecs.push({ name: `lan${j + 1}`, type: 'switch', members, params: params() });
  };
  visit(root);

  const lastLan = lans - 1;
  const spec: TopologySpec = { name: `tree-${nodes}`, seed: 1, file: '(bench tree)', nodes: nodeSpecs, links, lans: lanSpecs, events: [], expect: [] };
  return {
    spec,
    shape,
    firstHost: 'h1',
    lastHost: `h${shape.hosts}`,
    lastHostAddress: formatIpv4(lanNetwork(lastLan) + 1 + biggest),
    biggestLan: { name: `lan${lans}`, gateway: gateway(lastLan), hosts: Array.from({ length: biggest }, (_, k) => `h${shape.hosts - biggest + k + 1}`) },
  };
}

/** Virtual time the storm may take: arping -w's and ping -W's 1 s deadlines and a margin. */
const STORM_LIMIT_NS = 3e9;

/** Every host of the biggest LAN arpings and pings its gateway at once; returns the commands that exited 0. */
async function arpStorm(emulator: Emulator, lan: TreeNetwork['biggestLan']): Promise<{ answered: number; commands: number }> {
  const ids = new Set<number>();
  let exited = 0;
  let answered = 0;
  const off = emulator.onExit((exit) => {
    if (!ids.has(exit.id)) return;
    exited++;
    if (exit.status === 0) answered++;
  });
  try {
    for (const host of lan.hosts) {
      ids.add((await emulator.spawn(host, `arping -c 1 -w 1 -I eth0 ${lan.gateway}`)).id);
      ids.add((await emulator.spawn(host, `ping -c 1 -W 1 ${lan.gateway}`)).id);
    }
    const began = emulator.now();
    while (exited < ids.size && emulator.now() - began < STORM_LIMIT_NS) await emulator.advance(emulator.stepSize() * 10);
    return { answered, commands: ids.size };
  } finally {
    off();
  }
}

export async function benchTree(options: BenchTreeOptions = {}): Promise<BenchTreeResult> {
  const fanout = options.fanout ?? 16;
  const hostsPerLan = options.hostsPerLan ?? 64;
  const network = treeNetwork(options.nodes ?? 100_000, fanout, hostsPerLan, options.latencyNs ?? 100_000);
  const { spec, shape } = network;
  const steps = 3;
  const began = performance.now();
  const emulator = await startBenchEmulator('tree', spec, emulatorOptions(options, { placement: 'packed', workers: 2 }));
  const readyMs = performance.now() - began;
  try {
    options.onProgress?.(1, steps);
    const pingBegan = performance.now();
    const ping = await emulator.exec(network.firstHost, `ping -c 1 -W 5 ${network.lastHostAddress}`);
    const pingMs = performance.now() - pingBegan;
    options.onProgress?.(2, steps);
    const lanFrames = () => emulator.links().find((l) => l.id === network.biggestLan.name)?.frames ?? 0;
    const framesBefore = lanFrames();
    const stormBegan = performance.now();
    const storm = await arpStorm(emulator, network.biggestLan);
    const stormMs = performance.now() - stormBegan;
    const stormFrames = lanFrames() - framesBefore;
    options.onProgress?.(3, steps);
    return {
      nodes: spec.nodes.length,
      routers: shape.routers,
      hosts: shape.hosts,
      lans: shape.lanHosts.length,
      depth: shape.levels.length,
      fanout,
      hostsPerLan,
      biggestLan: network.biggestLan.hosts.length,
      commands: sum(spec.nodes.map((n) => n.exec.length)),
      readyMs,
      pingAnswered: ping.status === 0,
      pingMs,
      stormAnswered: storm.answered,
      stormCommands: storm.commands,
      stormFrames,
      stormMs,
      ...placementFigures(emulator),
    };
  } finally {
    await emulator.close();
  }
}
