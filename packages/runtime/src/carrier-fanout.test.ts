// A carrier signal on a switch is one queue event that visits the switch's ports of a shard in turn
// (event-queue.ts `fan`), each at the place M separate events would have had: (time, node, class,
// sending port, seq, receiving port). What makes the order visible: a member goes down at the very
// instant another member's frame to it arrives. Each port's replica of the switch handles the two
// by sending port; the signal of a lower port disables the member first, so the frame is flooded
// to every other member (bridge: no forwarding to a port without carrier, and its MACs forgotten);
// from a lower port the frame comes first and goes to the member alone. The members are listed out
// of node order, so port order and node order differ, and the story runs in every placement.
import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import type { EmulatorOptions, TraceEvent } from './emulator-types.js';
import { buildSpec } from './testing/specs.js';

const ms = 1e6;
const HOSTS = 6;
/** Port i of the LAN is host MEMBERS[i]: h4 has port 0, h1 port 1, … h2 port 5. */
const MEMBERS = [4, 1, 5, 0, 3, 2];

function network() {
  return buildSpec({
    name: 'fanout',
    nodes: Array.from({ length: HOSTS }, (_, i) => ({ name: `h${i}`, kind: 'host' as const, exec: ['ip link set eth0 up', `ip addr add 10.0.0.${i + 1}/24 dev eth0`] })),
    links: [],
    lans: [{ name: 'lan', type: 'switch', members: MEMBERS.map((h) => `h${h}:eth0`) }],
  });
}

/**
 * `sender` pings `target` once to learn its MAC (and the switch, the ports of both), then, at the same
 * instant, `target` sets its device down and `sender` pings it again: the hosts whose port took
 * that echo request in (a trace `rx`), besides the sender, and the whole trace.
 */
async function simultaneous(options: EmulatorOptions, sender: number, target: number): Promise<{ saw: string[]; trace: string[] }> {
  const em = await Emulator.load(network(), options);
  const saw = new Set<string>();
  const trace: string[] = [];
  let watching = false;
  em.onTrace((events: TraceEvent[]) => {
    for (const e of events) {
      trace.push(`${e.t} ${e.node} ${e.kind} ${e.summary}`);
      if (watching && e.kind === 'rx' && e.node !== `h${sender}` && e.summary.includes('ICMP echo request')) saw.add(e.node);
    }
  });
  try {
    await em.start();
    await em.advance(10 * ms);
    expect((await em.exec(`h${sender}`, `ping -c 1 10.0.0.${target + 1}`)).status).toBe(0);
    await em.advance(10 * ms);
    watching = true;
    await em.spawn(`h${target}`, 'ip link set eth0 down');
    await em.spawn(`h${sender}`, `ping -c 1 -W 1 10.0.0.${target + 1}`);
    await em.advance(1500 * ms);
  } finally {
    await em.close();
  }
  return { saw: [...saw].sort(), trace };
}

const PLACEMENTS: EmulatorOptions[] = [{ placement: 'inline' }, { placement: 'packed', workers: 2 }, { placement: 'packed', workers: 4 }, { placement: 'per-node' }];

describe('a carrier signal on a switch reaches each port at its own place in the queue', () => {
  it('the signal from a lower port than the frame disables the member first: the frame is flooded', async () => {
    // h3 is port 4, h2 port 5: at every port the carrier signal (port 4) comes before the request (port 5).
    const inline = await simultaneous(PLACEMENTS[0]!, 2, 3);
    expect(inline.saw).toEqual(['h0', 'h1', 'h4', 'h5']);
    for (const options of PLACEMENTS.slice(1)) expect(await simultaneous(options, 2, 3)).toEqual(inline);
  });

  it('the frame from a lower port than the signal goes to the member alone', async () => {
    // h0 is port 3, h3 port 4: the request comes first and reaches h3's port only (the port still has
    // carrier when the frame is switched; h3's own stack drops it, its device being down).
    const inline = await simultaneous(PLACEMENTS[0]!, 0, 3);
    expect(inline.saw).toEqual(['h3']);
    for (const options of PLACEMENTS.slice(1)) expect(await simultaneous(options, 0, 3)).toEqual(inline);
  });
});
