/**
 * The benchmark scenarios' builders and what their runs report — never how fast: sizes are the
 * smallest that show the shape (every pair of LAN hosts met, a boot chain that really routes end to
 * end, every lookahead window run).
 */
import { describe, expect, it } from 'vitest';
import { barrierSpec, benchBarrier } from './bench-barrier.js';
import { bootNodeCommands, bootSpec, benchBoot } from './bench-boot.js';
import { benchLan, lanHostAddress, lanRound, lanSpec } from './bench-lan.js';
import { Emulator } from './emulator.js';

describe('bench boot', () => {
  it('builds a chain whose startup commands route a ping from the first host to the last', async () => {
    const spec = bootSpec(6, 100_000);
    expect(spec.nodes.map((n) => n.name)).toEqual(['h1', 'r1', 'r2', 'r3', 'r4', 'h2']);
    expect(spec.links.map((l) => l.id)).toEqual(['h1:eth0--r1:eth0', 'r1:eth1--r2:eth0', 'r2:eth1--r3:eth0', 'r3:eth1--r4:eth0', 'r4:eth1--h2:eth0']);
    const emulator = await Emulator.load(spec, { placement: 'inline' });
    try {
      await emulator.start();
      expect(emulator.startupResults().filter((r) => r.status !== 0)).toEqual([]);
      const ping = await emulator.exec('h1', 'ping -c 1 10.0.4.2');
      expect(ping.stdout).toContain('64 bytes from 10.0.4.2: icmp_seq=1 ttl=60');
    } finally {
      await emulator.close();
    }
  });

  it('numbers links past 256 across the second octet', () => {
    expect(bootNodeCommands(300, 1000)).toEqual([
      'ip link set eth0 up',
      'ip link set eth1 up',
      'ip addr add 10.1.43.2/24 dev eth0',
      'ip addr add 10.1.44.1/24 dev eth1',
      'ip route add 10.3.230.0/24 via 10.1.44.2',
      'ip route add 10.0.0.0/24 via 10.1.43.1',
    ]);
    expect(() => bootSpec(1, 1)).toThrow('a boot chain has 2 to 65537 nodes, not 1');
  });

  it('reports the nodes, links and startup commands it made ready', async () => {
    const result = await benchBoot({ nodes: 12, placement: 'inline' });
    expect(result).toMatchObject({ nodes: 12, links: 11, commands: 3 + 3 + 5 + 8 * 6 + 5, placement: 'inline', workers: 0 });
    expect(result.readyMs).toBeGreaterThan(0);
  });
});

describe('bench lan', () => {
  it('puts every host on one switch, and its rounds pair every host with every other once', () => {
    const spec = lanSpec(5, 100_000);
    expect(spec.lans).toHaveLength(1);
    expect(spec.lans[0]!.members).toHaveLength(5);
    expect(new Set(spec.nodes.map((n) => n.interfaces[0]!.mac)).size).toBe(5);
    const pings = [1, 2, 3, 4].flatMap((k) => lanRound(5, k)).filter((c) => c.cmd.startsWith('ping'));
    const pairs = pings.map((c) => `${c.node}>${c.cmd.split(' ').pop()}`);
    expect(new Set(pairs).size).toBe(20);
    expect(pairs.filter((p) => p === `h1>${lanHostAddress(0)}`)).toEqual([]);
    expect(lanHostAddress(254)).toBe('10.0.0.255');
    expect(lanHostAddress(255)).toBe('10.0.1.0');
  });

  it('every arping and ping is answered, and the switch carries the ARP and echo frames', async () => {
    const result = await benchLan({ hosts: 4, placement: 'inline' });
    expect(result).toMatchObject({ hosts: 4, rounds: 3, commands: 24, answered: 24, placement: 'inline' });
    // 12 arping requests and replies, 12 echo requests and replies, and at least the ARP of the pings' first direction.
    expect(result.switchFrames).toBeGreaterThanOrEqual(4 * 12);
  });
});

describe('bench barrier', () => {
  it('chains ticker nodes that tick once per lookahead', () => {
    const spec = barrierSpec(3, 50_000);
    expect(spec.nodes.map((n) => [n.name, n.exec, n.interfaces.length])).toEqual([
      ['tick1', ['tick 50000'], 1],
      ['tick2', ['tick 50000'], 2],
      ['tick3', ['tick 50000'], 1],
    ]);
  });

  it('runs the windows asked for on the shards asked for, frames crossing between them', async () => {
    const result = await benchBarrier({ nodes: 4, windows: 40, latencyNs: 100_000, placement: 'packed', workers: 2 });
    expect(result).toMatchObject({ nodes: 4, windows: 40, shards: 2, workers: 2, virtualNs: 40 * 100_000 });
    // Three links, a frame each way per tick: one per link end and window, give or take the edges.
    expect(result.frames).toBeGreaterThanOrEqual(6 * 39);
    expect(result.frames).toBeLessThanOrEqual(6 * 41);
  });
});
