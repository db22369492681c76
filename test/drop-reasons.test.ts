// Drop reasons survive the routing seam end to end: a router that receives a packet whose source is
// one of its own addresses drops it as `martianSource`, and one whose source it reaches through
// another device, with strict rp_filter, as `rpFilter` — in the trace events, in `netloom run
// --trace`'s line, and in the TUI's packet log line (not `blackhole`, as before the kernel split).
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emulator, formatTrace, type TraceEvent } from '@netloom/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTraceLine } from '../apps/cli/src/tui/format-trace.js';

// h1 (10.0.1.2) -- (10.0.1.1) r1 (10.0.2.1) -- h2 (10.0.2.2). h1 also holds r1's eth1 address
// 10.0.2.1/32 and another address of h2's subnet, 10.0.2.50/32, and sends from each.
const topology = `
name: drop-reasons
seed: 3
nodes:
  h1:
    kind: host
    exec:
      - ip link set eth0 up
      - ip addr add 10.0.1.2/24 dev eth0
      - ip addr add 10.0.2.1/32 dev eth0
      - ip addr add 10.0.2.50/32 dev eth0
      - ip route add default via 10.0.1.1
  r1:
    kind: router
    exec:
      - ip link set eth0 up
      - ip link set eth1 up
      - ip addr add 10.0.1.1/24 dev eth0
      - ip addr add 10.0.2.1/24 dev eth1
      - sysctl -w net.ipv4.conf.eth0.rp_filter=1
  h2:
    kind: host
    exec:
      - ip link set eth0 up
      - ip addr add 10.0.2.2/24 dev eth0
      - ip route add default via 10.0.2.1
links:
  - endpoints: [h1:eth0, r1:eth0]
    latency: 1ms
  - endpoints: [r1:eth1, h2:eth0]
    latency: 1ms
`;

const scratch = mkdtempSync(join(tmpdir(), 'netloom-drop-reasons-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('drop reasons of the input route', () => {
  it('a martian source and an rp_filter failure reach the trace and the packet log with their reasons', async () => {
    const file = join(scratch, 'drop-reasons.yaml');
    writeFileSync(file, topology);
    const emulator = await Emulator.load(file, { placement: 'inline' });
    const drops: TraceEvent[] = [];
    try {
      await emulator.start();
      emulator.onTrace((events) => {
        for (const e of events) if (e.kind === 'drop' && e.node === 'r1') drops.push(e);
      });
      // From h1's own address first: the path works, and h1 learns r1's MAC (r1 would not answer an
      // ARP request from the other two sources, for the same reasons it drops their packets).
      const plain = await emulator.exec('h1', 'ping -c 1 10.0.2.2');
      expect(plain.status).toBe(0);
      const fromOwn = await emulator.exec('h1', 'ping -c 1 -W 1 -I 10.0.2.1 10.0.2.2');
      const fromElsewhere = await emulator.exec('h1', 'ping -c 1 -W 1 -I 10.0.2.50 10.0.2.2');
      expect([fromOwn.status, fromElsewhere.status]).toEqual([1, 1]);
    } finally {
      await emulator.close();
    }
    expect(drops.map((e) => `${e.ifname} ${e.reason}`)).toEqual(['eth0 martianSource', 'eth0 rpFilter']);
    const [martian, rpFilter] = drops;
    expect(formatTrace(martian!)).toMatch(/ r1:eth0 drop\(martianSource\) IP 10\.0\.2\.1 > 10\.0\.2\.2: ICMP echo request/);
    expect(formatTrace(rpFilter!)).toMatch(/ r1:eth0 drop\(rpFilter\) IP 10\.0\.2\.50 > 10\.0\.2\.2: ICMP echo request/);
    expect(formatTraceLine(martian!)).toMatch(/ r1 drop\(martianSource\) IP 10\.0\.2\.1 > /);
    expect(formatTraceLine(rpFilter!)).toMatch(/ r1 drop\(rpFilter\) IP 10\.0\.2\.50 > /);
  });
});
