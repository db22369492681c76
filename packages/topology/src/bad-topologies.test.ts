/**
 * Every file in topologies/bad/ gives its own specific error, with line and column, as
 * `file:line:column: message` — the exact text a user sees from `netloom check`. The
 * `startup-fail-*` files load; they fail when started (a startup or event command fails), which
 * the runtime's command-failure.test.ts and the CLI's startup-failure.test.ts check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { TopologyError } from './errors.js';
import { parseTopology } from './load.js';

const badDir = new URL('../../../topologies/bad/', import.meta.url);
/** Files that load and fail when started. */
const FAILS_AT_START = 'startup-fail-';
/** The hostile-input corpus, checked against input-expected.json by bad-input-corpus.test.ts. */
const HOSTILE_INPUT = 'input-';

const expected: Record<string, string> = {
  'syntax-error.yaml':
    '5:3: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
  'unknown-node.yaml': '12:18: link endpoint "r9:eth0" names unknown node "r9" (nodes: h1, r1, h2)',
  'duplicate-interface.yaml':
    '9:26: interface "r1:eth0" is already used by link "h1:eth0--r1:eth0" (line 8); an interface joins one link or LAN',
  'duplicate-lan-member.yaml':
    '11:24: interface "h1:eth0" is already used by link "h1:eth0--h2:eth0" (line 8); an interface joins one link or LAN',
  'self-link.yaml': '6:26: link joins "h1:eth0" to itself; expected two different interfaces',
  'bad-duration.yaml': '8:14: bad duration "5sec": expected a number with a unit ns, us, ms, s or m, e.g. 1.5ms or 300us',
  'zero-latency.yaml':
    '8:14: latency must be more than 0 (the engine\'s lookahead is the smallest link latency), got "0s"',
  'negative-time.yaml': '6:11: negative time "-2s"; expected 0 or more, e.g. 5s or 1.5ms',
  'unknown-kind.yaml': '5:11: unknown kind "server" (kinds: host, router, director, mobile-node, home-agent, switch)',
  'bad-compat.yaml': '4:31: unknown compatibility setting "linux-2.4" (known: netbsd-2004, static-routes-survive-down, mip6-bu-first-default-route, mip6-checksum-over-coa, mip6-hao-swaps-source)',
  'bad-bandwidth.yaml':
    '8:16: bad bandwidth "100Mbps": expected bits per second with a unit bit, kbit, Mbit or Gbit, e.g. 100Mbit (tc reads "Mbps" as bytes)',
  'loss-over-100.yaml': '4:31: loss "150%" is over 100%',
  'mtu-out-of-range.yaml': '9:10: mtu 70000 is out of range; expected a whole number of bytes from 68 to 65535',
  'bad-endpoint.yaml': '7:26: bad endpoint "h2-eth0": expected node:ifname, e.g. h1:eth0',
  'ifname-too-long.yaml':
    '7:17: bad endpoint "h1:uplink-to-core-router": interface name "uplink-to-core-router" is 21 bytes; Linux allows at most 15 (IFNAMSIZ 16 with the NUL)',
  'lan-unknown-member.yaml': '9:31: LAN member "c:eth0" names unknown node "c" (nodes: a, b)',
  'unknown-link-in-event.yaml':
    '9:21: event names unknown link "h1:eth0--h2:eth1" (links: h1:eth0--h2:eth0)',
  'event-unknown-node.yaml': '10:11: event names unknown node "h3" (nodes: h1, h2)',
  'event-node-and-link-change.yaml':
    '11:5: "loss" changes a link, but this event names node "h1"; use "link:" for link changes',
  'expect-without-cmd.yaml': '6:5: missing required key "cmd" (the command to run, e.g. ping -c 1 10.0.0.2)',
  'bad-regex.yaml':
    '10:13: bad regular expression "/(\\\\d+ received/": missing closing ): `(\\d+ received`',
  'duplicate-node.yaml': '6:3: duplicate node "r1" (first defined on line 4)',
  'missing-name.yaml': '2:1: missing required key "name" (the topology\'s name, a string)',
  'unknown-top-level-key.yaml':
    '5:1: unknown key "timeline" in the topology (expected one of: name, seed, defaults, nodes, links, lans, events, expect)',
  'misspelt-key.yaml':
    '3:1: unknown key "node" in the topology (expected one of: name, seed, defaults, nodes, links, lans, events, expect); did you mean "nodes"?',
  'bad-address.yaml':
    '7:21: bad address "10.0.1.300/24" in "ip addr add": expected an IPv4 or IPv6 address with an optional /prefix length, e.g. 10.0.1.1/24',
  'startup-list-operator.yaml':
    '6:29: the node shell has no "&&" lists; the one form understood is a trailing "|| true" (this line may fail)',
  'bad-hosts-line.yaml': '7:7: /etc/hosts: glibc skips "fe80::1%eth0": an /etc/hosts address cannot carry a zone (%eth0)',
  'bad-gai-conf.yaml': '7:20: /etc/gai.conf: precedence prefix "::1" has no /bits: glibc 2.36 skips the line; write ::1/128',
  'bad-ra-lifetime.yaml': '10:29: preferred-lifetime (14400s) is longer than valid-lifetime (1800s); radvd refuses that',
  'bad-gateway.yaml':
    '7:35: bad gateway address "gateway.example" after "via": expected an IPv4 or IPv6 address, e.g. 10.0.1.254',
};

function errorOf(name: string): TopologyError {
  const text = readFileSync(new URL(name, badDir), 'utf8');
  try {
    parseTopology(text, `topologies/bad/${name}`);
  } catch (err) {
    if (err instanceof TopologyError) return err;
    throw err;
  }
  throw new Error(`topologies/bad/${name} loaded without an error`);
}

describe('bad topology files', () => {
  test.each(Object.entries(expected))('%s', (name, where) => {
    expect(errorOf(name).message).toBe(`topologies/bad/${name}:${where}`);
  });

  test('every file in topologies/bad/ has its expected error here, and the README lists it', () => {
    const files = readdirSync(badDir).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.filter((f) => !f.startsWith(FAILS_AT_START) && !f.startsWith(HOSTILE_INPUT))).toEqual(Object.keys(expected).sort());
    const readme = readFileSync(new URL('README.md', badDir), 'utf8');
    expect(files.filter((f) => !readme.includes(`\`${f}\``))).toEqual([]);
  });

  test('the startup-fail-* files load: their commands fail only when started', () => {
    const files = readdirSync(badDir).filter((f) => f.startsWith(FAILS_AT_START));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const name of files) expect(() => parseTopology(readFileSync(new URL(name, badDir), 'utf8'), name), name).not.toThrow();
  });

  test('a misspelt key reports the misspelling first, then the key that is missing', () => {
    expect(errorOf('misspelt-key.yaml').errors.map((e) => `${e.line}:${e.column}: ${e.message}`)).toEqual([
      expected['misspelt-key.yaml'],
      '2:1: missing required key "nodes" (a mapping of node names to nodes)',
    ]);
  });
});
