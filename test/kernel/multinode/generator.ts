/**
 * A seeded generator of small random networks for the multi-node differential test (issue #13,
 * "Deliver"): 3–7 nodes, routers joined by point-to-point links (a random tree), one switched LAN
 * with one or two routers and one to three hosts, the other hosts on a point-to-point link each; every
 * router has a static route to every subnet (shortest path), a host a default route (a LAN host with
 * two routers may get a multipath default or a gateway that redirects); some routers carry policy
 * rules (a table 100 with the same next hops); sysctls drawn per node (rp_filter, send_redirects,
 * accept_redirects, secure_redirects, arp_ignore, arp_announce). The steps probe with ping,
 * traceroute, `ip route get`, `ip neigh` and `ip -s link`, and change the network midway (a LAN host
 * set down and up, a secondary address added, a router's forwarding switched off and on, a link's MTU
 * lowered).
 *
 * Same seed, same scenario: the draws come from a small xorshift generator seeded with the seed
 * (never Math.random).
 *
 * Kept out, each because netloom still differs there (issue #13 items 6–8, which wait for the split of
 * packages/stack/src/kernel.ts), or because the outcome is a race on Linux:
 * - no route anywhere (every router routes every subnet; hosts have a default route), and ICMP error
 *   rate limiting off (icmp_ratemask=0 on every node): a router with no route charges its inet_peer
 *   budget twice on Linux and once in netloom (item 6), and that budget shares its rate_last with
 *   redirects;
 * - no address deletion (Linux flushes the neighbour table when an interface's last address goes:
 *   item 7) and no traffic to a node's own address (`lo` counters: item 8);
 * - no traffic toward a point-to-point neighbour whose carrier is gone (item 2: netloom drops before
 *   the neighbour table) — only LAN hosts go down, and a bridge keeps its other ports' carrier;
 * - `ping` in the probes always from a node whose packet leaves without a redirect being printed: the
 *   redirect line (item 1) needs the stack to hand the redirect to ping (after the split), so a ping
 *   whose first hop would redirect it is made by a router, not by the redirected host;
 * - timing races: a LAN host that was down speaks first once up (the bridge forgot its MAC, and
 *   how much of a burst toward it floods depends on microseconds), the base reachable time is pinned to 120 s (REACHABLE lasts 60–180 s, longer than a
 *   run), `ip neigh` and `ip -s link` are read only after 6 s without traffic (a DELAY entry's 5 s
 *   timer may fire up to an eighth late on Linux), probes are 0.3 s apart (the redirect back-off is
 *   20 ms << n) and a host draws at most three redirects;
 * - no traceroute or ping crosses a multipath route (`multipathNexthops`): traceroute connects each
 *   probe's socket, and a connected socket's route is looked up again with the source the first
 *   lookup chose (ip_route_connect), so its hash covers that source; netloom's traceroute sends its
 *   probes unconnected, hashing with none (seen with this exclusion lifted: seed 1053's traceroute
 *   leaves by the other gateway; netloom's connected UDP sockets do follow ip_route_connect). A host with a multipath route sets
 *   `net.ipv4.fib_multipath_hash_seed`, so `ip route get` through it takes the same next hop in both
 *   worlds (the kernel's siphash, reproduced by netloom).
 */
import type { Scenario, ScenarioNode, ScenarioStep } from './scenario.js';

/** A host's multipath hash seed: nonzero, fixed by the scenario's seed and the host's name. */
function multipathHashSeed(seed: number, host: string): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  for (const c of host) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h || 1;
}

/** xorshift32: deterministic draws for one seed. */
class Draw {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0 || 1;
    for (let i = 0; i < 8; i++) this.next();
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

interface Member {
  node: string;
  ifname: string;
  address: string;
}

interface Subnet {
  prefix: string;
  /** Point-to-point (two members) or the LAN. */
  lan: boolean;
  members: Member[];
}

export interface GeneratedScenario extends Scenario {
  /** Per node, next hops of its multipath routes (normalised in `ip route get`). */
  multipathNexthops: Record<string, string[]>;
}

const SETTLE_S = 6;
const STEP_GAP_S = 0.3;

export function generateScenario(seed: number): GeneratedScenario {
  const draw = new Draw(seed);
  const nodeCount = 3 + draw.int(5);
  const routerCount = Math.max(1, Math.min(nodeCount - 2, 1 + draw.int(3)));
  const routers = Array.from({ length: routerCount }, (_, i) => `r${i + 1}`);
  const hosts = Array.from({ length: nodeCount - routerCount }, (_, i) => `h${i + 1}`);
  const ifCount = new Map<string, number>();
  const nextIf = (node: string): string => {
    const n = ifCount.get(node) ?? 0;
    ifCount.set(node, n + 1);
    return `eth${n}`;
  };
  const subnets: Subnet[] = [];
  const links: Scenario['links'] = [];
  const addSubnet = (nodes: string[], lan: boolean): Subnet => {
    const k = subnets.length + 1;
    const subnet: Subnet = { prefix: `10.${k}.0`, lan, members: nodes.map((node, i) => ({ node, ifname: nextIf(node), address: `10.${k}.0.${i + 1}` })) };
    subnets.push(subnet);
    return subnet;
  };
  // Routers: a random tree of point-to-point links.
  for (let i = 1; i < routers.length; i++) {
    const s = addSubnet([routers[draw.int(i)]!, routers[i]!], false);
    links.push({ ends: [`${s.members[0]!.node}:${s.members[0]!.ifname}`, `${s.members[1]!.node}:${s.members[1]!.ifname}`] });
  }
  // The LAN: one or two routers and one to three hosts; the other hosts hang off a router each.
  const lanRouters = routers.length >= 2 && draw.chance(0.6) ? [routers[0]!, routers[1 + draw.int(routers.length - 1)]!] : [draw.pick(routers)];
  const lanHosts = hosts.slice(0, Math.max(1, Math.min(hosts.length, 1 + draw.int(3))));
  const lan = addSubnet([...lanHosts, ...lanRouters], true);
  for (const host of hosts.slice(lanHosts.length)) {
    const s = addSubnet([draw.pick(routers), host], false);
    links.push({ ends: [`${s.members[0]!.node}:${s.members[0]!.ifname}`, `${s.members[1]!.node}:${s.members[1]!.ifname}`] });
  }

  // Shortest paths over the router graph: for each router, the next hop toward each subnet.
  const neighbours = new Map<string, { node: string; via: string }[]>();
  for (const s of subnets) {
    for (const a of s.members) {
      for (const b of s.members) {
        if (a.node !== b.node && routers.includes(a.node) && routers.includes(b.node)) {
          neighbours.set(a.node, [...(neighbours.get(a.node) ?? []), { node: b.node, via: b.address }]);
        }
      }
    }
  }
  const distance = (from: string, to: string): number => {
    const seen = new Map([[from, 0]]);
    const queue = [from];
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const n of neighbours.get(at) ?? []) {
        if (!seen.has(n.node)) {
          seen.set(n.node, seen.get(at)! + 1);
          queue.push(n.node);
        }
      }
    }
    return seen.get(to) ?? Infinity;
  };
  const attached = (router: string, s: Subnet) => s.members.some((m) => m.node === router);
  /** The router's next hop toward subnet s (the neighbour closest to a router attached to it). */
  const nextHop = (router: string, s: Subnet): string => {
    const cost = (r: string) => Math.min(...s.members.filter((m) => routers.includes(m.node)).map((m) => distance(r, m.node)));
    let best: { node: string; via: string } | undefined;
    for (const n of neighbours.get(router) ?? []) if (best === undefined || cost(n.node) < cost(best.node)) best = n;
    return best!.via;
  };

  const setup = new Map<string, string[]>();
  const multipathNexthops: Record<string, string[]> = {};
  const all = [...hosts, ...routers];
  for (const node of all) {
    const cmds: string[] = [];
    for (const s of subnets) {
      for (const m of s.members.filter((x) => x.node === node)) {
        cmds.push(`ip link set ${m.ifname} up`, `ip addr add ${m.address}/24 dev ${m.ifname}`, `sysctl -qw net.ipv4.neigh.${m.ifname}.base_reachable_time_ms=120000`);
      }
    }
    cmds.push('sysctl -qw net.ipv4.icmp_ratemask=0');
    setup.set(node, cmds);
  }
  // Routes.
  for (const router of routers) {
    const cmds = setup.get(router)!;
    const usePolicy = draw.chance(0.3);
    for (const s of subnets) {
      if (attached(router, s)) continue;
      const via = nextHop(router, s);
      cmds.push(`ip route add ${s.prefix}.0/24 via ${via}`);
      if (usePolicy) cmds.push(`ip route add ${s.prefix}.0/24 via ${via} table 100`);
    }
    if (usePolicy) {
      cmds.push('ip rule add to 10.0.0.0/8 lookup 100 pref 100');
    }
  }
  /** Hosts whose default gateway may redirect them (two LAN routers), and the number of redirects drawn. */
  const redirected = new Map<string, number>();
  const defaultRoute = new Map<string, string>();
  for (const host of hosts) {
    const cmds = setup.get(host)!;
    const own = subnets.find((s) => s.members.some((m) => m.node === host))!;
    const gateways = own.members.filter((m) => routers.includes(m.node));
    if (own.lan && gateways.length === 2 && draw.chance(0.35)) {
      // A hash seed makes the kernel's choice reproducible, and netloom's the same (not drawn: the
      // draws of every other choice stay as they were).
      cmds.push(`sysctl -qw net.ipv4.fib_multipath_hash_seed=${multipathHashSeed(seed, host)}`);
      defaultRoute.set(host, `ip route add default nexthop via ${gateways[0]!.address} nexthop via ${gateways[1]!.address}`);
      multipathNexthops[host] = gateways.map((g) => g.address);
    } else {
      defaultRoute.set(host, `ip route add default via ${draw.pick(gateways).address}`);
      if (own.lan && gateways.length === 2) redirected.set(host, 0);
    }
    cmds.push(defaultRoute.get(host)!);
  }
  // Sysctls drawn per node.
  for (const node of all) {
    const cmds = setup.get(node)!;
    if (routers.includes(node)) {
      cmds.push(`sysctl -qw net.ipv4.conf.all.rp_filter=${draw.pick([0, 1, 2])}`);
      if (draw.chance(0.3)) cmds.push('sysctl -qw net.ipv4.conf.all.send_redirects=0');
    } else {
      if (draw.chance(0.3)) cmds.push('sysctl -qw net.ipv4.conf.all.accept_redirects=0');
      if (draw.chance(0.5)) cmds.push('sysctl -qw net.ipv4.conf.all.secure_redirects=0');
      cmds.push(`sysctl -qw net.ipv4.conf.all.arp_ignore=${draw.pick([0, 1])}`);
      cmds.push(`sysctl -qw net.ipv4.conf.all.arp_announce=${draw.pick([0, 1, 2])}`);
    }
  }

  const lanMembers = lan.members.map((m) => `${m.node}:${m.ifname}`);

  // Steps.
  const steps: ScenarioStep[] = [{ wait: 0.2 }];
  const down = new Set<string>();
  /** What ping and traceroute may aim at: not a node that is down, not one whose replies take a multipath route. */
  const addresses = (): Member[] => subnets.flatMap((s) => s.members).filter((m) => !down.has(m.node) && multipathNexthops[m.node] === undefined);
  /** Would a packet from `host` to `target` be forwarded by its gateway back onto the LAN (a redirect)? */
  const mayRedirect = (host: string, target: Member): boolean => redirected.has(host) && !lan.members.some((m) => m.node === target.node);
  /** One probe from a random node; `size`: a ping of that many data bytes (after an MTU change). */
  const probe = (size?: number): void => {
    const kind = size === undefined ? draw.int(3) : 0;
    const targets = addresses();
    const target = draw.pick(targets);
    const candidates = all.filter((n) => !down.has(n) && n !== target.node && multipathNexthops[n] === undefined);
    let from = draw.pick(candidates.length > 0 ? candidates : all.filter((n) => !down.has(n)));
    if (kind === 2 || from === target.node) {
      const node = draw.pick(all.filter((n) => !down.has(n)));
      steps.push({ node, cmd: `ip route get ${target.address}` });
      return;
    }
    if (mayRedirect(from, target)) {
      const count = redirected.get(from)!;
      if (count >= 3) from = draw.pick(routers.filter((r) => r !== target.node));
      else redirected.set(from, count + 1);
    }
    if (mayRedirect(from, target) && kind === 0) from = draw.pick(routers.filter((r) => r !== target.node));
    if (from === target.node) return;
    const ping = size === undefined ? `ping -c 1 -W 1 ${target.address}` : `ping -c 2 -i 0.3 -W 1 -s ${size} ${target.address}`;
    steps.push(kind === 0 ? { node: from, cmd: ping } : { node: from, cmd: `traceroute -n -q 1 -w 1 -m 8 ${target.address}` });
    steps.push({ wait: STEP_GAP_S });
  };
  const checkpoint = (): void => {
    steps.push({ wait: SETTLE_S });
    for (const node of [draw.pick(all.filter((n) => !down.has(n))), draw.pick(all)]) {
      steps.push({ node, cmd: 'ip neigh show' });
      steps.push({ node, cmd: 'ip -s link show' });
    }
  };
  for (let i = 0; i < 4; i++) probe();
  checkpoint();
  // Midway changes.
  const change = draw.int(4);
  if (change === 0 && lanHosts.length > 0) {
    const host = draw.pick(lanHosts);
    const m = lan.members.find((x) => x.node === host)!;
    steps.push({ note: `${host} sets ${m.ifname} down` }, { node: host, cmd: `ip link set ${m.ifname} down` }, { wait: STEP_GAP_S });
    down.add(host);
    for (let i = 0; i < 3; i++) probe();
    steps.push({ node: host, cmd: `ip link show ${m.ifname}` });
    // Setting the device down removed the host's default route with it, as on Linux: it is put back.
    // The bridge forgot the host's MAC; the others' neighbour entries still hold it, so a burst toward
    // it (traceroute's probes) would be flooded until its first answer teaches the bridge again — a
    // race of microseconds on Linux. The host speaks first.
    const gateway = lan.members.find((x) => x.node === lanRouters[0])!.address;
    steps.push(
      { note: `${host} sets ${m.ifname} up` },
      { node: host, cmd: `ip link set ${m.ifname} up` },
      { node: host, cmd: defaultRoute.get(host)! },
      { node: host, cmd: `ping -c 1 -W 1 ${gateway}` },
      { wait: STEP_GAP_S },
    );
    down.delete(host);
  } else if (change === 1) {
    const host = draw.pick(hosts);
    const own = subnets.find((s) => s.members.some((m) => m.node === host))!;
    const m = own.members.find((x) => x.node === host)!;
    const extra: Member = { node: host, ifname: m.ifname, address: `${own.prefix}.${100 + draw.int(100)}` };
    steps.push({ note: `${host} adds ${extra.address}` }, { node: host, cmd: `ip addr add ${extra.address}/24 dev ${m.ifname}` }, { wait: STEP_GAP_S });
    own.members.push(extra);
  } else if (change === 3 && links.length > 0) {
    // A link's MTU lowered at both ends: pings too big for it draw `Frag needed and DF set (mtu =
    // 1400)` from the router before it, and their sender learns the path MTU (`ip route get`).
    const [a, b] = draw.pick(links).ends.map((end) => end.split(':') as [string, string]);
    steps.push({ note: `the ${a![0]}-${b![0]} link's MTU is 1400` }, { node: a![0], cmd: `ip link set ${a![1]} mtu 1400` }, { node: b![0], cmd: `ip link set ${b![1]} mtu 1400` }, { wait: STEP_GAP_S });
    for (let i = 0; i < 3; i++) probe(1450);
  } else {
    const router = draw.pick(routers);
    steps.push({ note: `${router} stops forwarding` }, { node: router, cmd: 'sysctl -qw net.ipv4.ip_forward=0' }, { wait: STEP_GAP_S });
    for (let i = 0; i < 2; i++) probe();
    steps.push({ note: `${router} forwards again` }, { node: router, cmd: 'sysctl -qw net.ipv4.ip_forward=1' }, { wait: STEP_GAP_S });
  }
  for (let i = 0; i < 4; i++) probe();
  checkpoint();

  const nodes: ScenarioNode[] = all.map((name) => ({ name, kind: routers.includes(name) ? 'router' : 'host', setup: setup.get(name)! }));
  return {
    name: `mn-seed-${seed}`,
    nodes,
    links,
    lans: [{ name: 'lan', members: lanMembers }],
    steps,
    multipathNexthops,
  };
}
