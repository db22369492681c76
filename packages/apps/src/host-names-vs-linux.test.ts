/**
 * ping and traceroute with host names against the real tools, live: the a — r — b network of
 * against-linux.test.ts built in namespaces and in netloom, with the same /etc/hosts on a — on
 * Linux bind-mounted over the machine's inside `unshare -m`, with an nsswitch.conf of `hosts: files`
 * (as resolver-vs-glibc does), on netloom written into the node's file. The names go through
 * getaddrinfo (the header's canonical name, `Name or service not known`) and the printed addresses
 * through getnameinfo (`64 bytes from bee.example (10.248.2.2)`, a hop's `gw (10.248.1.254)`).
 * Needs root, `ip`, iputils-ping, traceroute, unshare and mount; skips saying which is missing
 * (fails instead under CI=true).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { programs } from './index.js';
import { routedPair, transcript, TwinNetwork } from './testing/twin-network.js';

const realTools = needs({ netns: true, tools: ['ping', 'traceroute', 'sysctl', 'unshare', 'mount'], files: { '/etc/nsswitch.conf': 'apt-get install libc-bin' } });

const HOSTS = [
  '10.248.2.2 bee.example bee',
  '10.248.2.2 other',
  '10.248.1.254 gw',
  'fd48::2 six.example six',
];

const net = new TwinNetwork('nlnames', routedPair('10.248'), programs);
let dir = '';

/** `line` on a's namespace with the test's /etc/hosts and `hosts: files`. */
function onLinux(line: string) {
  const mounts = `mount --bind ${join(dir, 'hosts')} /etc/hosts && mount --bind ${join(dir, 'nsswitch.conf')} /etc/nsswitch.conf`;
  return net.linux('a', `unshare -m sh -c '${mounts} && ${line}'`);
}

realTools.describe('host names in ping and traceroute against the real tools', () => {
  beforeAll(() => {
    net.build();
    dir = mkdtempSync(join(tmpdir(), 'netloom-names-'));
    writeFileSync(join(dir, 'hosts'), `${HOSTS.join('\n')}\n`);
    writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files\n');
    for (const line of HOSTS) net.lab.sh('a', `echo '${line}' >> /etc/hosts`);
  });
  afterAll(() => {
    net.destroy();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    'ping -c 2 -i 0.2 bee',
    'ping -c 1 other',
    'ping -c 1 BEE.example',
    'ping -n -c 1 bee',
    'ping -c 1 10.248.2.2',
    'ping -c 2 -i 0.2 -t 1 bee',
    'ping -c 1 nosuch',
    'ping -c 1 -4 six',
    'traceroute -N 1 bee',
    'traceroute -q 1 -N 1 other',
    'traceroute -N 1 10.248.2.2',
    'traceroute -n -q 1 -N 1 bee',
    'traceroute nosuch',
    'traceroute -4 six',
  ];
  for (const line of cases) {
    it(`a: ${line}`, { timeout: 0 }, () => {
      expect(transcript(net.netloom('a', line))).toBe(transcript(onLinux(line)));
      // Synchronous (the namespaces' commands through spawnSync), so no timeout, as the kernel
      // comparisons (docs/testing.md): a timer cannot interrupt it and could only judge speed.
    });
  }
});
