// Interface counters: every frame a node sends or receives counts on its device, whole frames
// without FCS as Linux counts them, and `ip -s link` / `ifconfig` show them.
import { describe, expect, it } from 'vitest';
import { Lab, SECOND } from './testing/lab.js';
import { echoProgram } from './testing/programs.js';

describe('interface counters', () => {
  it('count the ARP exchange and the echo request/reply of one ping on both ends', () => {
    const lab = new Lab();
    lab.addNode('a', { programs: { pinger: echoProgram } });
    lab.addNode('b');
    lab.link('a:eth0', 'b:eth0');
    lab.addr('a', 'eth0', '10.0.0.1/24');
    lab.addr('b', 'eth0', '10.0.0.2/24');
    lab.exec('a', 'pinger 10.0.0.2 1', 10 * SECOND);
    const a = lab.node('a').statsOf('eth0');
    // ARP request (42 bytes) + echo request (98) out; ARP reply (42) + echo reply (98) in.
    expect(a).toMatchObject({ txPackets: 2, txBytes: 140, rxPackets: 2, rxBytes: 140 });
    expect(lab.node('a').counters()).toMatchObject({ framesIn: 2, framesOut: 2 });
    expect(lab.node('b').counters()).toMatchObject({ framesIn: 2, framesOut: 2 });
    const show = lab.exec('a', 'ifconfig eth0');
    expect(show.stdout).toContain('RX packets 2  bytes 140 (140.0 B)');
    expect(show.stdout).toContain('TX packets 2  bytes 140 (140.0 B)');
  });

  it('a device that is down takes nothing off the wire: no RX counted', () => {
    const lab = new Lab();
    lab.addNode('a', { programs: { pinger: echoProgram } });
    lab.addNode('b');
    // A hub-like segment: frames keep reaching b whatever b's own state (Linux: the bridge or veth
    // would not even deliver them; either way nothing is counted).
    lab.link('a:eth0', 'b:eth0');
    lab.addr('a', 'eth0', '10.0.0.1/24');
    lab.addr('b', 'eth0', '10.0.0.2/24');
    expect(lab.exec('b', 'ip link set eth0 down').status).toBe(0);
    lab.exec('a', 'pinger 10.0.0.2 1', 10 * SECOND);
    expect(lab.node('a').statsOf('eth0').txPackets).toBeGreaterThan(0);
    expect(lab.node('b').statsOf('eth0')).toMatchObject({ rxPackets: 0, rxBytes: 0 });
  });
});
