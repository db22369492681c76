/**
 * The SVG picture's geometry, read back from the SVG text: every label's box (monospace, 0.6 em per
 * character, from its font size and baselines) against every other label and every node or LAN
 * shape, and the picture's proportions, for the repository's topologies and for generated chains,
 * stars and LANs.
 */

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LINK_PARAMS, loadTopologyFile } from '@netloom/topology';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/cli-harness.js';
import { renderSvg } from './svg.js';
import { addressesFromStartup, topologyGraph, type GraphLink, type GraphNode, type TopologyGraph } from './topology-graph.js';

interface Box {
  what: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface Picture {
  width: number;
  height: number;
  shapes: Box[];
  texts: Box[];
  /** Interface names by the box they label: `node-r1` or `lan-lan:office`'s members' names belong to their node. */
  ifnames: { box: Box; node: string }[];
}

const number = (text: string | undefined): number => Number(text ?? Number.NaN);

/** Node and LAN shapes and the label texts (not the text inside shapes) of a rendered SVG. */
function readPicture(svg: string): Picture {
  const [, width, height] = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg) ?? [];
  const shift = number(/<g transform="translate\(0 ([\d.]+)\)">/.exec(svg)?.[1]);
  const [head = '', body = ''] = svg.split(/<g transform="translate\(0 [\d.]+\)">/);
  const [links = '', nodes = ''] = body.split('<g class="nodes">');
  const shapes: Box[] = [];
  for (const m of nodes.matchAll(/<g class="(?:node|lan)" id="([^"]+)">\n<(rect|ellipse) ([^>]*)>/g)) {
    const attribute = (name: string) => number(new RegExp(`\\b${name}="([\\d.-]+)"`).exec(m[3] ?? '')?.[1]);
    if (m[2] === 'rect') shapes.push({ what: m[1]!, left: attribute('x'), top: attribute('y') + shift, right: attribute('x') + attribute('width'), bottom: attribute('y') + attribute('height') + shift });
    else shapes.push({ what: m[1]!, left: attribute('cx') - attribute('rx'), top: attribute('cy') - attribute('ry') + shift, right: attribute('cx') + attribute('rx'), bottom: attribute('cy') + attribute('ry') + shift });
  }
  const texts: Box[] = [];
  const ifnames: Picture['ifnames'] = [];
  const readTexts = (part: string, dy: number) => {
    for (const m of part.matchAll(/<text ([^>]*)>((?:<tspan [^>]*>[^<]*<\/tspan>)+|[^<]*)<\/text>/g)) {
      const attributes = m[1] ?? '';
      const size = number(/font-size="([\d.]+)"/.exec(attributes)?.[1] ?? '12');
      expect(/text-anchor="middle"/.test(attributes)).toBe(true);
      const own = (name: string) => new RegExp(`\\b${name}="([\\d.-]+)"`).exec(attributes)?.[1];
      const spans = (m[2] ?? '').startsWith('<tspan')
        ? [...(m[2] ?? '').matchAll(/<tspan x="([\d.-]+)" y="([\d.-]+)"[^>]*>([^<]*)<\/tspan>/g)].map((s) => ({ x: number(s[1]), y: number(s[2]) + dy, text: s[3] ?? '' }))
        : [{ x: number(own('x')), y: number(own('y')) + dy, text: m[2] ?? '' }];
      for (const span of spans) {
        // Entities (&amp;) count as one character.
        const half = (span.text.replace(/&[a-z]+;/g, '_').length * 0.6 * size) / 2;
        const box = { what: span.text, left: span.x - half, right: span.x + half, top: span.y - 0.8 * size, bottom: span.y + 0.25 * size };
        texts.push(box);
        const end = /data-end="([^"]+)"/.exec(attributes)?.[1];
        if (end !== undefined) ifnames.push({ box, node: `node-${end.slice(0, end.lastIndexOf(':'))}` });
      }
    }
  };
  readTexts(head, 0);
  readTexts(links, shift);
  return { width: number(width), height: number(height), shapes, texts, ifnames };
}

function meet(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** Every overlap between two labels, a label and a shape, or two shapes, and anything outside the picture. */
function problems(picture: Picture): string[] {
  const found: string[] = [];
  const all = [...picture.shapes.map((box) => ({ ...box, what: `shape ${box.what}` })), ...picture.texts.map((box) => ({ ...box, what: `text "${box.what}"` }))];
  // An interface name is next to its own box: within two lines of it, and nearer to it than to any other.
  const distance = (a: Box, b: Box) => Math.hypot(Math.max(0, a.left - b.right, b.left - a.right), Math.max(0, a.top - b.bottom, b.top - a.bottom));
  for (const { box, node } of picture.ifnames) {
    const own = picture.shapes.find((shape) => shape.what === node);
    if (own === undefined || distance(box, own) > 24) found.push(`${node}'s ${box.what} is not next to its box`);
    else if (picture.shapes.some((shape) => shape !== own && distance(box, shape) <= distance(box, own))) found.push(`${node}'s ${box.what} is as near another box`);
  }
  for (const [i, a] of all.entries()) {
    if (a.left < 0 || a.top < 0 || a.right > picture.width || a.bottom > picture.height) found.push(`${a.what} is outside the picture`);
    for (const b of all.slice(i + 1)) if (meet(a, b)) found.push(`${a.what} overlaps ${b.what}`);
  }
  return found;
}

function chain(routers: number): TopologyGraph {
  const names = ['h1', ...Array.from({ length: routers }, (_, i) => `r${i + 1}`), 'h2'];
  const nodes: GraphNode[] = names.map((name, i) => ({
    name,
    kind: name.startsWith('r') ? 'router' : 'host',
    addresses: [...(i > 0 ? [`eth0 10.0.${i - 1}.2/24`] : []), ...(i < names.length - 1 ? [`eth${i > 0 ? 1 : 0} 10.0.${i}.1/24`] : [])],
  }));
  const links: GraphLink[] = names.slice(1).map((name, i) => ({
    id: `${names[i]}:eth${i > 0 ? 1 : 0}--${name}:eth0`,
    a: { node: names[i]!, ifname: i > 0 ? 'eth1' : 'eth0' },
    b: { node: name, ifname: 'eth0' },
    params: DEFAULT_LINK_PARAMS,
  }));
  return { name: `chain of ${routers}`, nodes, links, lans: [] };
}

function star(hosts: number): TopologyGraph {
  const names = Array.from({ length: hosts }, (_, i) => `h${i + 1}`);
  return {
    name: `star of ${hosts}`,
    nodes: [{ name: 'core', kind: 'router', addresses: names.map((_, i) => `eth${i} 10.${i}.0.1/24`) }, ...names.map((name, i) => ({ name, kind: 'host', addresses: [`eth0 10.${i}.0.2/24`] }))],
    links: names.map((name, i) => ({ id: `core:eth${i}--${name}:eth0`, a: { node: 'core', ifname: `eth${i}` }, b: { node: name, ifname: 'eth0' }, params: DEFAULT_LINK_PARAMS })),
    lans: [],
  };
}

function lan(members: number): TopologyGraph {
  const names = Array.from({ length: members }, (_, i) => `n${i + 1}`);
  return {
    name: `lan of ${members}`,
    nodes: names.map((name, i) => ({ name, kind: 'host', addresses: [`eth0 192.168.0.${i + 1}/24`] })),
    links: [],
    lans: [{ name: 'office', type: 'switch', members: names.map((node) => ({ node, ifname: 'eth0' })), params: DEFAULT_LINK_PARAMS }],
  };
}

describe('the SVG picture', () => {
  it('wraps router-chain into rows: no longer a 3771 px strip, at most twice as wide as high', () => {
    const spec = loadTopologyFile(join(REPO_ROOT, 'topologies', 'router-chain.yaml'));
    const picture = readPicture(renderSvg(topologyGraph(spec, addressesFromStartup(spec))));
    expect(picture.shapes.map((shape) => shape.what)).toEqual(spec.nodes.map((node) => `node-${node.name}`));
    expect(picture.width / picture.height).toBeGreaterThan(0.5);
    expect(picture.width / picture.height).toBeLessThan(2);
    expect(problems(picture)).toEqual([]);
  });

  it('no label overlaps another label or a box, in any topology of the repository', () => {
    const files = readdirSync(join(REPO_ROOT, 'topologies')).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const spec = loadTopologyFile(join(REPO_ROOT, 'topologies', file));
      const picture = readPicture(renderSvg(topologyGraph(spec, addressesFromStartup(spec))));
      const labels = 1 + 3 * spec.links.length + spec.lans.reduce((n, l) => n + l.members.length, 0);
      expect(picture.texts.length, file).toBe(labels);
      expect(problems(picture), file).toEqual([]);
    }
  });

  it('chains of 1 to 40 routers: nothing overlaps, and a picture wider than 1200 px is at most 2.5 times as wide as high', () => {
    for (let routers = 1; routers <= 40; routers++) {
      const picture = readPicture(renderSvg(chain(routers)));
      expect(problems(picture), `${routers} routers`).toEqual([]);
      if (picture.width > 1200) expect(picture.width / picture.height, `${routers} routers`).toBeLessThanOrEqual(2.5);
    }
  });

  it('stars and LANs: nothing overlaps', () => {
    for (const graph of [star(2), star(6), star(12), lan(3), lan(10)]) expect(problems(readPicture(renderSvg(graph))), graph.name).toEqual([]);
  });
});
