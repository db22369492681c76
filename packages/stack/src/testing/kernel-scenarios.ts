/**
 * Seeded random control-plane scenarios for the differential test against Linux: devices up/down
 * and carrier changes, addresses (primary, secondary, labels, brd, noprefixroute, metric), routes of
 * every type in several tables (add/append/prepend/replace/change/del, metrics, tos, src, onlink,
 * proto, scope, multipath), policy rules with most selectors, a few sysctls, then queries: `ip -4
 * route show table all`, `ip rule show`, `ip -4 addr show`, `ip -4 -j addr show` and many `ip route
 * get` lookups (destinations, sources, marks, tos, oif, iif). The same steps run in a namespace and
 * in the model. PRNG: mulberry32 (deterministic per seed).
 */
import type { NamespaceStep } from './kernel-namespaces.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SCENARIO_DEVICES = ['eth0', 'eth1', 'eth2'] as const;

export function deviceMac(index: number): string {
  return `02:00:00:00:00:0${index + 1}`;
}

interface Subnet {
  base: [number, number, number, number];
  length: number;
}

const SUBNETS: readonly Subnet[] = [
  { base: [192, 168, 1, 0], length: 24 },
  { base: [192, 168, 2, 0], length: 24 },
  { base: [10, 1, 0, 0], length: 16 },
  { base: [10, 2, 0, 0], length: 16 },
  { base: [172, 16, 5, 0], length: 25 },
  { base: [172, 16, 5, 0], length: 24 },
  { base: [10, 9, 9, 0], length: 30 },
  { base: [10, 9, 8, 0], length: 31 },
  { base: [198, 18, 0, 0], length: 15 },
];

function hostIn(subnet: Subnet, host: number): string {
  const value = ((subnet.base[0] << 24) | (subnet.base[1] << 16) | (subnet.base[2] << 8) | subnet.base[3]) >>> 0;
  const size = 2 ** (32 - subnet.length);
  const offset = subnet.length >= 31 ? host % size : 1 + (host % Math.max(1, Math.min(size - 2, 40)));
  const a = (value + offset) >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function broadcastOfSubnet(subnet: Subnet): string {
  const value = ((subnet.base[0] << 24) | (subnet.base[1] << 16) | (subnet.base[2] << 8) | subnet.base[3]) >>> 0;
  const a = (value | (2 ** (32 - subnet.length) - 1)) >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function subnetText(subnet: Subnet): string {
  return `${subnet.base.join('.')}/${subnet.length}`;
}

export interface Scenario {
  seed: number;
  steps: NamespaceStep[];
  /** Indexes of steps that are queries (their output is compared); all command steps are compared. */
  queryCount: number;
}

/** Build one scenario from a seed. */
export function generateScenario(seed: number): Scenario {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number): boolean => random() < p;
  const int = (n: number): number => Math.floor(random() * n);
  const steps: NamespaceStep[] = [];
  const cmd = (line: string): void => {
    steps.push({ kind: 'command', line });
  };
  const devices = SCENARIO_DEVICES.slice(0, 1 + int(3));
  for (const dev of devices) cmd(`ip link set ${dev} up`);

  // sysctls
  if (chance(0.3)) cmd('sysctl -q -w net.ipv4.conf.all.promote_secondaries=1');
  if (chance(0.3)) cmd('sysctl -q -w net.ipv4.ip_forward=1');
  if (chance(0.2)) cmd(`sysctl -q -w net.ipv4.conf.${pick(devices)}.rp_filter=${1 + int(2)}`);
  if (chance(0.15)) cmd('sysctl -q -w net.ipv4.conf.all.ignore_routes_with_linkdown=1');

  // addresses
  const addresses: { dev: string; address: string; subnet: Subnet }[] = [];
  const usedSubnets: { dev: string; subnet: Subnet }[] = [];
  const addressCount = 1 + int(6);
  for (let i = 0; i < addressCount; i++) {
    const dev = pick(devices);
    const subnet = chance(0.3) && usedSubnets.length ? pick(usedSubnets).subnet : pick(SUBNETS);
    const address = hostIn(subnet, int(50));
    let line = `ip addr add ${address}/${subnet.length}`;
    if (chance(0.2)) line += ' brd +';
    if (chance(0.2)) line += ` label ${dev}:${int(3)}`;
    if (chance(0.1)) line += ' noprefixroute';
    if (chance(0.1)) line += ` metric ${pick([5, 100])}`;
    if (chance(0.05)) line += ' scope link';
    cmd(`${line} dev ${dev}`);
    addresses.push({ dev, address, subnet });
    usedSubnets.push({ dev, subnet });
  }
  if (chance(0.2)) cmd(`ip addr add 127.0.0.2/8 dev lo`);

  const gateways = (): string => {
    if (usedSubnets.length && chance(0.85)) return hostIn(pick(usedSubnets).subnet, 30 + int(20));
    return hostIn(pick(SUBNETS), 30 + int(20));
  };
  const destinations = ['default', '10.50.0.0/16', '10.50.1.0/24', '10.60.0.0/16', '172.20.0.0/14', '10.50.1.128/25', '8.8.8.0/24', '10.50.1.7/32', '10.1.0.0/16', '192.168.1.0/24'];
  const tables = ['', '', '', ' table 100', ' table 200', ' table main'];
  const routeCount = 2 + int(10);
  const addedRoutes: string[] = [];
  for (let i = 0; i < routeCount; i++) {
    const mode = pick(['add', 'add', 'add', 'append', 'prepend', 'replace', 'change', 'del']);
    if (mode === 'del' && addedRoutes.length && chance(0.7)) {
      const victim = pick(addedRoutes);
      cmd(`ip route del ${chance(0.5) ? victim : victim.split(' ').slice(0, victim.startsWith('blackhole') || victim.startsWith('unreachable') || victim.startsWith('prohibit') || victim.startsWith('throw') ? 2 : 1).join(' ')}`);
      continue;
    }
    const type = pick(['', '', '', '', '', 'blackhole ', 'unreachable ', 'prohibit ', 'throw ', 'local ']);
    const dst = pick(destinations);
    let spec = `${type}${dst}`;
    if (type === '' || type === 'local ') {
      const shape = int(6);
      if (type === 'local ') spec += ` dev ${pick(devices)}`;
      else if (shape === 0) spec += ` dev ${pick(devices)}`;
      else if (shape === 1) spec += ` via ${gateways()} dev ${pick(devices)} onlink`;
      else if (shape === 2) spec += ` nexthop via ${gateways()}${chance(0.5) ? ` weight ${1 + int(3)}` : ''} nexthop via ${gateways()}`;
      else spec += ` via ${gateways()}`;
      if (shape !== 2 && chance(0.25) && addresses.length) spec += ` src ${chance(0.85) ? pick(addresses).address : '10.77.7.7'}`;
      if (shape !== 2 && chance(0.1)) spec += ` scope ${pick(['link', 'host', 'global'])}`;
      if (shape !== 2 && chance(0.15)) spec += ' proto static';
      if (shape !== 2 && chance(0.1)) spec += ` mtu ${pick([1400, 1280])}`;
    }
    if (!spec.includes('nexthop')) {
      if (chance(0.4)) spec += ` metric ${pick([0, 10, 100])}`;
      if (chance(0.1)) spec += ' tos 0x10';
      spec += pick(tables);
    }
    addedRoutes.push(spec);
    cmd(`ip route ${mode} ${spec}`);
  }

  // rules
  const ruleCount = chance(0.5) ? int(4) : 0;
  for (let i = 0; i < ruleCount; i++) {
    const selectors = [
      addresses.length ? `from ${pick(addresses).address}` : 'from 10.1.0.0/16',
      'from 10.0.0.0/8',
      'to 10.50.0.0/16',
      'to 8.8.8.8',
      `iif ${pick(devices)}`,
      `oif ${pick(devices)}`,
      'iif lo',
      'fwmark 0x10',
      'fwmark 0x10/0xf0',
      'tos 0x10',
      'ipproto udp dport 53',
      'not from 10.0.0.0/8',
      'uidrange 1000-2000',
      'sport 1000-2000',
      '',
    ];
    const action = pick(['lookup 100', 'lookup 100', 'lookup 200', 'table main', 'blackhole', 'unreachable', 'prohibit', 'lookup 100 suppress_prefixlength 0', 'goto 32766']);
    const pref = chance(0.5) ? ` pref ${pick([100, 200, 1000, 32000])}` : '';
    cmd(`ip rule add ${pick(selectors)} ${action}${pref}`.replace(/  +/g, ' '));
  }

  // net-tools
  if (chance(0.3)) {
    const gw = gateways();
    cmd(
      pick([
        `route add default gw ${gw}`,
        `route add -net 10.70.0.0 netmask 255.255.0.0 gw ${gw}${chance(0.5) ? ` metric ${pick([1, 5])}` : ''}`,
        `route add -net 10.71.0.0/16 dev ${pick(devices)}`,
        `route add -host 10.9.9.9 gw ${gw}`,
        `route add -net 10.76.0.0 netmask 255.255.0.0 reject`,
        `route add -net 10.70.0.1 netmask 255.255.0.0 gw ${gw}`,
        `route add -net 10.75.0.0 gw ${gw}`,
        'route del default',
        `route del -net 10.50.0.0 netmask 255.255.0.0`,
        `route delete default`,
      ]),
    );
  }
  if (chance(0.15)) {
    const dev = pick(devices);
    cmd(pick([`ifconfig ${dev} 10.5.5.${1 + int(9)}`, `ifconfig ${dev} 10.5.${int(3)}.5 netmask 255.255.255.0`, `ifconfig ${dev}:1 172.16.${int(3)}.1 netmask 255.255.0.0`, `ifconfig ${dev}:1 down`, `ifconfig ${dev} down`, `ifconfig ${dev} up`]));
  }
  if (chance(0.15)) cmd(`sysctl -w net.ipv4.conf.default.rp_filter=${1 + int(2)}`);
  if (chance(0.1)) cmd(`sysctl -w net.ipv4.conf.${pick(devices)}.send_redirects=0`);

  // events
  if (chance(0.35) && addresses.length) {
    const victim = pick(addresses);
    cmd(`ip addr del ${victim.address}/${victim.subnet.length} dev ${victim.dev}`);
  }
  if (chance(0.1) && addresses.length) cmd(`ip addr del ${pick(addresses).address} dev ${pick(devices)}`);
  if (chance(0.1)) cmd(`ip addr flush dev ${pick(devices)}${chance(0.5) ? ' secondary' : ''}`);
  if (chance(0.1)) cmd(`ip route flush ${pick(['table 100', 'dev ' + pick(devices), 'proto static', 'table main type unreachable', 'root 10.0.0.0/8'])}`);
  if (chance(0.1)) cmd(`ip rule del ${pick(['pref 100', 'table 100', 'from 10.0.0.0/8', 'blackhole', 'fwmark 0x10'])}`);
  if (chance(0.05)) cmd(pick(['ip route add 10.99.0.0/33 via 10.1.0.1', 'ip route add 300.1.1.0/24 dev eth0', 'ip addr add 10.2.0.999/24 dev eth0', 'ip route add 10.1.0.1/8 dev eth0', 'ip route foo', 'ip rule add from 1.2.3.4 goto 1 pref 5']));
  if (chance(0.2)) {
    const dev = pick(devices);
    cmd(`ip link set ${dev} down`);
    if (chance(0.5)) cmd(`ip link set ${dev} up`);
  }
  if (chance(0.2)) steps.push({ kind: 'carrier', dev: pick(devices), up: false });

  // queries
  const before = steps.length;
  cmd('ip -4 route show table all');
  cmd('ip rule show');
  cmd('ip -4 addr show');
  if (chance(0.3)) cmd('ip -4 -j addr show');
  if (chance(0.3)) cmd('ip route show table 100');
  if (chance(0.2)) cmd('ip -4 -j route show table all');
  if (chance(0.2)) cmd('ip -4 -d route show');
  if (chance(0.15)) cmd(`ip route show ${pick(['dev ' + pick(devices), 'proto kernel', 'scope link', 'type unreachable', 'root 10.0.0.0/8', 'match 10.50.1.7', '10.50.0.0/16', 'table local type broadcast'])}`);
  if (chance(0.15)) cmd('ip -j rule show');
  if (chance(0.2)) cmd(pick(['ip -4 -br addr', 'ip -br link', 'ip link show', 'ip -j link show', 'ip -4 addr show up', 'ip -4 addr show scope link', 'ip -4 addr show secondary']));
  if (chance(0.4)) cmd('route -n');
  if (chance(0.2)) cmd('netstat -rn');
  if (chance(0.1)) cmd('route -nee');
  if (chance(0.2)) cmd(pick(['ifconfig', 'ifconfig -a', `ifconfig ${pick(devices)}`, `ifconfig ${pick(devices)}:1`]));
  if (chance(0.3)) cmd(`sysctl ${devices.map((d) => `net.ipv4.conf.${d}.rp_filter net.ipv4.conf.${d}.forwarding net.ipv4.conf.${d}.send_redirects`).join(' ')} net.ipv4.conf.all.accept_redirects net.ipv4.ip_forward`);
  const targets = [
    '10.50.1.7', '10.50.1.200', '10.60.3.3', '8.8.8.8', '172.21.0.1', '127.0.0.1', '127.0.0.2', '10.1.2.3', '192.168.1.255', '255.255.255.255',
    ...addresses.map((a) => a.address),
    ...usedSubnets.map((s) => broadcastOfSubnet(s.subnet)),
    ...usedSubnets.map((s) => hostIn(s.subnet, 33)),
  ];
  const getCount = 10 + int(10);
  for (let i = 0; i < getCount; i++) {
    let line = `ip route get ${pick(targets)}`;
    const variant = int(10);
    if (variant === 0 && addresses.length) line += ` from ${pick(addresses).address}`;
    else if (variant === 1) line += ` mark ${pick([0x10, 0x11, 5])}`;
    else if (variant === 2) line += ' tos 0x10';
    else if (variant === 3) line += ` oif ${pick(devices)}`;
    else if (variant === 4) line += ` from ${pick([...addresses.map((a) => a.address), '10.50.1.9', '8.8.4.4'])} iif ${pick(devices)}`;
    else if (variant === 5) line += ' ipproto udp dport 53';
    else if (variant === 6 && addresses.length) line += ` from ${pick(addresses).address} oif ${pick(devices)}`;
    else if (variant === 7) line += ` from ${pick(['10.50.1.9', '8.8.4.4', '192.168.1.33', '10.1.0.33'])} iif ${pick(devices)} mark 0x10`;
    else if (variant === 8) line += ` uid ${pick([0, 1500, 3000])}${chance(0.5) ? ' ipproto tcp sport 1500 dport 80' : ''}`;
    cmd(line);
  }
  return { seed, steps, queryCount: steps.length - before };
}
