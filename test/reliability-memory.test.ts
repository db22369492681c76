// Memory a user can make a node take is bounded as Linux bounds it (issue #11 item 5), seen the way
// a user sees it — through the node's commands on a running emulation — and sized in virtual time
// by counts, never by wall time:
// - a lossy fragment flood (`ping -s 60000 -i 0.001`) fills at most ipfrag_high_thresh of
//   reassembly queues; the rest are refused and counted, and the queues time out;
// - a program writing into a file stops at the node's 16 MiB file system with ENOSPC;
// - a placement that cannot start in the machine's memory is refused before any worker starts.
import { Emulator, EmulatorError } from '@netloom/runtime';
import { DEFAULT_NODE_FACTORY } from '@netloom/runtime/emulator';
import { workerEntry } from '@netloom/runtime/worker-bundle';
import { parseTopology, type TopologySpec } from '@netloom/topology';
import { describe, expect, it } from 'vitest';

const SECOND = 1e9;
const MIB = 1024 * 1024;

function twoHosts(loss: string): TopologySpec {
  return parseTopology(
    `name: memory
seed: 7
nodes:
  h1:
    kind: host
    exec: [ip link set eth0 up, ip addr add 10.0.0.1/24 dev eth0]
  h2:
    kind: host
    exec: [ip link set eth0 up, ip addr add 10.0.0.2/24 dev eth0]
links:
  - endpoints: [h1:eth0, h2:eth0]
    latency: 1ms
    loss: ${loss}
`,
    'memory.yaml',
  );
}

/** The value of one `netstat -s` line (`N text`), 0 when netstat leaves it out. */
function statistic(netstat: string, text: string): number {
  const line = netstat.split('\n').find((l) => l.trim().endsWith(` ${text}`) && /^\s+\d+ /.test(l));
  return line === undefined ? 0 : Number(line.trim().split(' ')[0]);
}

describe('a lossy flood of large fragmented pings', () => {
  it('holds at most ipfrag_high_thresh of queues, refuses the rest and times the queues out', async () => {
    // Sized by count: `pings` datagrams of 60008 bytes (41 fragments each) 1 ms apart, over a link
    // that loses 20% of frames, so nearly every datagram stays incomplete.
    const pings = 3000;
    const emulator = await Emulator.load(twoHosts('20%'), { placement: 'inline' });
    try {
      await emulator.start();
      // Resolve h2's address first (its first ARP request may be lost too).
      expect((await emulator.exec('h1', 'ping -c 5 -i 0.2 10.0.0.2')).stdout).toMatch(/5 packets transmitted, [1-5] received/);
      const ping = await emulator.exec('h1', `ping -q -c ${pings} -s 60000 -i 0.001 -W 1 10.0.0.2`);
      expect(ping.stdout).toContain(`${pings} packets transmitted`);
      const during = (await emulator.exec('h2', 'netstat -s')).stdout;
      const required = statistic(during, 'reassemblies required');
      const failed = statistic(during, 'packet reassemblies failed');
      // Queues that already timed out while the ping ran are counted in both failed and timeouts.
      const timedOutDuring = statistic(during, 'fragments dropped after timeout');
      // 80% of 41 × pings fragments arrive; every one asks for reassembly.
      expect(required).toBeGreaterThan(0.75 * 41 * pings);
      expect(required).toBeLessThan(0.85 * 41 * pings);
      // Queues can hold at most ~4 MiB: a queue with k fragments of a 1500-byte MTU costs
      // 200 + 2304·k bytes, so the accepted fragments (required minus refused) stay near
      // 4 MiB / 2304 ≈ 1820 until the first queues expire 30 s later; all others were refused.
      const refused = failed - timedOutDuring;
      expect(required - refused).toBeLessThanOrEqual(Math.ceil((4 * MIB + 200 + 2304) / 2304));
      expect(refused).toBeGreaterThan(0.9 * required);
      // Once ipfrag_time has passed every queue has timed out; fragments are accepted again.
      await emulator.advance(31 * SECOND);
      const after = (await emulator.exec('h2', 'netstat -s')).stdout;
      const timeouts = statistic(after, 'fragments dropped after timeout');
      expect(timeouts).toBeGreaterThan(0);
      expect(timeouts).toBeLessThanOrEqual(required - refused);
      expect(statistic(after, 'packet reassemblies failed')).toBe(refused + timeouts);
      console.log(`reassembly: ${required} required, ${refused} refused, ${timeouts} queues timed out (${timedOutDuring} during the ping)`);
      const small = await emulator.exec('h1', 'ping -c 1 -s 2000 -W 1 10.0.0.2');
      expect(small.stdout).toMatch(/1 packets transmitted, [01] received/);
    } finally {
      await emulator.close();
    }
  });
});

describe("a node's files", () => {
  it('stop a background udpsend at 16 MiB: its write fails with ENOSPC and it exits 1', async () => {
    const emulator = await Emulator.load(twoHosts('0%'), { placement: 'inline' });
    try {
      await emulator.start();
      // Fill 15 MiB with echo (1 MiB lines), leaving 1 MiB for udpsend's ~60-byte lines.
      const line = 'x'.repeat(MIB - 1);
      for (let i = 0; i < 15; i++) expect((await emulator.exec('h1', `echo ${line} >> /root/fill`)).status).toBe(0);
      expect((await emulator.exec('h1', 'udpsend 10.0.0.2 9 -i 1ms > /var/log/udpsend.log &')).status).toBe(0);
      // 1 MiB of lines takes ~17 000 sends: 40 virtual seconds is plenty.
      await emulator.advance(40 * SECOND);
      expect((await emulator.exec('h1', 'jobs')).stdout).toBe('[1]+  Exit 1                  udpsend 10.0.0.2 9 -i 1ms > /var/log/udpsend.log\n');
      const log = (await emulator.exec('h1', 'cat /var/log/udpsend.log')).stdout;
      expect(log.length).toBeGreaterThan(MIB - 4096);
      expect(log.length).toBeLessThanOrEqual(MIB);
      expect(log.startsWith('udpsend to 10.0.0.2 port 9, 512 bytes every 0.001s')).toBe(true);
      expect(await emulator.exec('h1', 'echo more >> /root/fill')).toMatchObject({ status: 1, stderr: 'bash: echo: write error: No space left on device\n' });
    } finally {
      await emulator.close();
    }
  });
});

describe('placement and the machine', () => {
  it('refuses 1001 per-node workers in 4 GiB before any starts, saying what it needs', async () => {
    const spec = twoHosts('0%');
    const many: TopologySpec = { ...spec, nodes: Array.from({ length: 1001 }, (_, i) => ({ ...spec.nodes[0]!, name: `n${i}`, interfaces: [], exec: [] })), links: [] };
    const load = Emulator.load(many, { placement: 'per-node', availableMemory: 4 * 1024 * MIB });
    await expect(load).rejects.toBeInstanceOf(EmulatorError);
    // A thread that runs the worker bundle (current after npm run build) is counted at 19 MiB, one that runs the compiled modules at 24.
    const needs = workerEntry(DEFAULT_NODE_FACTORY).modulesBecause === null ? '18.6 GiB to start (1001 worker threads × 19 MiB' : '23.5 GiB to start (1001 worker threads × 24 MiB';
    await expect(load).rejects.toThrow(`placement per-node needs about ${needs} + 1001 nodes × 64 KiB), but only 4.0 GiB of memory is available; try --placement packed`);
  });
});
