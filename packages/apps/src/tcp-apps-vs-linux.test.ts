/**
 * nc's TCP mode and curl against the real tools, live (OpenBSD netcat as `nc.openbsd`, curl): the
 * a — r — b network of testing/twin-network.ts built in namespaces and in netloom, a listener on b's
 * port 80 on both sides (nc -lk), a blackhole route on r towards 10.252.9.0/24, and the same client
 * command lines on a; stdout, stderr and status must agree once the milliseconds curl measures on the
 * wall clock are masked. Needs root, nc.openbsd and curl (`apt-get install netcat-openbsd curl`);
 * skips, saying which is missing, otherwise (fails instead under CI=true).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { programs } from './index.js';
import { routedPair, transcript, TwinNetwork, type TwinResult } from './testing/twin-network.js';

const realTools = needs({ netns: true, tools: ['nc.openbsd', 'curl'] });

const net = new TwinNetwork('nltcpa', routedPair('10.252'), programs);
let listenerPid = 0;

/** curl's own wall-clock figures. */
const maskCurlTimes = (text: string): string => text.replace(/after \d+ ms/g, 'after N ms').replace(/after \d+ milliseconds/g, 'after N milliseconds');

function linux(line: string): TwinResult {
  return line.startsWith('nc ') ? net.linux('a', `exec -a nc nc.openbsd ${line.slice(3)}`, 'bash') : net.linux('a', line);
}

realTools.describe('nc and curl against the real tools in namespaces', () => {
  beforeAll(() => {
    net.build();
    net.namespaces.sh('r', 'ip route add blackhole 10.252.9.0/24');
    net.lab.sh('r', 'ip route add blackhole 10.252.9.0/24');
    // The real listener outlives this shell: its output goes nowhere, and it ends itself after 120 s.
    listenerPid = Number(net.namespaces.sh('b', 'timeout 120 nc.openbsd -lk 80 </dev/null >/dev/null 2>&1 & echo $!').trim());
    spawnSync('sleep', ['0.3']);
    net.lab.exec('b', 'nc -lk 80');
  });
  afterAll(() => {
    if (listenerPid > 0) process.kill(listenerPid);
    net.destroy();
  });

  const cases: string[] = [
    'nc -zv 10.252.2.2 80',
    'nc -zv 10.252.2.2 81',
    'nc -zv 10.252.2.2 79-81',
    'nc -z 10.252.2.2 79-81',
    'nc -z 10.252.2.2 81',
    'nc -v 10.252.2.2 81',
    'nc -zv -w 1 10.252.9.9 80',
    'nc 10.252.2.2 99999',
    'nc -zv 10.252.2.2 20-19',
    'curl -sS http://10.252.2.2:81/',
    'curl http://10.252.2.2:81/ -s',
    "curl -s -o /dev/null -w '%{http_code} %{exitcode}\\n' http://10.252.2.2:81/",
    'curl -sS -m 1 http://10.252.9.9/',
    'curl -sS --connect-timeout 1 http://10.252.9.9:8080/x',
    'curl -sS --interface nosuch http://10.252.2.2/',
    'curl',
    'curl -sS -m',
  ];
  for (const line of cases) {
    it(`a: ${line}`, () => {
      expect(maskCurlTimes(transcript(net.netloom('a', line)))).toBe(maskCurlTimes(transcript(linux(line))));
    }, 120_000);
  }
});
