/**
 * The topology as a standalone SVG picture. Layout is dagre's (@dagrejs/dagre, left to right):
 * this module only measures labels, hands dagre boxes and edges, and draws what dagre placed —
 * rounded boxes for nodes, ellipses for LANs, polylines along dagre's edge points, link parameters
 * at dagre's label positions and interface names near each end.
 *
 * Text is measured as monospace (7.2 px per character at 12 px), so the picture is the same on
 * every machine; the SVG names its font family `monospace`.
 */

import dagre from '@dagrejs/dagre';
import { lanNodeId } from './dot.js';
import { describeLinkParams, type TopologyGraph } from './topology-graph.js';

const CHAR_WIDTH = 7.2;
const LINE_HEIGHT = 15;
const PADDING = 8;
const TITLE_HEIGHT = 24;

interface Box {
  id: string;
  lines: string[];
  shape: 'box' | 'ellipse';
}

interface Edge {
  v: string;
  w: string;
  name: string;
  label: string[];
  tail: string;
  head: string | null;
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

function textSize(lines: string[]): { width: number; height: number } {
  const longest = Math.max(0, ...lines.map((line) => line.length));
  return { width: longest * CHAR_WIDTH, height: lines.length * LINE_HEIGHT };
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function textBlock(lines: string[], x: number, y: number, attributes = ''): string {
  const top = y - (lines.length * LINE_HEIGHT) / 2 + LINE_HEIGHT * 0.75;
  const spans = lines.map((line, i) => `<tspan x="${round(x)}" y="${round(top + i * LINE_HEIGHT)}">${escapeXml(line)}</tspan>`).join('');
  return `<text text-anchor="middle"${attributes}>${spans}</text>`;
}

export function renderSvg(graph: TopologyGraph): string {
  const boxes: Box[] = [
    ...graph.nodes.map((node): Box => ({ id: node.name, lines: [node.name, node.kind, ...node.addresses], shape: 'box' })),
    ...graph.lans.map((lan): Box => ({ id: lanNodeId(lan.name), lines: [lan.name, lan.type, describeLinkParams(lan.params)], shape: 'ellipse' })),
  ];
  const edges: Edge[] = [
    ...graph.links.map((link): Edge => ({ v: link.a.node, w: link.b.node, name: link.id, label: [describeLinkParams(link.params)], tail: link.a.ifname, head: link.b.ifname })),
    ...graph.lans.flatMap((lan) =>
      lan.members.map((member): Edge => ({ v: member.node, w: lanNodeId(lan.name), name: `${lan.name}/${member.node}:${member.ifname}`, label: [], tail: member.ifname, head: null })),
    ),
  ];

  const layout = new dagre.graphlib.Graph({ multigraph: true });
  layout.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 60, edgesep: 20, marginx: 20, marginy: 20 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const box of boxes) {
    const size = textSize(box.lines);
    const scale = box.shape === 'ellipse' ? 1.35 : 1;
    layout.setNode(box.id, { width: (size.width + 2 * PADDING) * scale, height: (size.height + 2 * PADDING) * scale });
  }
  for (const edge of edges) {
    const size = textSize(edge.label);
    layout.setEdge(edge.v, edge.w, { width: size.width, height: size.height, labelpos: 'c', minlen: 1 }, edge.name);
  }
  dagre.layout(layout);

  const graphLabel = layout.graph();
  const width = Math.max(graphLabel.width ?? 0, graph.name.length * CHAR_WIDTH * 1.2 + 40);
  const height = (graphLabel.height ?? 0) + TITLE_HEIGHT;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${round(width)}" height="${round(height)}" viewBox="0 0 ${round(width)} ${round(height)}" font-family="monospace" font-size="12">`,
    `<title>${escapeXml(graph.name)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${round(width / 2)}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(graph.name)}</text>`,
    `<g transform="translate(0 ${TITLE_HEIGHT})">`,
    '<g class="links" fill="none" stroke="#555555" stroke-width="1.2">',
  ];
  const labels: string[] = [];
  for (const edge of edges) {
    const placed = layout.edge({ v: edge.v, w: edge.w, name: edge.name });
    const points: { x: number; y: number }[] = placed?.points ?? [];
    if (points.length === 0) continue;
    out.push(`<polyline points="${points.map((p) => `${round(p.x)},${round(p.y)}`).join(' ')}"/>`);
    if (edge.label.length > 0 && placed?.x !== undefined && placed.y !== undefined) {
      // The edge runs through its label's box: a white backing keeps the text readable.
      const size = textSize(edge.label);
      labels.push(`<rect x="${round(placed.x - size.width / 2 - 2)}" y="${round(placed.y - size.height / 2)}" width="${round(size.width + 4)}" height="${round(size.height)}" fill="#ffffff"/>`);
      labels.push(textBlock(edge.label, placed.x, placed.y, ' class="link-label" fill="#333333"'));
    }
    const first = points[0];
    const last = points[points.length - 1];
    const second = points[1] ?? last;
    const beforeLast = points[points.length - 2] ?? first;
    if (first && second) labels.push(endLabel(edge.tail, first, second));
    if (edge.head !== null && last && beforeLast) labels.push(endLabel(edge.head, last, beforeLast));
  }
  out.push('</g>', '<g class="labels" font-size="10">', ...labels, '</g>', '<g class="nodes">');
  for (const box of boxes) {
    const placed = layout.node(box.id);
    if (!placed || placed.x === undefined || placed.y === undefined) continue;
    const { x, y, width: w, height: h } = { x: placed.x, y: placed.y, width: placed.width, height: placed.height };
    out.push(`<g class="${box.shape === 'box' ? 'node' : 'lan'}" id="${escapeXml(`${box.shape === 'box' ? 'node' : 'lan'}-${box.id}`)}">`);
    if (box.shape === 'box') {
      out.push(`<rect x="${round(x - w / 2)}" y="${round(y - h / 2)}" width="${round(w)}" height="${round(h)}" rx="6" fill="#eef3fb" stroke="#2b4c7e"/>`);
    } else {
      out.push(`<ellipse cx="${round(x)}" cy="${round(y)}" rx="${round(w / 2)}" ry="${round(h / 2)}" fill="#f4f1e6" stroke="#7e6a2b"/>`);
    }
    const [title, ...rest] = box.lines;
    out.push(textBlock([title ?? '', ...rest], x, y).replace('<tspan', '<tspan font-weight="bold"'));
    out.push('</g>');
  }
  out.push('</g>', '</g>', '</svg>');
  return `${out.join('\n')}\n`;
}

/** An interface name a little way along the edge from the point where it leaves its box. */
function endLabel(text: string, at: { x: number; y: number }, toward: { x: number; y: number }): string {
  const dx = toward.x - at.x;
  const dy = toward.y - at.y;
  const length = Math.hypot(dx, dy) || 1;
  const x = at.x + (dx / length) * 18;
  const y = at.y + (dy / length) * 18 - 4;
  return `<text x="${round(x)}" y="${round(y)}" text-anchor="middle" class="ifname" fill="#2b4c7e">${escapeXml(text)}</text>`;
}
