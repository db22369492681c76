import { describe, expect, it } from 'vitest';
import { drawTopologyMap, type MapLink } from './topology-map.js';

function chainLinks(names: string[]): MapLink[] {
  return names.slice(1).map((b, i) => ({ id: `${names[i]}:eth1--${b}:eth0`, type: 'p2p', endpoints: [`${names[i]}:eth1`, `${b}:eth0`], up: true }));
}

describe('drawTopologyMap', () => {
  it('draws a router chain left to right, marking a down link and a stopped node', () => {
    const names = ['h1', 'r1', 'r2', 'h2'];
    const links = chainLinks(names);
    (links[1] as MapLink).up = false;
    const nodes = names.map((name) => ({ name, running: name !== 'r2' }));
    expect(drawTopologyMap(nodes, links, 80)).toEqual(['h1──────r1────x─r2!──────h2']);
  });

  it('draws a LAN in brackets with its members fanned out, and lists same-column links', () => {
    const nodes = ['r1', 'h1', 'h2'].map((name) => ({ name, running: true }));
    const links: MapLink[] = [
      { id: 'lan0', type: 'switch', endpoints: ['r1:eth0', 'h1:eth0', 'h2:eth0'], up: true },
      { id: 'h1:eth1--h2:eth1', type: 'p2p', endpoints: ['h1:eth1', 'h2:eth1'], up: true },
    ];
    expect(drawTopologyMap(nodes, links, 80)).toEqual(['r1──────[lan0]─┬────h1', '               │', '               └────h2', '', 'also linked: h1 ─── h2']);
  });

  it('folds a 30-node chain into bands that fit 80 columns, and is deterministic', () => {
    const names = Array.from({ length: 30 }, (_, i) => `n${i}`);
    const nodes = names.map((name) => ({ name, running: true }));
    const lines = drawTopologyMap(nodes, chainLinks(names), 80);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    for (const name of names) expect(lines.join('\n')).toMatch(new RegExp(`(^|[^0-9a-z])${name}($|[^0-9])`, 'm'));
    expect(lines[0]?.endsWith('>')).toBe(true);
    expect(lines[2]?.startsWith('>──')).toBe(true);
    expect(drawTopologyMap(nodes, chainLinks(names), 80)).toEqual(lines);
  });

  it('draws unconnected parts one under the other', () => {
    const nodes = ['a', 'b'].map((name) => ({ name, running: true }));
    expect(drawTopologyMap(nodes, [], 80)).toEqual(['a', '', 'b']);
  });
});
