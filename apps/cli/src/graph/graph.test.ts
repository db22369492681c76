import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopologyFile, parseTopology } from '@netloom/topology';
import { describe, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { FIXTURES, REPO_ROOT, runCli } from '../testing/cli-harness.js';
import { fakeEngine } from '../testing/fake-emulator.js';
import { renderDot } from './dot.js';
import { renderMermaid } from './mermaid.js';
import { renderSvg } from './svg.js';
import { addressesFromStartup, topologyGraph } from './topology-graph.js';

const threeHosts = loadTopologyFile(join(FIXTURES, 'three-hosts.yaml'));
const graph = topologyGraph(threeHosts, addressesFromStartup(threeHosts));
const graphviz = needs({ tools: ['dot'] });
const python = needs({ tools: ['python3'] });

describe('netloom graph', () => {
  it('reads addresses from ip addr and ifconfig startup commands', () => {
    const spec = parseTopology(
      [
        'name: t',
        'nodes:',
        '  a: { kind: host, exec: ["ip -4 addr add 192.168.1.5/24 dev eth0", "ifconfig eth1 10.1.2.3 netmask 255.255.0.0 up", "ip addr add 10.9.9.9 dev eth0", "ip addr del 10.9.9.9 dev eth0", "ip a a 2001:db8::1/64 dev eth0", "ifconfig eth2 172.16.0.1"] }',
        '  b: { kind: host }',
        'links:',
        '  - endpoints: [a:eth0, b:eth0]',
        '  - endpoints: [a:eth1, b:eth1]',
        '  - endpoints: [a:eth2, b:eth2]',
      ].join('\n'),
      't.yaml',
    );
    expect(addressesFromStartup(spec).get('a')).toEqual([
      { ifname: 'eth0', address: '192.168.1.5', prefixLength: 24 },
      { ifname: 'eth1', address: '10.1.2.3', prefixLength: 16 },
      { ifname: 'eth0', address: '2001:db8::1', prefixLength: 64 },
      { ifname: 'eth2', address: '172.16.0.1', prefixLength: 16 },
    ]);
  });

  it('draws a small topology as exactly this Mermaid flowchart', () => {
    expect(renderMermaid(graph)).toBe(
      [
        'flowchart LR',
        '  n_h1["h1<br/>host<br/>eth0 10.0.1.1/24"]',
        '  n_h2["h2<br/>host<br/>eth0 10.0.1.2/24"]',
        '  n_r1["r1<br/>router<br/>eth0 10.0.1.254/24<br/>eth1 10.0.2.254/24"]',
        '  n_h3["h3<br/>host<br/>eth0 10.0.2.3/24"]',
        '  lan_lan1(("lan1<br/>switch<br/>100us, unlimited, loss 0%, mtu 1500"))',
        '  n_r1 ---|"eth1 - eth0<br/>2ms, 100Mbit, loss 0%, mtu 1500"| n_h3',
        '  n_h1 ---|"eth0"| lan_lan1',
        '  n_h2 ---|"eth0"| lan_lan1',
        '  n_r1 ---|"eth0"| lan_lan1',
        '',
      ].join('\n'),
    );
  });

  graphviz.it('writes DOT that Graphviz accepts, with every node, link and LAN', () => {
    const dot = renderDot(graph);
    const plain = execFileSync('dot', ['-Tplain'], { input: dot, encoding: 'utf8' });
    const nodeNames = plain
      .split('\n')
      .filter((line) => line.startsWith('node '))
      .map((line) => line.split(' ')[1]);
    expect(nodeNames.sort()).toEqual(['"lan:lan1"', 'h1', 'h2', 'h3', 'r1']);
    expect(plain.split('\n').filter((line) => line.startsWith('edge '))).toHaveLength(4);
    expect(dot).toContain('"r1" -- "h3" [label="2ms, 100Mbit, loss 0%, mtu 1500", taillabel="eth1", headlabel="eth0"];');
  });

  python.it('writes well-formed SVG laid out by dagre, with every node and link label', () => {
    const svg = renderSvg(graph);
    const parsed = execFileSync(
      'python3',
      ['-c', 'import sys, xml.dom.minidom as m; d = m.parseString(sys.stdin.buffer.read()); print(" ".join(sorted(g.getAttribute("id") for g in d.getElementsByTagName("g") if g.getAttribute("id"))))'],
      { input: svg, encoding: 'utf8' },
    );
    expect(parsed.trim()).toBe('lan-lan:lan1 node-h1 node-h2 node-h3 node-r1');
    for (const text of ['10.0.2.254/24', '2ms, 100Mbit, loss 0%, mtu 1500', '>eth1<']) expect(svg).toContain(text);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
  });

  it('the command writes the chosen format to stdout or to -o, starting the topology for addresses', async () => {
    const engine = fakeEngine();
    const run = await runCli(['graph', join(FIXTURES, 'three-hosts.yaml'), '--format', 'mermaid'], { engine });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(renderMermaid(graph));
    expect(engine.opened[0]?.options).toEqual({ placement: 'inline' });
    const unknown = await runCli(['graph', join(FIXTURES, 'three-hosts.yaml'), '--format', 'png']);
    expect(unknown.status).toBe(2);
  });

  it('-o makes the folder it writes into; a path it cannot write is bad input with the reason', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'netloom-graph-'));
    try {
      const output = join(scratch, 'out', 'pictures', 'three.dot');
      expect(await runCli(['graph', join(FIXTURES, 'three-hosts.yaml'), '--static', '-o', output])).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(readFileSync(output, 'utf8')).toBe(renderDot(graph));
      writeFileSync(join(scratch, 'file'), '');
      const blocked = join(scratch, 'file', 'three.dot');
      expect(await runCli(['graph', join(FIXTURES, 'three-hosts.yaml'), '--static', '-o', blocked])).toEqual({
        status: 2,
        stdout: '',
        stderr: `netloom: ${blocked}: EEXIST: file already exists, mkdir '${join(scratch, 'file')}'\n`,
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('the SVG layout', () => {
  it('keeps every node box inside the picture and apart from the others (router-chain)', () => {
    const chain = loadTopologyFile(join(REPO_ROOT, 'topologies', 'router-chain.yaml'));
    const svg = renderSvg(topologyGraph(chain, addressesFromStartup(chain)));
    const [, width = '0', height = '0'] = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg) ?? [];
    const boxes = [...svg.matchAll(/<g class="node" id="node-([^"]+)">\n<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({
      name: m[1],
      x: Number(m[2]),
      y: Number(m[3]) + 24,
      w: Number(m[4]),
      h: Number(m[5]),
    }));
    expect(boxes.map((b) => b.name)).toEqual(chain.nodes.map((n) => n.name));
    for (const box of boxes) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.w).toBeLessThanOrEqual(Number(width));
      expect(box.y + box.h).toBeLessThanOrEqual(Number(height));
    }
    for (const a of boxes) {
      for (const b of boxes) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.name} and ${b.name}`).toBe(false);
      }
    }
  });
});
