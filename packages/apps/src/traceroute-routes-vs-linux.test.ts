/**
 * traceroute's next hops against Linux, live: traceroute 2.1.2 connects each probe's own UDP socket
 * (socket, bind 0.0.0.0:0, IP_TTL, connect, send — strace in a namespace), so the kernel's lookup
 * for connect (ip_route_connect: once to choose the source, again with it) sees the source address.
 * A `from` rule then applies to the probes and the multipath hash covers the source. The same
 * network is built in namespaces and in netloom: a with two links, to m1 (P.1.254) and m2
 * (P.2.254), both forwarding; a probe with TTL 1 expires at whichever of them a sent it to, so the
 * first hop's line names the next hop a's kernel chose. Needs root, `ip` and traceroute; skips
 * saying which is missing (fails instead under CI=true).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { programs } from './index.js';
import { transcript, TwinNetwork, type TwinSpec } from './testing/twin-network.js';

const realTools = needs({ netns: true, tools: ['traceroute', 'sysctl'] });

const P = '10.249';
/** Destinations behind the multipath route: enough that both next hops are taken (checked below). */
const MULTIPATH_DESTINATIONS = Array.from({ length: 12 }, (_, i) => `${P}.9.${i + 1}`);

const spec: TwinSpec = {
  nodes: [{ name: 'a' }, { name: 'm1', forwarding: true }, { name: 'm2', forwarding: true }],
  links: [
    ['a:eth0', 'm1:eth0'],
    ['a:eth1', 'm2:eth0'],
  ],
  setup: [
    ['a', `ip addr add ${P}.1.1/24 dev eth0`],
    ['a', `ip addr add ${P}.2.1/24 dev eth1`],
    ['m1', `ip addr add ${P}.1.254/24 dev eth0`],
    ['m2', `ip addr add ${P}.2.254/24 dev eth0`],
    // m1 and m2 route the probes' destinations (back towards a: a TTL-1 probe expires first) and
    // reach both of a's addresses.
    ['m1', `ip route add ${P}.0.0/16 via ${P}.1.1`],
    ['m2', `ip route add ${P}.0.0/16 via ${P}.2.1`],
    // Multipath with the hash seed set: Linux's hash is then reproducible, and netloom's is Linux's.
    ['a', 'sysctl -qw net.ipv4.fib_multipath_hash_seed=1053'],
    ['a', `ip route add ${P}.9.0/24 nexthop via ${P}.1.254 nexthop via ${P}.2.254`],
    // The main table sends P.8.0/24 to m1 with source P.1.1; a rule sends that source to m2.
    ['a', `ip route add ${P}.8.0/24 via ${P}.1.254`],
    ['a', `ip route add ${P}.8.0/24 via ${P}.2.254 table 100`],
    ['a', `ip rule add from ${P}.1.1 lookup 100`],
  ],
};

const net = new TwinNetwork('nltrrt', spec, programs);

realTools.describe('traceroute picks the next hops Linux picks', () => {
  beforeAll(() => net.build());
  afterAll(() => net.destroy());

  it('a `from` rule applies to the probes: connect() looks the route up again with the source', { timeout: 0 }, () => {
    const line = `traceroute -n -q 1 -m 1 ${P}.8.1`;
    const linux = net.linux('a', line);
    // The rule's next hop, m2: an unconnected sendto would look up with no source and go to m1.
    expect(linux.stdout).toContain(` 1  ${P}.2.254  `);
    expect(transcript(net.netloom('a', line))).toBe(transcript(linux));
    // Both tests are synchronous (the namespaces' commands through spawnSync), so no timeout, as
    // the kernel comparisons (docs/testing.md): a timer cannot interrupt them and could only judge speed.
  });

  it('each probe takes the multipath next hop the kernel hashes for it (seed 1053, policy 0)', { timeout: 0 }, () => {
    const lines = MULTIPATH_DESTINATIONS.map((dst) => `traceroute -n -q 2 -N 1 -m 1 ${dst}`);
    const linux = lines.map((line) => transcript(net.linux('a', line)));
    // Both next hops occur, so the comparison tells them apart.
    expect(linux.some((t) => t.includes(` 1  ${P}.1.254  `))).toBe(true);
    expect(linux.some((t) => t.includes(` 1  ${P}.2.254  `))).toBe(true);
    expect(lines.map((line) => transcript(net.netloom('a', line)))).toEqual(linux);
  });
});
