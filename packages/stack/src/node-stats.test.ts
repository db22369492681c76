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
    const ping = lab.exec('a', 'pinger 10.0.0.2 1', 10 * SECOND);
    expect(ping.status, ping.stderr).toBe(0);
    const a = lab.node('a').statsOf('eth0');
    // ARP request (42 bytes) + echo request (98) out; ARP reply (42) + echo reply (98) in.
    expect(a).toMatchObject({ txPackets: 2, txBytes: 140, rxPackets: 2, rxBytes: 140 });
    expect(lab.node('a').counters()).toMatchObject({ framesIn: 2, framesOut: 2 });
    expect(lab.node('b').counters()).toMatchObject({ framesIn: 2, framesOut: 2 });
    const show = lab.exec('a', 'ifconfig eth0');
    expect(show.stdout).toContain('RX packets 2  bytes 140 (140.0 B)');
    expect(show.stdout).toContain('TX packets 2  bytes 140 (140.0 B)');
  });
});
