/**
 * A node's `hosts:` and `gai.conf:` blocks (its /etc/hosts and /etc/gai.conf) and its `ra:` block:
 * what the spec hands to the node, and every line glibc or radvd would skip or refuse reported at
 * its file:line:column, in the block form (|) and the list form.
 */
import { describe, expect, it } from 'vitest';
import { checkTopology } from './load.js';

const base = (node: string): string => `name: files
nodes:
  r1:
    kind: router
${node}
  h1: {}
links:
  - endpoints: [r1:eth0, h1:eth0]
    mtu: 1400
`;

function errors(text: string): string[] {
  const result = checkTopology(text, 't.yaml');
  return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
}

describe('hosts: and gai.conf:', () => {
  it('hands the blocks to the node as /etc/hosts and /etc/gai.conf', () => {
    const result = checkTopology(
      base(`    hosts: |
      # seed 003
      fec0::1 rockon
      2001::1\trockon   rockon.example
    gai.conf:
      - precedence ::ffff:0:0/96 100
      - label ::1/128 0`),
      't.yaml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.nodes[0]!.files).toEqual([
      { path: '/etc/hosts', text: '# seed 003\nfec0::1 rockon\n2001::1\trockon   rockon.example\n' },
      { path: '/etc/gai.conf', text: 'precedence ::ffff:0:0/96 100\nlabel ::1/128 0\n' },
    ]);
    expect(result.spec.nodes[1]!.files).toBeUndefined();
  });

  it('reports a line glibc skips at its line and column, in a block and in a list', () => {
    expect(
      errors(
        base(`    hosts: |
      fec0::1 rockon
        fe80::1%eth0 rockon
      10.1 short
    gai.conf:
      - precedence ::ffff:0:0/96 100
      - precedence ::1 50
      - scopev4 10.0.0.0/8 five`),
      ),
    ).toEqual([
      '7:9: /etc/hosts: glibc skips "fe80::1%eth0": an /etc/hosts address cannot carry a zone (%eth0)',
      '8:7: /etc/hosts: bad address "10.1" (glibc skips the line): expected an IPv4 or IPv6 address first, e.g. 2001:db8::1 or 10.0.0.1',
      '11:20: /etc/gai.conf: precedence prefix "::1" has no /bits: glibc 2.36 skips the line; write ::1/128',
      '12:28: /etc/gai.conf: bad scopev4 value "five": expected a whole number from 0 to 2147483647 (glibc skips the line)',
    ]);
  });

  it('refuses a list line with a line break and a value that is not text', () => {
    expect(errors(base(`    hosts: ["a\\nb"]`))).toEqual(['5:13: a line of /etc/hosts cannot hold a line break; give each line as its own list item']);
    expect(errors(base(`    gai.conf: 42`))).toEqual(['5:15: expected the lines of /etc/gai.conf, as a text block (|) or a list of lines, got 42']);
  });
});

describe('ra:', () => {
  it("fills in radvd's defaults", () => {
    const result = checkTopology(base(`    ra:\n      eth0:\n        prefixes:\n          - prefix: 2001:db8:1::/64`), 't.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.nodes[0]!.raSource).toEqual({ line: 5, column: 5 });
    expect(result.spec.nodes[0]!.ra).toEqual([
      {
        ifname: 'eth0',
        minIntervalNs: 198e9,
        maxIntervalNs: 600e9,
        routerLifetime: 1800,
        routerPreference: 'medium',
        mtu: 0,
        hopLimit: 64,
        managed: false,
        otherConfig: false,
        reachableTimeMs: 0,
        retransTimerMs: 0,
        prefixes: [{ prefix: '2001:db8:1::', prefixLength: 64, onLink: true, autonomous: true, validLifetime: 86400, preferredLifetime: 14400 }],
      },
    ]);
  });

  it('takes every setting', () => {
    const result = checkTopology(
      base(`    ra:
      eth0:
        max-interval: 10s
        min-interval: 5s
        router-lifetime: 0s
        router-preference: high
        mtu: 1400
        hop-limit: 32
        managed: true
        other-config: true
        reachable-time: 30000ms
        retrans-timer: 1s
        prefixes:
          - { prefix: "2001:db8:2::/64", on-link: false, autonomous: false, valid-lifetime: infinity, preferred-lifetime: 0s }`),
      't.yaml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.nodes[0]!.ra![0]).toMatchObject({ minIntervalNs: 5e9, maxIntervalNs: 10e9, routerLifetime: 0, routerPreference: 'high', mtu: 1400, hopLimit: 32, managed: true, otherConfig: true, reachableTimeMs: 30000, retransTimerMs: 1000 });
    expect(result.spec.nodes[0]!.ra![0]!.prefixes[0]).toEqual({ prefix: '2001:db8:2::', prefixLength: 64, onLink: false, autonomous: false, validLifetime: 0xffffffff, preferredLifetime: 0 });
  });

  it('reports what radvd refuses, where it is written', () => {
    expect(errors(base(`    ra:\n      eth0:\n        router-preference: highest`))).toEqual(['7:28: unknown router preference "highest" (preferences: low, medium, high)']);
    expect(
      errors(
        base(`    ra:
      eth9: {}
      eth0:
        max-interval: 2s
        min-interval: 1s
        router-lifetime: 1.5s
        mtu: 1500
        prefixes:
          - prefix: fe80::/64
          - prefix: "2001:db8::"
          - { prefix: "2001:db8:3::/64", valid-lifetime: 60s, preferred-lifetime: 120s }`),
      ),
    ).toEqual([
      '6:7: ra names interface "eth9", which is not one of this node\'s (eth0)',
      '8:23: max-interval (MaxRtrAdvInterval) must be from 4s to 1800s, got "2s"',
      '9:23: min-interval (MinRtrAdvInterval) must be from 3s to 0.75 × max-interval (1.5s), got "1s"',
      '10:26: router-lifetime (AdvDefaultLifetime) is whole seconds, got "1.5s"',
      "11:14: mtu (AdvLinkMTU) must be 0 (no MTU option) or from 1280 to the link's MTU 1400, got 1500",
      '13:21: prefix "fe80::/64" is link-local; radvd advertises neither',
      '14:21: bad prefix "2001:db8::": expected an IPv6 prefix with its length, e.g. 2001:db8:1::/64',
      '15:83: preferred-lifetime (120s) is longer than valid-lifetime (60s); radvd refuses that',
    ]);
  });
});
