/**
 * The `ip` global options, parsed once for every object (ip-options.ts): iproute2's abbreviations and
 * order (`-js` is -json, `-b` -batch, `-n` -netns), families by flag and by -family name, errors with
 * iproute2's text and status; and `ip neigh`, a registered object, answering -j/-js/-p/-s/-family like
 * the built-in ones. The neighbour lines are compared with iproute2 6.1 in a namespace when root
 * (skips saying so, fails under CI=true).
 */
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { parseIpGlobalOptions, IP_USAGE, type IpGlobalOptions } from './ip-options.js';
import { IpExit } from './ip-util.js';
import { Lab } from '../testing/lab.js';
import { runNamespaceScenario } from '../testing/kernel-namespaces.js';
import { makeShell } from '../testing/kernel-shell.js';

function options(line: string): IpGlobalOptions | string {
  try {
    const parsed = parseIpGlobalOptions(line.split(' '));
    return parsed.kind === 'version' ? 'version' : parsed.options;
  } catch (error) {
    if (error instanceof IpExit) return `${error.status}: ${error.message}`;
    throw error;
  }
}

const PLAIN: IpGlobalOptions = { family: 0, json: false, pretty: false, details: false, stats: 0, brief: false, oneline: false };

describe('ip global options', () => {
  test("abbreviations resolve in ip.c's order", () => {
    expect(options('ip -js neigh')).toEqual({ ...PLAIN, json: true });
    expect(options('ip --json -p -s -s -d -o -br neigh')).toEqual({ ...PLAIN, json: true, pretty: true, stats: 2, details: true, oneline: true, brief: true });
    expect(options('ip -c -t -h -iec -N -a -r -l 3 -rc 9 route')).toEqual(PLAIN);
    expect(options('ip -V')).toBe('version');
    expect(options('ip -n x link')).toBe('255: Cannot open network namespace "x": No such file or directory');
    expect(options('ip -b /nonexist')).toBe('1: Cannot open file "/nonexist" for reading: No such file or directory');
    expect(options('ip -b')).toBe(`255: ${IP_USAGE}`);
    expect(options('ip -l neigh')).toEqual(PLAIN); // -l takes "neigh" as its count; the object is missing later
    expect(options('ip --x link')).toBe('255: Option "-x" is unknown, try "ip -help".');
    expect(options('ip -color=bad link')).toBe('255: Option "-color=bad" is unknown, try "ip -help".');
  });

  test('families by flag and by -family name; the last one wins', () => {
    expect(options('ip -4 neigh')).toEqual({ ...PLAIN, family: 4 });
    expect(options('ip -6 -family inet neigh')).toEqual({ ...PLAIN, family: 4 });
    expect(options('ip -f inet6 neigh')).toEqual({ ...PLAIN, family: 6 });
    expect(options('ip -0 route')).toEqual({ ...PLAIN, family: 'link' });
    expect(options('ip -family link route')).toEqual({ ...PLAIN, family: 'link' });
    expect(options('ip -M route')).toEqual({ ...PLAIN, family: 'mpls' });
    expect(options('ip -B neigh')).toEqual({ ...PLAIN, family: 'bridge' });
    expect(options('ip -family foo neigh')).toBe('255: Error: argument "foo" is wrong: invalid protocol family');
    expect(options('ip -family help neigh')).toBe(`255: ${IP_USAGE}`);
    expect(options('ip -f')).toBe(`255: ${IP_USAGE}`);
  });

  test('every built-in object reads the same options: -0 and -M on route, rule and addr', () => {
    const { sh } = makeShell();
    sh('ip addr add 10.1.0.1/24 dev eth0');
    expect(sh('ip -0 route')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ip -j -p -M route')).toEqual({ stdout: '[ ]\n', stderr: '', status: 0 });
    expect(sh('ip -0 rule')).toEqual({ stdout: '', stderr: 'RTNETLINK answers: Address family not supported by protocol\nDump terminated\n', status: 255 });
    expect(sh('ip -0 route get 10.1.0.2')).toEqual({ stdout: '', stderr: 'Error: "10.1.0.2" may be inet prefix, but it is not allowed in this context.\n', status: 1 });
    expect(sh('ip -M addr')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ip -0 addr').stdout).not.toContain('inet');
    expect(sh('ip -0 addr').stdout).toContain('link/ether 02:00:00:00:00:01');
    expect(sh('ip -0 -br addr').stdout).toBe(sh('ip -br link').stdout);
  });
});

/** One node with a permanent and a stale entry; `stale` is left out of the comparison (the kernel's hash order lists two entries in an order the model does not follow). */
function neighbourLab(withStale = true): Lab {
  const lab = new Lab();
  lab.addNode('h');
  lab.addNode('peer');
  lab.link('h:eth0', 'peer:eth0');
  lab.addr('h', 'eth0', '10.1.0.1/24');
  lab.exec('h', 'ip neigh add 10.1.0.2 lladdr 02:00:00:00:00:09 dev eth0');
  if (withStale) lab.exec('h', 'ip neigh add 10.1.0.3 lladdr 02:00:00:00:00:0a dev eth0 nud stale');
  return lab;
}

/** Lines whose output does not depend on timers (a PERMANENT entry, no -s). */
const NEIGH_LINES = [
  'ip neigh',
  'ip -4 neigh',
  'ip -family inet neigh',
  'ip -family inet6 neigh',
  'ip -6 neigh',
  'ip -0 neigh',
  'ip -j -0 neigh',
  'ip -j neigh',
  'ip -js neigh',
  'ip --json neigh',
  'ip -j -p neigh',
  'ip -j -family inet6 neigh',
  'ip -- neigh',
  'ip -family foo neigh',
  'ip -x neigh',
  'ip -n nosuch neigh',
  'ip -4 neigh show dev eth0',
];

describe('ip neigh reads the options ip parsed', () => {
  test('-js, -family inet and -p reach ip neigh', () => {
    const lab = neighbourLab();
    const run = (line: string): string => {
      const r = lab.exec('h', line);
      return `${r.stderr}${r.stdout}[rc=${r.status}]`;
    };
    const json = '[{"dst":"10.1.0.2","dev":"eth0","lladdr":"02:00:00:00:00:09","state":["PERMANENT"]},{"dst":"10.1.0.3","dev":"eth0","lladdr":"02:00:00:00:00:0a","state":["STALE"]}]\n[rc=0]';
    expect(run('ip -js neigh')).toBe(json);
    expect(run('ip -j neigh')).toBe(json);
    expect(run('ip -family inet neigh')).toBe(run('ip neigh'));
    expect(run('ip neigh')).toContain('10.1.0.2 dev eth0 lladdr 02:00:00:00:00:09 PERMANENT');
    expect(run('ip -6 neigh')).toBe('[rc=0]');
    expect(run('ip -j -p neigh')).toContain('[ {\n        "dst": "10.1.0.2",\n');
  });
});

needs({ netns: true, tools: ['bash'] }).describe('ip neigh options against iproute2', () => {
  test('text, -j, -js, -p and families agree with a namespace', () => {
    const setup = ['ip link set eth0 up', 'ip addr add 10.1.0.1/24 dev eth0', 'ip neigh add 10.1.0.2 lladdr 02:00:00:00:00:09 dev eth0'];
    const linux = runNamespaceScenario([{ name: 'eth0', mac: '02:00:00:00:00:01' }], [...setup, ...NEIGH_LINES].map((line) => ({ kind: 'command' as const, line })));
    const lab = neighbourLab(false);
    const mismatches: string[] = [];
    NEIGH_LINES.forEach((line, i) => {
      const r = lab.exec('h', line);
      const model = `${r.stderr}${r.stdout}[rc=${r.status}]`;
      const real = `${linux[setup.length + i]!.stdout}[rc=${linux[setup.length + i]!.status}]`;
      if (model !== real) mismatches.push(`${line}\n--- linux\n${real}\n--- model\n${model}`);
    });
    expect(mismatches.join('\n\n')).toBe('');
  });
});
