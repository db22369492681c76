/**
 * The node's resolver against glibc's own getaddrinfo: the same configuration is given to a netloom
 * node and to a Linux network namespace (addresses with their flags, a route to each destination,
 * /etc/hosts and /etc/gai.conf bind-mounted over the machine's inside `unshare -m`, with
 * nsswitch.conf `hosts: files` as a node has no DNS), and `getent ahosts|ahostsv4|ahostsv6` must print
 * the same bytes. Covers every RFC 6724 §10.2 destination example, seed 003's "rockon" (and the
 * seed's test program's getaddrinfo call against `gaitest`), gai.conf's label, precedence
 * and scopev4 lines (what replaces glibc's tables, a line without /bits or without a value, a line glibc
 * skips), and /etc/hosts' quirks (inet_aton forms, a zone, comments, case, one address twice).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { NamespaceLab } from '@netloom/wire/testing/namespace-lab';
import { needs } from '@netloom/wire/testing/test-environment';
import { SECOND } from './testing/node-lab.js';
import { caseCommands, caseHosts, destinationCases, resolverNode } from './testing/resolver-cases.js';

const glibc = needs({ netns: true, tools: ['getent', 'unshare', 'mount'], files: { '/etc/gai.conf': 'apt-get install libc-bin', '/etc/nsswitch.conf': 'apt-get install libc-bin' } });
const python = needs({ netns: true, tools: ['getent', 'unshare', 'mount', 'python3'], files: { '/etc/gai.conf': 'apt-get install libc-bin', '/etc/nsswitch.conf': 'apt-get install libc-bin' } });

/**
 * The comparisons are synchronous (namespaces and getent through spawnSync): no timeout, as the other
 * kernel comparisons (docs/testing.md), since a timer cannot interrupt them and could only judge
 * speed. They take well under a second each.
 */
const NO_TIMEOUT = { timeout: 0 };

const dir = mkdtempSync(join(tmpdir(), 'netloom-gai-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Seed 003's test program, through python3's socket.getaddrinfo, which calls glibc's getaddrinfo as
 * the program does (name, service "", ai_protocol IPPROTO_TCP, nothing else) and gives the address
 * as getnameinfo(NI_NUMERICHOST) prints it; printed with the program's printf format and its
 * error(3) line.
 */
const SEED_PROGRAM = `import socket, sys
try:
    answers = socket.getaddrinfo(sys.argv[1], "", proto=socket.IPPROTO_TCP)
except socket.gaierror as e:
    sys.stderr.write("gaitest: getaddrinfo(%d): %s\\n" % (e.errno, e.strerror))
    sys.exit(1)
for family, socktype, protocol, _, address in answers:
    length = 28 if family == socket.AF_INET6 else 16
    print("family:%2d socktype:%2d protocol:%3d addr:%s(%d)" % (family, socktype, protocol, address[0], length))
`;

interface Scenario {
  title: string;
  lines: readonly string[];
  hosts: string;
  gaiConf?: string;
  commands: readonly string[];
}

/** What glibc prints for each command in a namespace configured by the scenario. */
function onLinux(s: Scenario, program?: string): { stdout: string; stderr: string; status: number }[] {
  const lab = new NamespaceLab('nlgai');
  try {
    lab.addNode('a', { ipv6: true });
    lab.addNode('b', { ipv6: true });
    lab.link('a:eth0', 'b:eth0');
    for (const line of s.lines) lab.sh('a', line);
    const hosts = join(dir, 'hosts');
    const gai = join(dir, 'gai.conf');
    const nss = join(dir, 'nsswitch.conf');
    writeFileSync(hosts, s.hosts);
    writeFileSync(gai, s.gaiConf ?? '');
    writeFileSync(nss, 'hosts: files\n');
    const mounts = `mount --bind ${hosts} /etc/hosts && mount --bind ${gai} /etc/gai.conf && mount --bind ${nss} /etc/nsswitch.conf`;
    return s.commands.map((cmd) => {
      const line = program !== undefined ? cmd.replace(/^gaitest/, program) : cmd;
      return lab.run('a', `unshare -m sh -c '${mounts} && ${line}'`);
    });
  } finally {
    lab.destroy();
  }
}

function onNetloom(s: Scenario): { stdout: string; stderr: string; status: number }[] {
  const lab = resolverNode(s.lines, { '/etc/hosts': s.hosts, ...(s.gaiConf !== undefined ? { '/etc/gai.conf': s.gaiConf } : {}) });
  return s.commands.map((cmd) => {
    const run = lab.exec('a', cmd, SECOND);
    return { stdout: run.stdout, stderr: run.stderr, status: run.status ?? -1 };
  });
}

const DUAL = ['ip link set eth0 up', 'ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad', 'ip addr add 10.1.2.4/24 dev eth0'];
const DUAL_HOSTS = '2001:db8:1::1 dual\n10.1.2.3 dual\n';

const scenarios: Scenario[] = [
  ...destinationCases.map((c) => ({ title: `RFC 6724 ${c.id}: ${c.rule}`, lines: caseCommands(c), hosts: caseHosts(c), commands: [`getent ahosts ${c.id}`] })),
  {
    title: 'seed 003 rockon, and prefer IPv4',
    lines: ['ip link set eth0 up', 'ip -6 addr add 2001::2/64 dev eth0 nodad', 'ip -6 addr add fec0::2/64 dev eth0 nodad', 'ip -6 addr add fe80::2/64 dev eth0 nodad', 'ip -6 route add fec0::1 dev eth0', 'ip -6 route add 2001::1 dev eth0', 'ip -6 route add fe80::1 dev eth0', 'ip addr add 10.0.0.2/24 dev eth0'],
    hosts: 'fec0::1 rockon\n2001::1 rockon\nfe80::1 rockon\n10.0.0.1 rockon\n',
    commands: ['getent ahosts rockon', 'getent ahostsv6 rockon', 'getent ahostsv4 rockon'],
  },
  { title: 'glibc default tables: IPv6 first', lines: DUAL, hosts: DUAL_HOSTS, commands: ['getent ahosts dual'] },
  { title: 'precedence ::ffff:0:0/96 100 (prefer IPv4), with a comment and a line glibc skips', lines: DUAL, hosts: DUAL_HOSTS, gaiConf: '# prefer IPv4\nprecedence ::ffff:0:0/96 100 # as gai.conf says\nbogus line here\n', commands: ['getent ahosts dual'] },
  { title: 'glibc skips a precedence or label prefix without /bits', lines: DUAL, hosts: DUAL_HOSTS, gaiConf: 'precedence 2001:db8:1::1 5\nlabel 2001:db8:1::1 9\n', commands: ['getent ahosts dual'] },
  { title: 'precedence with /128', lines: DUAL, hosts: DUAL_HOSTS, gaiConf: 'precedence 2001:db8:1::1/128 5\n', commands: ['getent ahosts dual'] },
  { title: 'a label line replaces the label table', lines: DUAL, hosts: DUAL_HOSTS, gaiConf: 'label 2001:db8:1::1/128 9\n', commands: ['getent ahosts dual'] },
  { title: 'a label without a value reads as 0', lines: DUAL, hosts: DUAL_HOSTS, gaiConf: 'label 2001:db8:1::1/128\n', commands: ['getent ahosts dual'] },
  { title: 'scopev4 (mapped form) decides at equal precedence', lines: DUAL, hosts: DUAL_HOSTS, gaiConf: 'precedence ::ffff:0:0/96 40\nscopev4 ::ffff:10.0.0.0/104 5\n', commands: ['getent ahosts dual'] },
  { title: 'scopev4 (dotted form)', lines: DUAL, hosts: DUAL_HOSTS, gaiConf: 'precedence ::ffff:0:0/96 40\nscopev4 10.0.0.0/8 5\n', commands: ['getent ahosts dual'] },
  { title: 'equal precedence and scope: the order of /etc/hosts', lines: DUAL, hosts: DUAL_HOSTS, gaiConf: 'precedence ::ffff:0:0/96 40\n', commands: ['getent ahosts dual'] },
  {
    title: '/etc/hosts quirks',
    lines: DUAL,
    hosts: '# comment\n10.1.2.3 Quirk quirk.example   # trailing\n2001:db8:1::1 quirk.example quirk alias6\n  \nfe80::1%eth0 quirk\n10.1.2.3 quirk\nbad::zz quirk\n10.1 quirk\n0x0a.1.2.9 other quirk\n010.1.2.3 quirk\n2001:db8:1::2 quirk q6b\n192.0.2.1 other quirk\n',
    commands: ['getent hosts quirk', 'getent hosts QUIRK other alias6 nosuch', 'getent hosts 10.1.2.3', 'getent hosts 2001:db8:1::1', 'getent hosts 192.0.2.99', 'getent hosts', 'getent ahosts QUIRK', 'getent ahostsv4 quirk', 'getent ahostsv6 quirk', 'getent ahosts alias6', 'getent ahostsv4 alias6', 'getent ahosts quirk other', 'getent ahosts nosuch quirk', 'getent ahosts 10.1.2.3', 'getent ahosts 2001:db8:1::1', 'getent ahosts'],
  },
];

glibc.describe('getent ahosts against glibc in namespaces', () => {
  for (const s of scenarios) {
    glibc.it(s.title, () => {
      expect(onNetloom(s)).toEqual(onLinux(s));
    }, NO_TIMEOUT);
  }
});

describe('gaitest against seed 003’s program on glibc', () => {
  python.it('prints what the program prints for rockon, prefer-IPv4 and an unknown name', () => {
    const program = join(dir, 'gaitest.py');
    writeFileSync(program, SEED_PROGRAM);
    const rockon = scenarios.find((s) => s.title.startsWith('seed 003'))!;
    for (const gaiConf of [undefined, 'precedence ::ffff:0:0/96 100\n']) {
      const s = { ...rockon, ...(gaiConf !== undefined ? { gaiConf } : {}), commands: ['gaitest rockon', 'gaitest nosuch'] };
      const linux = onLinux(s, `python3 ${program}`);
      expect(onNetloom(s)).toEqual(linux);
    }
  }, NO_TIMEOUT);
});
