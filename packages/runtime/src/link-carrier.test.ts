// What a link end's carrier follows (issue #13 items 3 and 5), on real nodes and across placements:
// a point-to-point link is a veth pair — setting one end down takes the carrier from the other
// (NO-CARRIER … state DOWN, its neighbours flushed) one link latency later, and back when it comes
// up; a switch port whose member's device goes down is disabled and forgets the member's MAC, so
// frames still addressed to it are flooded to the other members. Recorded on Linux 6.18 in
// test/kernel/link-carrier.py (veth pairs and a bridge); test/kernel-link-carrier.test.ts compares.
import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import type { EmulatorOptions, TraceEvent } from './emulator-types.js';
import { buildSpec } from './testing/specs.js';

const ms = 1e6;

function network() {
  return buildSpec({
    name: 'carrier',
    nodes: [
      { name: 'a', kind: 'host', exec: ['ip link set eth0 up', 'ip addr add 10.0.0.1/24 dev eth0', 'ip link set eth1 up', 'ip addr add 10.1.0.1/24 dev eth1'] },
      { name: 'b', kind: 'host', exec: ['ip link set eth0 up', 'ip addr add 10.0.0.2/24 dev eth0'] },
      { name: 'c', kind: 'host', exec: ['ip link set eth0 up', 'ip addr add 10.1.0.3/24 dev eth0'] },
      { name: 'd', kind: 'host', exec: ['ip link set eth0 up', 'ip addr add 10.1.0.4/24 dev eth0'] },
    ],
    links: [{ ends: ['a:eth0', 'b:eth0'], params: { latencyNs: 2 * ms } }],
    lans: [{ name: 'lan', type: 'switch', members: ['a:eth1', 'c:eth0', 'd:eth0'] }],
  });
}

/** The line under `RX:` of `ip -s link`: bytes, packets, errors, … */
function rxLine(text: string): string {
  const lines = text.split('\n');
  return lines[lines.findIndex((l) => l.trim().startsWith('RX:')) + 1] ?? '';
}

async function story(options: EmulatorOptions): Promise<string> {
  const em = await Emulator.load(network(), options);
  const out: string[] = [];
  const seenByD: string[] = [];
  em.onTrace((events: TraceEvent[]) => {
    for (const e of events) if (e.kind === 'rx' && e.node === 'd') seenByD.push(e.summary);
  });
  try {
    await em.start();
    const run = async (node: string, cmd: string): Promise<void> => {
      const r = await em.exec(node, cmd);
      out.push(`$ ${node}: ${cmd}`, r.stdout.trimEnd(), `[${r.status}]`);
    };
    await run('b', 'ping -c 1 10.0.0.1');
    await run('a', 'ip link set eth0 down');
    // The carrier signal crosses the 2 ms link as a frame would.
    await run('b', 'ip link show eth0');
    await em.advance(2 * ms);
    await run('b', 'ip link show eth0');
    await run('b', 'ip neigh show');
    await run('a', 'ip link set eth0 up');
    await em.advance(2 * ms);
    await run('b', 'ip link show eth0');
    await run('a', 'ping -c 1 10.1.0.3');
    seenByD.length = 0;
    await run('a', 'ping -c 1 10.1.0.3');
    out.push(`# d saw, while c was learned: ${seenByD.filter((s) => s.includes('ICMP')).length} ICMP frames`);
    const rxBefore = rxLine((await em.exec('c', 'ip -s link show eth0')).stdout);
    await run('c', 'ip link set eth0 down');
    await em.advance(2 * ms);
    seenByD.length = 0;
    await run('a', 'ping -c 1 -W 1 10.1.0.3');
    out.push(`# d saw, after c went down: ${seenByD.filter((s) => s.includes('ICMP echo request')).length} ICMP echo requests`);
    const rxAfter = rxLine((await em.exec('c', 'ip -s link show eth0')).stdout);
    out.push(`# c's RX counters while down: ${rxAfter === rxBefore ? 'unchanged' : `${rxBefore} -> ${rxAfter}`}`);
  } finally {
    await em.close();
  }
  return out.join('\n');
}

describe('link carrier follows the far end, as for veth pairs and a bridge', () => {
  it('the same story on one thread and one worker per node', async () => {
    const inline = await story({ placement: 'inline' });
    expect(inline).toContain('$ b: ip link show eth0\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP');
    expect(inline).toContain(
      '[0]\n$ b: ip link show eth0\n2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000',
    );
    // The neighbour entry for a went with the carrier.
    expect(inline).toContain('$ b: ip neigh show\n\n[0]');
    expect(inline.split('$ a: ip link set eth0 up')[1]).toContain('2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP');
    expect(inline).toContain('# d saw, while c was learned: 0 ICMP frames');
    // a still knows c's MAC; the switch has forgotten it and floods the requests to d.
    expect(inline).toContain('# d saw, after c went down: 1 ICMP echo requests');
    // c's device is down: nothing reaches it, nothing is counted.
    expect(inline).toContain("# c's RX counters while down: unchanged");
    const perNode = await story({ placement: 'per-node' });
    expect(perNode).toBe(inline);
  });
});
