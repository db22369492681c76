/**
 * The topology as a Mermaid flowchart (renders in GitHub and most Markdown viewers): a rectangle
 * per node, a circle per LAN, a labelled line per link and LAN membership. Mermaid ids are derived
 * from names (`n_<name>`, `lan_<name>`, other characters as `_`) so reserved words such as `end`
 * never clash; labels are double-quoted with `"` written as `#quot;`, lines broken with `<br/>`.
 */

import { describeLinkParams, type TopologyGraph } from './topology-graph.js';

function mermaidId(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function label(lines: string[]): string {
  return `"${lines.map((line) => line.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;')).join('<br/>')}"`;
}

export function renderMermaid(graph: TopologyGraph): string {
  const out = ['flowchart LR'];
  const nodeId = (name: string) => mermaidId('n', name);
  for (const node of graph.nodes) out.push(`  ${nodeId(node.name)}[${label([node.name, node.kind, ...node.addresses])}]`);
  for (const lan of graph.lans) out.push(`  ${mermaidId('lan', lan.name)}((${label([lan.name, lan.type, describeLinkParams(lan.params)])}))`);
  for (const link of graph.links) {
    out.push(`  ${nodeId(link.a.node)} ---|${label([`${link.a.ifname} - ${link.b.ifname}`, describeLinkParams(link.params)])}| ${nodeId(link.b.node)}`);
  }
  for (const lan of graph.lans) {
    for (const member of lan.members) out.push(`  ${nodeId(member.node)} ---|${label([member.ifname])}| ${mermaidId('lan', lan.name)}`);
  }
  return `${out.join('\n')}\n`;
}
