/**
 * The topology as a standalone SVG picture, drawn from svg-layout.ts's placement (dagre's layout,
 * wrapped into rows when a long chain would make it a strip): rounded boxes for nodes, ellipses for
 * LANs, polylines for links, link parameters on a white backing on their link, interface names
 * beside the box they belong to. The SVG names its font family `monospace`, which the layout
 * measured text with.
 */

import { lanNodeId } from './dot.js';
import { FONT_SIZE, layoutTopology, LINE_HEIGHT, type BoxSpec, type LinkSpec, type PlacedText } from './svg-layout.js';
import { describeLinkParams, type TopologyGraph } from './topology-graph.js';

const TITLE_HEIGHT = 24;

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Lines centred on (x, y); the first line's baseline three quarters of a line below its top. */
function textBlock(text: Pick<PlacedText, 'lines' | 'x' | 'y' | 'lineHeight'>, attributes = ''): string {
  const top = text.y - (text.lines.length * text.lineHeight) / 2 + text.lineHeight * 0.75;
  const spans = text.lines.map((line, i) => `<tspan x="${round(text.x)}" y="${round(top + i * text.lineHeight)}">${escapeXml(line)}</tspan>`).join('');
  return `<text text-anchor="middle"${attributes}>${spans}</text>`;
}

export function renderSvg(graph: TopologyGraph): string {
  const boxes: BoxSpec[] = [
    ...graph.nodes.map((node): BoxSpec => ({ id: node.name, lines: [node.name, node.kind, ...node.addresses], shape: 'box' })),
    ...graph.lans.map((lan): BoxSpec => ({ id: lanNodeId(lan.name), lines: [lan.name, lan.type, describeLinkParams(lan.params)], shape: 'ellipse' })),
  ];
  const links: LinkSpec[] = [
    ...graph.links.map((link): LinkSpec => ({ v: link.a.node, w: link.b.node, name: link.id, label: [describeLinkParams(link.params)], tail: link.a.ifname, head: link.b.ifname })),
    ...graph.lans.flatMap((lan) =>
      lan.members.map((member): LinkSpec => ({ v: member.node, w: lanNodeId(lan.name), name: `${lan.name}/${member.node}:${member.ifname}`, label: [], tail: member.ifname, head: null })),
    ),
  ];
  const layout = layoutTopology(boxes, links);
  const width = Math.max(layout.width, graph.name.length * 14 * 0.6 * 1.2 + 40);
  const height = layout.height + TITLE_HEIGHT;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${round(width)}" height="${round(height)}" viewBox="0 0 ${round(width)} ${round(height)}" font-family="monospace" font-size="${FONT_SIZE}">`,
    `<title>${escapeXml(graph.name)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${round(width / 2)}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(graph.name)}</text>`,
    `<g transform="translate(0 ${TITLE_HEIGHT})">`,
    '<g class="links" fill="none" stroke="#555555" stroke-width="1.2">',
  ];
  const labels: string[] = [];
  for (const link of layout.links) {
    if (link.points.length === 0) continue;
    out.push(`<polyline points="${link.points.map((p) => `${round(p.x)},${round(p.y)}`).join(' ')}"/>`);
    if (link.label) {
      // The link runs through its label: a white backing keeps the text readable.
      const { x, y, width: w, height: h } = link.label;
      labels.push(`<rect x="${round(x - w / 2 - 2)}" y="${round(y - h / 2)}" width="${round(w + 4)}" height="${round(h)}" fill="#ffffff"/>`);
      labels.push(textBlock(link.label, ` class="link-label" font-size="${link.label.fontSize}" fill="#333333"`));
    }
    for (const end of link.ends) labels.push(textBlock(end, ` class="ifname" data-end="${escapeXml(end.end)}" font-size="${end.fontSize}" fill="#2b4c7e"`));
  }
  out.push('</g>', '<g class="labels">', ...labels, '</g>', '<g class="nodes">');
  for (const box of layout.boxes) {
    const { x, y, width: w, height: h } = box;
    const kind = box.spec.shape === 'box' ? 'node' : 'lan';
    out.push(`<g class="${kind}" id="${escapeXml(`${kind}-${box.spec.id}`)}">`);
    if (box.spec.shape === 'box') {
      out.push(`<rect x="${round(x - w / 2)}" y="${round(y - h / 2)}" width="${round(w)}" height="${round(h)}" rx="6" fill="#eef3fb" stroke="#2b4c7e"/>`);
    } else {
      out.push(`<ellipse cx="${round(x)}" cy="${round(y)}" rx="${round(w / 2)}" ry="${round(h / 2)}" fill="#f4f1e6" stroke="#7e6a2b"/>`);
    }
    out.push(textBlock({ lines: box.spec.lines, x, y, lineHeight: LINE_HEIGHT }).replace('<tspan', '<tspan font-weight="bold"'));
    out.push('</g>');
  }
  out.push('</g>', '</g>', '</svg>');
  return `${out.join('\n')}\n`;
}
