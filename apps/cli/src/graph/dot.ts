/**
 * The topology as a Graphviz DOT undirected graph: a box per node (name, kind, addresses), an
 * ellipse per LAN (name, type, parameters), an edge per link labelled with its parameters and with
 * the interface names at its ends (taillabel/headlabel), an edge per LAN member labelled with the
 * member's interface. Quoting follows the DOT language's double-quoted ID rules.
 */

import { describeLinkParams, type TopologyGraph } from './topology-graph.js';

function quote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

export function lanNodeId(name: string): string {
  return `lan:${name}`;
}

export function renderDot(graph: TopologyGraph): string {
  const lines = [
    `graph ${quote(graph.name)} {`,
    `  graph [label=${quote(graph.name)}, labelloc=t, rankdir=LR, fontname="monospace"];`,
    '  node [shape=box, fontname="monospace", fontsize=10];',
    '  edge [fontname="monospace", fontsize=9];',
  ];
  for (const node of graph.nodes) {
    lines.push(`  ${quote(node.name)} [label=${quote([node.name, node.kind, ...node.addresses].join('\n'))}];`);
  }
  for (const lan of graph.lans) {
    lines.push(`  ${quote(lanNodeId(lan.name))} [shape=ellipse, label=${quote([lan.name, lan.type, describeLinkParams(lan.params)].join('\n'))}];`);
  }
  for (const link of graph.links) {
    lines.push(
      `  ${quote(link.a.node)} -- ${quote(link.b.node)} [label=${quote(describeLinkParams(link.params))}, taillabel=${quote(link.a.ifname)}, headlabel=${quote(link.b.ifname)}];`,
    );
  }
  for (const lan of graph.lans) {
    for (const member of lan.members) {
      lines.push(`  ${quote(member.node)} -- ${quote(lanNodeId(lan.name))} [taillabel=${quote(member.ifname)}];`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
