/**
 * `ip neigh` over both neighbour tables (ARP's and NDP's): listing order, -4/-6/-family, the address
 * family taken from the address, `router`, proxy entries (add twice, del, show, flush, get), JSON,
 * and the error texts — in the model and, when root, line by line against iproute2 6.1 in a
 * namespace. Lines are chosen so that a listing never holds two entries of one family, whose order
 * on the kernel follows a randomly seeded hash.
 */
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { runNamespaceScenario } from '../testing/kernel-namespaces.js';
import { makeKernel } from '../testing/kernel-shell.js';
import { parseIpGlobalOptions } from '../shell/ip-options.js';
import { IpExit } from '../shell/ip-util.js';
import { Prng, TimerHeap } from '../timers.js';
import { IPV6_NEIGHBOUR_FAMILY } from './ndisc.js';
import { neighbourOptionsOf, runIpNeigh, type NeighbourTables } from './ip-neigh-command.js';
import { DEFAULT_NEIGHBOUR_PARAMS, NeighbourTable, type NeighbourHooks } from './neighbour-table.js';

function hooks<Address>(): NeighbourHooks<Address> {
  return { discard: () => {}, reachability: () => {}, params: () => DEFAULT_NEIGHBOUR_PARAMS };
}

/** `ip …` lines on a model node with eth0 and both tables, printing stderr, stdout and the status. */
function modelNode(): (line: string) => string {
  const kernel = makeKernel({ devices: ['eth0'], up: false });
  const timers = new TimerHeap();
  const prng = new Prng(1);
  const tables: NeighbourTables = { inet: new NeighbourTable(timers, prng, hooks()), inet6: new NeighbourTable(timers, prng, hooks(), IPV6_NEIGHBOUR_FAMILY) };
  return (line) => {
    const argv = line.split(' ');
    try {
      const parsed = parseIpGlobalOptions(argv);
      if (parsed.kind !== 'object' || argv[parsed.objectIndex] !== 'neigh') throw new Error(`not an ip neigh line: ${line}`);
      const r = runIpNeigh(argv.slice(parsed.objectIndex + 1), tables, kernel, 0, neighbourOptionsOf(parsed.options));
      return `${r.stderr}${r.stdout}[rc=${r.status}]`;
    } catch (error) {
      if (error instanceof IpExit) return `${error.message}\n[rc=${error.status}]`;
      throw error;
    }
  };
}

const SETUP = [
  'ip neigh add 10.1.0.2 lladdr 02:00:00:00:00:09 dev eth0',
  'ip -6 neigh add 2001:db8::2 lladdr 02:00:00:00:00:0a dev eth0',
  'ip -6 neigh add proxy 2001:db8::99 dev eth0 router',
  'ip neigh add proxy 10.1.0.99 dev eth0',
];

const LINES = [
  'ip neigh',
  'ip -6 neigh',
  'ip -4 neigh',
  'ip -family inet6 neigh',
  'ip -0 neigh',
  'ip -j neigh',
  'ip neigh show 2001:db8::/64',
  'ip neigh show to 10.1.0.0/24',
  'ip -6 neigh show 10.1.0.0/24',
  'ip neigh show zz',
  'ip -6 neigh show to zz',
  'ip neigh show proxy',
  'ip -6 neigh show proxy',
  'ip -4 neigh show proxy',
  'ip -j neigh show proxy',
  'ip -6 neigh get 2001:db8::2 dev eth0',
  'ip -j -6 neigh get 2001:db8::2 dev eth0',
  'ip neigh get proxy 2001:db8::99 dev eth0',
  'ip neigh get proxy 2001:db8::98 dev eth0',
  'ip neigh get 10.9.9.9 dev eth0',
  'ip -6 neigh get 2001:db8::77 dev eth0',
  'ip -j neigh get 10.1.0.2 dev eth0',
  'ip -6 neigh add 2001:db8::2 lladdr 02:00:00:00:00:0a dev eth0',
  'ip -6 neigh add proxy 2001:db8::99 dev eth0',
  'ip -6 neigh del proxy 2001:db8::77 dev eth0',
  'ip -6 neigh del 2001:db8::77 dev eth0',
  'ip -6 neigh add 10.0.0.1 lladdr 02:00:00:00:00:0a dev eth0',
  'ip neigh add zz lladdr 02:00:00:00:00:0a dev eth0',
  'ip -6 neigh add zz lladdr 02:00:00:00:00:0a dev eth0',
  'ip -4 neigh add 2001:db8::5 lladdr 02:00:00:00:00:0a dev eth0',
  'ip -6 neigh add 2001:db8::5 dev eth0 nud reachable',
  'ip -6 neigh add fe80::3 lladdr 02:00:00:00:00:0b dev eth0 nud stale router',
  'ip neigh show nud stale',
  'ip -j -6 neigh show nud stale',
  'ip -6 neigh flush dev eth0',
  'ip neigh show nud stale',
  'ip neigh flush proxy',
  'ip neigh show proxy',
  'ip -6 neigh del 2001:db8::2 dev eth0',
  'ip -6 neigh',
  'ip -6 neigh replace proxy 2001:db8::97 dev eth0',
  'ip -6 neigh show proxy',
  'ip neigh',
  // NTF_ROUTER as neigh_add sets it: given, or cleared by a replace without it.
  'ip neigh add 10.1.0.5 lladdr 02:00:00:00:00:05 dev eth0 router',
  'ip neigh show 10.1.0.5',
  'ip neigh replace 10.1.0.5 lladdr 02:00:00:00:00:05 dev eth0',
  'ip neigh show 10.1.0.5',
  'ip -6 neigh add fe80::5 lladdr 02:00:00:00:00:05 dev eth0',
  'ip -6 neigh change fe80::5 lladdr 02:00:00:00:00:05 dev eth0 router',
  'ip -j neigh show fe80::5',
];

describe('ip neigh with both families (model)', () => {
  test('IPv4 first, then IPv6; the family of the address picks the table; router and proxy entries as iproute2 prints them', () => {
    const ip = modelNode();
    for (const line of SETUP) expect(ip(line)).toBe('[rc=0]');
    expect(ip('ip neigh')).toBe('10.1.0.2 dev eth0 lladdr 02:00:00:00:00:09 PERMANENT \n2001:db8::2 dev eth0 lladdr 02:00:00:00:00:0a PERMANENT \n[rc=0]');
    expect(ip('ip -6 neigh')).toBe('2001:db8::2 dev eth0 lladdr 02:00:00:00:00:0a PERMANENT \n[rc=0]');
    expect(ip('ip neigh show proxy')).toBe('10.1.0.99 dev eth0 proxy \n2001:db8::99 dev eth0 router proxy \n[rc=0]');
    expect(ip('ip -j -6 neigh show proxy')).toBe('[{"dst":"2001:db8::99","dev":"eth0","router":null,"proxy":null}]\n[rc=0]');
    expect(ip('ip neigh add fe80::3 lladdr 02:00:00:00:00:0b dev eth0 nud stale router')).toBe('[rc=0]');
    expect(ip('ip -j neigh show nud stale')).toBe('[{"dst":"fe80::3","dev":"eth0","lladdr":"02:00:00:00:00:0b","router":null,"state":["STALE"]}]\n[rc=0]');
    expect(ip('ip -4 neigh add 2001:db8::5 lladdr 02:00:00:00:00:0a dev eth0')).toBe('Error: inet address is expected rather than "2001:db8::5".\n[rc=1]');
    expect(ip('ip neigh add zz lladdr 02:00:00:00:00:0a dev eth0')).toBe('Error: any valid address is expected rather than "zz".\n[rc=1]');
    // A flush of one family leaves the other's entries and every proxy.
    expect(ip('ip -6 neigh flush all')).toBe('[rc=0]');
    expect(ip('ip neigh')).toBe('10.1.0.2 dev eth0 lladdr 02:00:00:00:00:09 PERMANENT \n2001:db8::2 dev eth0 lladdr 02:00:00:00:00:0a PERMANENT \n[rc=0]');
    expect(ip('ip neigh flush proxy')).toBe('[rc=0]');
    expect(ip('ip neigh show proxy')).toBe('[rc=0]');
  });

  test('a node without an IPv6 table refuses IPv6 entries as a kernel without IPv6 does', () => {
    const kernel = makeKernel({ devices: ['eth0'], up: false });
    const inet = new NeighbourTable(new TimerHeap(), new Prng(1), hooks<number>());
    expect(runIpNeigh(['add', '2001:db8::2', 'lladdr', '02:00:00:00:00:0a', 'dev', 'eth0'], inet, kernel, 0).stderr).toBe('RTNETLINK answers: Address family not supported by protocol\n');
    expect(runIpNeigh([], inet, kernel, 0, { family: 6 }).stdout).toBe('');
  });
});

needs({ netns: true, tools: ['ip'] }).describe('ip neigh with both families against iproute2', () => {
  test('every line agrees with iproute2 6.1 in a namespace, text, JSON, errors and status', () => {
    const linux = runNamespaceScenario([{ name: 'eth0', mac: '02:00:00:00:00:01' }], [...SETUP, ...LINES].map((line) => ({ kind: 'command' as const, line })));
    const ip = modelNode();
    const mismatches: string[] = [];
    [...SETUP, ...LINES].forEach((line, i) => {
      const model = ip(line);
      const real = `${linux[i]?.stdout ?? '(none)'}[rc=${linux[i]?.status}]`;
      if (model !== real) mismatches.push(`${line}\n--- linux\n${real}\n--- model\n${model}`);
    });
    expect(mismatches.join('\n\n')).toBe('');
  });
});
