/**
 * `bench tree`'s network and what its run reports — never how fast: the sizes add up to the nodes
 * asked for, the addresses and routes carry a ping from the first host to the last across the root,
 * and every host of the biggest LAN gets its gateway's answers in the storm.
 */
import { scaled } from '@netloom/wire/testing/test-environment';
import { describe, expect, it } from 'vitest';
import { benchTree, treeNetwork, treeShape } from './bench-tree.js';

describe('bench tree', () => {
  it('fits as many full LANs as the nodes allow and gives the rest of the hosts to the last, the biggest', () => {
    // 4 leaves: 1 + 4 routers and 4 × 5 hosts = 25; 5 leaves would need 1 + 2 + 5 routers and 25 hosts = 33.
    expect(treeShape(30, 4, 5)).toEqual({ levels: [1, 4], lanHosts: [5, 5, 5, 10], routers: 5, hosts: 25 });
    expect(treeShape(7, 4, 5)).toEqual({ levels: [1, 1], lanHosts: [5], routers: 2, hosts: 5 });
    for (const nodes of [300, 1000, 4321]) {
      const shape = treeShape(nodes, 16, 64);
      expect(shape.routers + shape.hosts).toBe(nodes);
      expect(shape.lanHosts.reduce((a, b) => a + b, 0)).toBe(shape.hosts);
      expect(Math.max(...shape.lanHosts)).toBe(shape.lanHosts.at(-1));
    }
    expect(() => treeShape(6, 4, 5)).toThrow('a tree with 5 hosts per LAN has 7 to 1000000 nodes, not 6');
    expect(() => treeShape(100, 1, 5)).toThrow("a tree's fanout is 2 to 255, not 1");
  });

  it('lists routers and hosts depth first, each router routing the LANs below it to the child that has them', () => {
    // Fanout 2: 1 + 2 + 4 routers and LANs of 5, 5, 5 and 8 hosts.
    const network = treeNetwork(30, 2, 5, 100_000);
    const hosts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `h${from + k}`);
    expect(network.spec.nodes.map((n) => n.name)).toEqual(['r0-1', 'r1-1', 'r2-1', ...hosts(1, 5), 'r2-2', ...hosts(6, 10), 'r1-2', 'r2-3', ...hosts(11, 15), 'r2-4', ...hosts(16, 23)]);
    const exec = (name: string) => network.spec.nodes.find((n) => n.name === name)!.exec;
    // The biggest LAN has 8 hosts, so every LAN is a /28; links above routers are /30s numbered depth first.
    expect(exec('r0-1').filter((c) => c.includes('route'))).toEqual([
      'ip route add 10.0.0.0/28 via 172.16.0.2',
      'ip route add 10.0.0.16/28 via 172.16.0.2',
      'ip route add 10.0.0.32/28 via 172.16.0.14',
      'ip route add 10.0.0.48/28 via 172.16.0.14',
    ]);
    expect(exec('r1-1').filter((c) => c.includes('route'))).toEqual(['ip route add 10.0.0.0/28 via 172.16.0.6', 'ip route add 10.0.0.16/28 via 172.16.0.10', 'ip route add default via 172.16.0.1']);
    expect(exec('r2-4')).toEqual(['ip link set eth0 up', 'ip link set eth1 up', 'ip addr add 172.16.0.22/30 dev eth0', 'ip addr add 10.0.0.49/28 dev eth1', 'ip route add default via 172.16.0.21']);
    expect(exec('h23')).toEqual(['ip link set eth0 up', 'ip addr add 10.0.0.57/28 dev eth0', 'ip route add default via 10.0.0.49']);
    expect(network).toMatchObject({ firstHost: 'h1', lastHost: 'h23', lastHostAddress: '10.0.0.57', biggestLan: { name: 'lan4', gateway: '10.0.0.49' } });
    expect(network.biggestLan.hosts).toEqual(hosts(16, 23));
    expect(network.spec.lans.map((l) => l.members.length)).toEqual([6, 6, 6, 9]);
    expect(new Set(network.spec.nodes.flatMap((n) => n.interfaces.map((i) => i.mac))).size).toBe(network.spec.nodes.reduce((s, n) => s + n.interfaces.length, 0));
  });

  it.each(['inline', 'packed'] as const)('%s: the first host pings the last across the root, and every host of the biggest LAN gets its gateway’s answers', async (placement) => {
    const nodes = scaled(300);
    const result = await benchTree({ nodes, fanout: 4, hostsPerLan: 8, placement, workers: 2 });
    expect(result).toMatchObject({ nodes, placement, pingAnswered: true });
    expect(result.depth).toBeGreaterThanOrEqual(3);
    expect(result.routers + result.hosts).toBe(nodes);
    expect(result.stormCommands).toBe(2 * result.biggestLan);
    expect(result.stormAnswered).toBe(result.stormCommands);
    // Each arping's request and reply, each ping's request and reply.
    expect(result.stormFrames).toBeGreaterThanOrEqual(4 * result.biggestLan);
  });
});
