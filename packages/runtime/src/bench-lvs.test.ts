/**
 * `bench lvs`'s network and what its run reports — never how fast: every requested connection is
 * scheduled by the director and answered, spread over the real servers.
 */
import { describe, expect, it } from 'vitest';
import { benchLvs, directorApart, lvsSpec } from './bench-lvs.js';

describe('bench lvs', () => {
  it('builds clients, real servers and the director last, with one service over every real server', () => {
    const spec = lvsSpec(3, 2);
    expect(spec.nodes.map((n) => n.name)).toEqual(['c1', 'c2', 'c3', 'rs1', 'rs2', 'director']);
    expect(spec.lans.map((l) => `${l.name}: ${l.members.map((m) => `${m.node}:${m.ifname}`).join(' ')}`)).toEqual([
      'outside: c1:eth0 c2:eth0 c3:eth0 director:eth0',
      'inside: director:eth1 rs1:eth0 rs2:eth0',
    ]);
    expect(spec.nodes.at(-1)!.exec.filter((c) => c.startsWith('ipvsadm'))).toEqual([
      'ipvsadm -A -t 192.168.0.100:80 -s rr',
      'ipvsadm -a -t 192.168.0.100:80 -r 10.1.1.1:80 -m',
      'ipvsadm -a -t 192.168.0.100:80 -r 10.1.1.2:80 -m',
    ]);
    expect(() => lvsSpec(0, 1)).toThrow('an LVS bench needs 1 to 10000 clients, not 0');
  });

  it('puts the director alone on the last worker, the clients and real servers on the others', () => {
    const names = lvsSpec(2, 3).nodes.map((n) => n.name);
    expect(directorApart(names, 2)).toEqual({ director: 1, c1: 0, c2: 0, rs1: 0, rs2: 0, rs3: 0 });
    expect(directorApart(names, 3)).toEqual({ director: 2, c1: 0, c2: 0, rs1: 0, rs2: 1, rs3: 1 });
    expect(directorApart(names, 1)).toBeUndefined();
  });

  it('reports every connection scheduled by the director and answered', async () => {
    const result = await benchLvs({ clients: 2, servers: 2, connections: 30, placement: 'inline' });
    expect(result).toMatchObject({ clients: 2, servers: 2, connections: 30, answered: 30, requested: 30, placement: 'inline' });
    expect(result.virtualNs).toBeGreaterThan(0);
  });

  it('gives the same connections per virtual second in every placement (the emulated network\'s rate)', async () => {
    const run = (placement: 'inline' | 'packed') => benchLvs({ clients: 2, servers: 2, connections: 30, placement, workers: 2 });
    const inline = await run('inline');
    const packed = await run('packed');
    expect(inline.connectionsPerVirtualSecond).toBeGreaterThan(0);
    expect(packed.connectionsPerVirtualSecond).toBe(inline.connectionsPerVirtualSecond);
    // Thirty connections in the virtual time from the first request to the last exit, no more.
    expect(inline.connectionsPerVirtualSecond).toBeGreaterThan((30 / inline.virtualNs) * 1e9);
    // Two runs of thirty connections at every NETLOOM_TEST_SCALE (about 0.7 s, two worker threads
    // for packed): the package's test timeout.
  });
});
