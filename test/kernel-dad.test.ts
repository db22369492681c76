// DAD and router solicitation against the real kernel (issue #15): (a) re-runs test/kernel/dad.py in
// network namespaces (h1 comes up next to h2, which has 2001:db8::1 nodad; h1 adds 2001:db8::2 and
// 2001:db8::1, whose probe h2 answers; then both add 2001:db8::5 at once) and compares with its
// recording; (b) plays the same timeline on two netloom nodes and compares with the same recording:
// every NS, NA and RS on the link (sorted: the random delays order them differently on each run),
// h1's addresses with `dadfailed tentative` and its local routes, the kernel log's duplicate line
// (`dmesg`, without its time stamp), and that exactly one of two nodes adding one address at once
// fails. Nothing is normalised but the stamps.
import { describe, expect, it } from 'vitest';
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';
import { expectedOutput, kernelNeed, runKernelScript } from './kernel/harness.js';

const live = kernelNeed(['tcpdump', 'dmesg']);
const recorded = expectedOutput('dad');
const S = 1e9;

// h2 sends no router solicitations (the script sets default.router_solicitations=0 before its link exists).
const topology = `name: dad
nodes:
  h1: {}
  h2:
    exec: [sysctl -w net.ipv6.conf.eth0.router_solicitations=0, ip link set eth0 up, ip -6 addr add 2001:db8::1/64 dev eth0 nodad]
links:
  - endpoints: [h1:eth0, h2:eth0]
`;

/** The script's timeline on netloom nodes, printed as the script prints it. */
async function replay(): Promise<string> {
  const emulator = await Emulator.load(parseTopology(topology, 'dad.yaml'), { placement: 'inline' });
  const frames: string[] = [];
  const off = emulator.onTrace((events) => {
    for (const e of events) if (e.kind === 'tx' && /neighbor solicitation|neighbor advertisement|router solicitation/.test(e.summary)) frames.push(e.summary);
  });
  const sh = async (node: string, cmd: string): Promise<string> => {
    const run = await emulator.exec(node, cmd);
    expect(run.stderr, `${node}: ${cmd}`).toBe('');
    return run.stdout;
  };
  try {
    await emulator.start();
    await emulator.advance(1 * S);
    await sh('h1', 'ip link set eth0 up');
    await emulator.advance(3 * S);
    await sh('h1', 'ip -6 addr add 2001:db8::2/64 dev eth0');
    await sh('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0');
    await emulator.advance(3 * S);
    const addresses = (await sh('h1', 'ip -6 addr show dev eth0')).split('\n').slice(1).join('\n');
    const localRoutes = await sh('h1', 'ip -6 route show table local');
    await emulator.advance(2.5 * S);
    await sh('h1', 'ip -6 addr add 2001:db8::5/64 dev eth0');
    await sh('h2', 'ip -6 addr add 2001:db8::5/64 dev eth0');
    await emulator.advance(2.5 * S);
    const logged: string[] = [];
    for (const node of ['h1', 'h2']) for (const line of (await sh(node, 'dmesg')).split('\n')) if (line.includes('IPv6 duplicate address 2001:db8::')) logged.push(line.replace(/^\[[ \d.]+\] /, ''));
    let failed = 0;
    for (const node of ['h1', 'h2']) if ((await sh(node, 'ip -6 addr show dev eth0')).includes('2001:db8::5/64 scope global dadfailed tentative')) failed++;
    return [
      '## NS, NA and RS on the link, sorted',
      ...frames.sort(),
      '## h1: ip -6 addr show dev eth0',
      addresses + '## h1: ip -6 route show table local',
      localRoutes + '## kernel log: 2001:db8::1',
      ...logged.filter((line) => line.includes('2001:db8::1 ')),
      '## 2001:db8::5 added on both at once',
      `dadfailed on ${failed} of 2, duplicate logged ${logged.filter((line) => line.includes('2001:db8::5 ')).length} time(s)`,
      '',
    ].join('\n');
  } finally {
    off();
    await emulator.close();
  }
}

describe('DAD and router solicitation (dad.py) on the real kernel', () => {
  live.it('a re-run prints the recorded output', () => {
    const run = runKernelScript('dad', 120_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(recorded);
  }, 150_000);

  it('two netloom nodes put the same probes and solicitations on the link and reach the same states', async () => {
    expect(await replay()).toBe(recorded);
  }, 60_000);
});
