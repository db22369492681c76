/**
 * Dead gateway detection (seed 002, linux-stack-facts.md §3): two default routes of equal metric;
 * the neighbour state of the gateway in use decides when new lookups move to the other one.
 * Observed on the real kernel: the first lookup goes to the absent .30; once its entry is
 * INCOMPLETE and then FAILED, lookups return via .20; with the second default at a higher metric
 * there is no failover.
 */
import { describe, expect, it } from 'vitest';
import { Lab, MS, SECOND, opened } from '../testing/lab.js';
import { checkFrame, ethernet, framesMatching, ipv4 } from '../testing/frame-checks.js';

/** h1 192.168.1.10 with gateways r20 (.20) and r30 (.30, down at first) on one LAN. */
function twoGateways(secondMetric = 0): Lab {
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('r20', { forwarding: true });
  lab.addNode('r30', { forwarding: true });
  lab.link('h1:eth0', 'r20:eth0', 'r30:eth0');
  lab.addr('h1', 'eth0', '192.168.1.10/24');
  lab.addr('r20', 'eth0', '192.168.1.20/24');
  lab.addr('r30', 'eth0', '192.168.1.30/24');
  lab.node('r30').kernel.setLinkUp('eth0', false);
  lab.exec('h1', 'ip route add default via 192.168.1.30');
  const second = lab.exec('h1', `ip route append default via 192.168.1.20${secondMetric !== 0 ? ` metric ${secondMetric}` : ''}`);
  expect(second.status, second.stderr).toBe(0);
  return lab;
}

function routeGet(lab: Lab): string {
  return lab.exec('h1', 'ip route get 8.8.8.8').stdout.split('\n')[0]!.trim();
}

function send(lab: Lab): void {
  opened(lab.node('h1').parts.sockets.openUdp({})).sendto(new Uint8Array(8), { address: '8.8.8.8', port: 9 });
}

describe('dead gateway detection', () => {
  it('moves new lookups to the other default route once the gateway in use is INCOMPLETE, then FAILED', () => {
    const lab = twoGateways();
    expect(routeGet(lab)).toBe('8.8.8.8 via 192.168.1.30 dev eth0 src 192.168.1.10 uid 0');
    send(lab);
    lab.run(500 * MS);
    expect(lab.node('h1').parts.neighbours.lookup('eth0', 0xc0a8011e)?.state).toBe('INCOMPLETE');
    expect(routeGet(lab)).toBe('8.8.8.8 via 192.168.1.20 dev eth0 src 192.168.1.10 uid 0');
    lab.run(3 * SECOND);
    expect(lab.node('h1').parts.neighbours.lookup('eth0', 0xc0a8011e)?.state).toBe('FAILED');
    expect(routeGet(lab)).toBe('8.8.8.8 via 192.168.1.20 dev eth0 src 192.168.1.10 uid 0');
    // Traffic now leaves for r20's MAC.
    const start = lab.now;
    send(lab);
    lab.run(50 * MS);
    const sent = framesMatching(lab.sent('h1', 'eth0', start), ipv4({ destination: '8.8.8.8' }));
    expect(sent).toHaveLength(1);
    expect(checkFrame(sent[0], ethernet({ destination: '02:00:00:00:02:01' }))).toBeNull();
  });

  it('does not fail over when the other default route has a higher metric', () => {
    const lab = twoGateways(10);
    send(lab);
    lab.run(4 * SECOND);
    expect(lab.node('h1').parts.neighbours.lookup('eth0', 0xc0a8011e)?.state).toBe('FAILED');
    expect(routeGet(lab)).toBe('8.8.8.8 via 192.168.1.30 dev eth0 src 192.168.1.10 uid 0');
  });

  it('a gateway that answers again is eligible again, following its neighbour states', () => {
    const lab = twoGateways();
    const neighbours = lab.node('h1').parts.neighbours;
    send(lab);
    lab.run(4 * SECOND);
    expect(routeGet(lab)).toContain('via 192.168.1.20');
    send(lab);
    lab.run(50 * MS);
    expect(neighbours.lookup('eth0', 0xc0a80114)?.state).toBe('REACHABLE');
    // r30 comes back and talks to h1: h1 enters it as STALE, and its port unreachable back moves
    // the entry to DELAY.
    lab.node('r30').kernel.setLinkUp('eth0', true);
    opened(lab.node('r30').parts.sockets.openUdp({})).sendto(new Uint8Array(8), { address: '192.168.1.10', port: 9 });
    lab.run(50 * MS);
    const talkedAt = lab.now;
    const gw30 = neighbours.lookup('eth0', 0xc0a8011e)!;
    expect(gw30.state).toBe('DELAY');
    // A valid but unconfirmed .30 is alive unless it was the last choice, and a valid last choice
    // counts as dead: lookups alternate (fa_default, the kernel's memory of the last choice).
    const pair = [routeGet(lab), routeGet(lab)];
    expect(pair.map((line) => line.split(' ')[2]).sort()).toEqual(['192.168.1.20', '192.168.1.30']);
    // delay_first_probe_time later h1 probes .30 by unicast, r30 answers: REACHABLE, chosen for good.
    lab.runUntil(talkedAt + 5 * SECOND);
    expect(gw30.state).toBe('REACHABLE');
    expect([routeGet(lab), routeGet(lab), routeGet(lab)]).toEqual(Array(3).fill('8.8.8.8 via 192.168.1.30 dev eth0 src 192.168.1.10 uid 0'));
  });
});
