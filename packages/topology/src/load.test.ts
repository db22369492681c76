import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { TopologyError } from './errors.js';
import { checkTopology, loadTopologyFile, parseTopology } from './load.js';
import type { TopologySpec } from './spec.js';

const fullExample = fileURLToPath(new URL('./testing/full.yaml', import.meta.url));

const ms = 1_000_000;
const s = 1_000_000_000;

/** The normalised form of src/testing/full.yaml, written out by hand from the format's rules. */
const fullSpec: TopologySpec = {
  name: 'full-example',
  seed: 42,
  file: fullExample,
  nodes: [
    {
      name: 'h1',
      kind: 'host',
      kindDefaulted: false,
      source: { line: 7, column: 3 },
      compat: [],
      exec: ['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up', 'ip route add default via 10.0.1.254'],
      // where each line is written, for a failing startup command's file:line:col
      execSource: [
        { line: 10, column: 9 },
        { line: 11, column: 9 },
        { line: 12, column: 9 },
      ],
      // eth0 from the first link, eth1 from LAN lan2 (links come before LANs)
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:01:01', mtu: 1500 },
        { name: 'eth1', mac: '02:00:00:00:01:02', mtu: 1500 },
      ],
    },
    {
      name: 'r1',
      kind: 'router',
      kindDefaulted: false,
      source: { line: 13, column: 3 },
      compat: ['static-routes-survive-down'],
      exec: [],
      execSource: [],
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:02:01', mtu: 1500 },
        { name: 'eth1', mac: '02:00:00:00:02:02', mtu: 9000 },
        { name: 'eth2', mac: '02:00:00:00:02:03', mtu: 1500 },
      ],
    },
    {
      // `h2:` with no settings is a host
      name: 'h2',
      kind: 'host',
      kindDefaulted: true,
      source: { line: 14, column: 3 },
      compat: [],
      exec: [],
      execSource: [],
      interfaces: [
        { name: 'eth0', mac: '02:00:00:00:03:01', mtu: 9000 },
        { name: 'eth1', mac: '02:00:00:00:03:02', mtu: 1500 },
      ],
    },
    { name: 'sw', kind: 'switch', kindDefaulted: false, source: { line: 15, column: 3 }, compat: [], exec: [], execSource: [], interfaces: [] },
  ],
  links: [
    {
      id: 'h1:eth0--r1:eth0',
      a: { node: 'h1', ifname: 'eth0' },
      b: { node: 'r1', ifname: 'eth0' },
      // own latency, loss and queue; bandwidth and mtu from defaults.link
      params: { latencyNs: 1.5 * ms, bandwidthBps: 1e9, loss: 0.01, mtu: 1500, queue: 64 },
    },
    {
      id: 'r1:eth1--h2:eth0',
      a: { node: 'r1', ifname: 'eth1' },
      b: { node: 'h2', ifname: 'eth0' },
      params: { latencyNs: 2 * ms, bandwidthBps: 100e6, loss: 0, mtu: 9000, queue: 100 },
    },
  ],
  lans: [
    {
      name: 'lan1',
      type: 'hub',
      members: [
        { node: 'r1', ifname: 'eth2' },
        { node: 'h2', ifname: 'eth1' },
      ],
      params: { latencyNs: 300_000, bandwidthBps: 1e9, loss: 0.25, mtu: 1500, queue: 100 },
    },
    {
      name: 'lan2',
      type: 'switch',
      members: [{ node: 'h1', ifname: 'eth1' }],
      // bandwidth: null overrides the default 1Gbit with unlimited
      params: { latencyNs: 2 * ms, bandwidthBps: null, loss: 0, mtu: 1500, queue: 100 },
    },
  ],
  events: [
    { at: 5 * s, kind: 'exec', node: 'h1', cmd: 'ip link set eth0 down', source: { line: 34, column: 30 } },
    { at: 6 * s, kind: 'link', link: 'h1:eth0--r1:eth0', change: { up: false } },
    // named in the reverse direction, normalised to the link's id
    { at: 7 * s, kind: 'link', link: 'h1:eth0--r1:eth0', change: { latencyNs: 5 * ms, loss: 0 } },
    { at: 8 * s, kind: 'node', node: 'r1', action: 'stop' },
    { at: 60 * s, kind: 'link', link: 'lan1', change: { bandwidthBps: 64_000, mtu: 1400, queue: 10 } },
  ],
  expect: [
    {
      at: 3 * s,
      node: 'h1',
      cmd: 'ping -c 3 10.0.9.2',
      status: 0,
      stdout: [{ kind: 'contains', text: '3 received' }],
      stderr: [{ kind: 'empty' }],
      notStdout: [{ kind: 'contains', text: 'Unreachable' }],
      line: 40,
    },
    {
      at: 0,
      node: 'h2',
      cmd: 'ip -o addr',
      stdout: [
        { kind: 'regex', source: 'inet 10\\.0\\.\\d+\\.\\d+', flags: 'i' },
        { kind: 'contains', text: 'lo' },
      ],
      stderr: [],
      notStdout: [],
      line: 47,
    },
  ],
};

describe('loading a valid topology', () => {
  test('the full example file normalises to the exact spec', () => {
    expect(loadTopologyFile(fullExample)).toEqual(fullSpec);
  });

  test('a minimal file gets every default', () => {
    const spec = parseTopology('name: tiny\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: [a:eth0, b:eth0]\n', 'tiny.yaml');
    expect(spec).toEqual({
      name: 'tiny',
      seed: 1,
      file: 'tiny.yaml',
      nodes: [
        { name: 'a', kind: 'host', kindDefaulted: true, source: { line: 2, column: 10 }, compat: [], exec: [], execSource: [], interfaces: [{ name: 'eth0', mac: '02:00:00:00:01:01', mtu: 1500 }] },
        { name: 'b', kind: 'host', kindDefaulted: true, source: { line: 2, column: 17 }, compat: [], exec: [], execSource: [], interfaces: [{ name: 'eth0', mac: '02:00:00:00:02:01', mtu: 1500 }] },
      ],
      links: [
        {
          id: 'a:eth0--b:eth0',
          a: { node: 'a', ifname: 'eth0' },
          b: { node: 'b', ifname: 'eth0' },
          params: { latencyNs: 1 * ms, bandwidthBps: null, loss: 0, mtu: 1500, queue: 100 },
        },
      ],
      lans: [],
      events: [],
      expect: [],
    });
  });
});

test.each(readdirSync(new URL('../../../topologies/', import.meta.url)).filter((f) => f.endsWith('.yaml')))(
  'the example topology topologies/%s is valid',
  (name) => {
    const result = checkTopology(
      readFileSync(new URL(`../../../topologies/${name}`, import.meta.url), 'utf8'),
      `topologies/${name}`,
    );
    expect(result.ok ? [] : result.errors).toEqual([]);
  },
);

describe('loading an invalid topology', () => {
  test('the error names file, line and column of the offending node', () => {
    const text = 'name: t\nnodes:\n  h1: {}\n  r1: {}\nlinks:\n  - endpoints: [h1:eth0, r9:eth0]\n';
    expect(() => parseTopology(text, 'x.yaml')).toThrow(
      new TopologyError([
        { file: 'x.yaml', line: 6, column: 26, message: 'link endpoint "r9:eth0" names unknown node "r9" (nodes: h1, r1)' },
      ]),
    );
    try {
      parseTopology(text, 'x.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(TopologyError);
      const e = err as TopologyError;
      expect([e.message, e.file, e.line, e.column]).toEqual([
        'x.yaml:6:26: link endpoint "r9:eth0" names unknown node "r9" (nodes: h1, r1)',
        'x.yaml',
        6,
        26,
      ]);
    }
  });

  test('every problem is listed in file order, the first one being the message', () => {
    const result = checkTopology('name: t\nnodes:\n  h1: { kind: server }\n  h2: { compat: [bsd] }\n', 'x.yaml');
    expect(result).toEqual({
      ok: false,
      errors: [
        { file: 'x.yaml', line: 3, column: 15, message: 'unknown kind "server" (kinds: host, router, director, mobile-node, home-agent, switch)' },
        { file: 'x.yaml', line: 4, column: 18, message: 'unknown compatibility setting "bsd" (known: netbsd-2004, static-routes-survive-down, mip6-bu-first-default-route, mip6-checksum-over-coa, mip6-hao-swaps-source)' },
      ],
    });
  });

  test('a missing file is a TopologyError, not an exception of fs', () => {
    expect(() => loadTopologyFile('/nonexistent/t.yaml')).toThrow('/nonexistent/t.yaml:1:1: cannot read the topology file: no such file');
  });
});

describe('YAML details', () => {
  const problems = (text: string): string[] => {
    const result = checkTopology(text, 'x.yaml');
    return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
  };

  test('an empty file, a list instead of a mapping, two documents', () => {
    expect(problems('')).toEqual([
      '1:1: the file is empty; expected a mapping with name, nodes and optionally links, lans, events, expect',
    ]);
    expect(problems('- name: x\n')).toEqual(['1:1: expected the topology as a mapping with name, nodes, links, …']);
    expect(problems('name: a\nnodes: { h1: {} }\n---\nname: b\n')).toEqual([
      '3:1: a second YAML document (after ---); a topology file is one document',
    ]);
  });

  test('a duplicate key anywhere is an error at the second occurrence', () => {
    expect(problems('name: t\nnodes:\n  h1: { kind: host, kind: router }\n')).toEqual([
      '3:21: duplicate key "kind" (first defined on line 3)',
    ]);
  });

  test('an alias without its anchor', () => {
    expect(problems('name: t\nnodes:\n  h1: *host\n')).toEqual(['3:7: unknown alias *host (no anchor &host before it)']);
  });

  test('anchors and << merge keys share link settings', () => {
    const spec = parseTopology(
      [
        'name: t',
        'nodes: { a: {}, b: {}, c: {} }',
        'links:',
        '  - &slow { endpoints: [a:eth0, b:eth0], latency: 50ms, bandwidth: 64kbit }',
        '  - { <<: *slow, endpoints: [b:eth1, c:eth0] }',
      ].join('\n'),
      'x.yaml',
    );
    expect(spec.links.map((l) => [l.id, l.params.latencyNs, l.params.bandwidthBps])).toEqual([
      ['a:eth0--b:eth0', 50 * ms, 64_000],
      ['b:eth1--c:eth0', 50 * ms, 64_000],
    ]);
  });

  test('node names, empty node lists and unknown keys in nested mappings', () => {
    expect(problems('name: t\nnodes:\n  "bad name": {}\n')).toEqual([
      '3:3: bad node name "bad name": expected a letter or digit first, then letters, digits, "_", "." or "-" (at most 64)',
    ]);
    expect(problems('name: t\nnodes: {}\n')).toEqual(['2:8: expected at least one node under "nodes"']);
    expect(problems('name: t\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: [a:eth0, b:eth0]\n    latancy: 1ms\n')).toEqual([
      '5:5: unknown key "latancy" in a link (expected one of: endpoints, latency, bandwidth, loss, mtu, queue); did you mean "latency"?',
    ]);
  });
});

describe('events', () => {
  const base = 'name: t\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: [a:eth0, b:eth0]\nlans:\n  lan1: { members: [a:eth1, b:eth1] }\nevents:\n';
  const problems = (events: string): string[] => {
    const result = checkTopology(base + events, 'x.yaml');
    return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
  };

  test('a link is named by its id in either direction or by a LAN name', () => {
    const spec = parseTopology(
      `${base}  - { at: 1s, link: "b:eth0--a:eth0", up: false }\n  - { at: 2s, link: lan1, up: true, bandwidth: null }\n`,
      'x.yaml',
    );
    expect(spec.events).toEqual([
      { at: 1 * s, kind: 'link', link: 'a:eth0--b:eth0', change: { up: false } },
      { at: 2 * s, kind: 'link', link: 'lan1', change: { up: true, bandwidthBps: null } },
    ]);
  });

  test('an event acts on one node or one link, with the keys that belong to it', () => {
    expect(problems('  - { at: 1s, node: a, link: lan1, up: true }\n')).toEqual([
      '8:24: an event acts on a node or on a link, not both; expected either "node" or "link"',
    ]);
    expect(problems('  - { at: 1s, node: a, cmd: "ip link", action: stop }\n')).toEqual([
      '8:40: a node event has either "cmd" (a command to run) or "action" (stop or start), not both',
    ]);
    expect(problems('  - { at: 1s, link: lan1, action: stop }\n')).toEqual([
      '8:27: "action" belongs to node events, but this event names link "lan1"; use "node:"',
    ]);
    expect(problems('  - { at: 1s, node: a, action: pause }\n')).toEqual(['8:32: unknown node action "pause" (actions: stop, start)']);
    expect(problems('  - { at: 1s, link: lan1, up: "no" }\n')).toEqual(['8:31: expected true or false, got "no"']);
  });
});
