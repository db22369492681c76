/**
 * A text drawing of the topology for the map view: nodes and LAN segments in layered columns
 * (breadth-first from the first node of each connected part, so a router chain reads left to
 * right), links as box-drawing lines between adjacent columns, a link that is down marked `x`, a
 * stopped node marked `!`, LANs in brackets. Columns that do not fit the width continue in a band
 * below (`──>` / `>──`). Links between nodes of the same column, which a layered drawing cannot
 * show as lines, are listed under the drawing. Deterministic: same topology, same picture.
 * Readable up to ~30 nodes; it is not a general graph layout engine (no crossing minimisation
 * beyond one barycentre pass).
 */

export interface MapNode {
  name: string;
  running: boolean;
}

export interface MapLink {
  id: string;
  type: 'p2p' | 'hub' | 'switch';
  endpoints: readonly string[];
  up: boolean;
}

interface MapEdge {
  a: string;
  b: string;
  up: boolean;
}

const COLUMN_GAP = 6;
const BAND_MARGIN = 3;

const UP = 1;
const DOWN = 2;
const LEFT = 4;
const RIGHT = 8;

const boxChars: Record<number, string> = {
  [LEFT]: '─',
  [RIGHT]: '─',
  [LEFT | RIGHT]: '─',
  [UP]: '│',
  [DOWN]: '│',
  [UP | DOWN]: '│',
  [RIGHT | DOWN]: '┌',
  [LEFT | DOWN]: '┐',
  [RIGHT | UP]: '└',
  [LEFT | UP]: '┘',
  [LEFT | RIGHT | DOWN]: '┬',
  [LEFT | RIGHT | UP]: '┴',
  [UP | DOWN | RIGHT]: '├',
  [UP | DOWN | LEFT]: '┤',
  [UP | DOWN | LEFT | RIGHT]: '┼',
};

function endpointNode(endpoint: string): string {
  const colon = endpoint.indexOf(':');
  return colon < 0 ? endpoint : endpoint.slice(0, colon);
}

function isLan(link: MapLink): boolean {
  return link.type !== 'p2p' || link.endpoints.length !== 2;
}

/** A character canvas where lines merge into the right box-drawing glyphs. */
class Canvas {
  private readonly text = new Map<string, string>();
  private readonly lines = new Map<string, number>();
  width = 0;
  height = 0;

  private touch(row: number, col: number): void {
    this.width = Math.max(this.width, col + 1);
    this.height = Math.max(this.height, row + 1);
  }

  write(row: number, col: number, text: string): void {
    for (let i = 0; i < text.length; i++) {
      this.text.set(`${row},${col + i}`, text[i] as string);
      this.touch(row, col + i);
    }
  }

  line(row: number, col: number, directions: number): void {
    const key = `${row},${col}`;
    this.lines.set(key, (this.lines.get(key) ?? 0) | directions);
    this.touch(row, col);
  }

  horizontal(row: number, from: number, to: number): void {
    for (let col = from; col <= to; col++) this.line(row, col, (col > from ? LEFT : 0) | (col < to ? RIGHT : 0) || LEFT | RIGHT);
  }

  vertical(col: number, from: number, to: number): void {
    const top = Math.min(from, to);
    const bottom = Math.max(from, to);
    for (let row = top; row <= bottom; row++) this.line(row, col, (row > top ? UP : 0) | (row < bottom ? DOWN : 0));
  }

  render(): string[] {
    const out: string[] = [];
    for (let row = 0; row < this.height; row++) {
      let line = '';
      for (let col = 0; col < this.width; col++) {
        const key = `${row},${col}`;
        const written = this.text.get(key);
        const directions = this.lines.get(key);
        line += written ?? (directions === undefined || directions === 0 ? ' ' : (boxChars[directions] ?? '┼'));
      }
      out.push(line.trimEnd());
    }
    return out;
  }
}

interface Layout {
  columns: string[][];
  columnOf: Map<string, number>;
  rowOf: Map<string, number>;
  sameColumnEdges: MapEdge[];
}

function layoutComponent(start: string, adjacency: Map<string, string[]>, visited: Set<string>): Layout {
  const columnOf = new Map<string, number>([[start, 0]]);
  const discovery: string[] = [start];
  visited.add(start);
  for (let i = 0; i < discovery.length; i++) {
    const vertex = discovery[i] as string;
    for (const neighbour of adjacency.get(vertex) ?? []) {
      if (visited.has(neighbour)) continue;
      visited.add(neighbour);
      columnOf.set(neighbour, (columnOf.get(vertex) as number) + 1);
      discovery.push(neighbour);
    }
  }
  const columns: string[][] = [];
  for (const vertex of discovery) {
    const column = columnOf.get(vertex) as number;
    (columns[column] ??= []).push(vertex);
  }
  const rowOf = new Map<string, number>();
  columns.forEach((column, index) => {
    if (index > 0) {
      const order = new Map(column.map((vertex, i) => [vertex, i]));
      const barycentre = (vertex: string): number => {
        const parents = (adjacency.get(vertex) ?? []).filter((n) => columnOf.get(n) === index - 1);
        if (parents.length === 0) return Number.POSITIVE_INFINITY;
        return parents.reduce((sum, parent) => sum + (rowOf.get(parent) as number), 0) / parents.length;
      };
      column.sort((x, y) => barycentre(x) - barycentre(y) || (order.get(x) as number) - (order.get(y) as number));
    }
    column.forEach((vertex, row) => rowOf.set(vertex, row));
  });
  return { columns, columnOf, rowOf, sameColumnEdges: [] };
}

/** Draws the map into lines no wider than `width` (except single labels longer than that). */
export function drawTopologyMap(nodes: readonly MapNode[], links: readonly MapLink[], width: number): string[] {
  const labels = new Map<string, string>();
  for (const node of nodes) labels.set(node.name, node.running ? node.name : `${node.name}!`);
  const edges: MapEdge[] = [];
  for (const link of links) {
    if (isLan(link)) {
      labels.set(link.id, `[${link.id}]`);
      for (const endpoint of link.endpoints) edges.push({ a: link.id, b: endpointNode(endpoint), up: link.up });
    } else {
      edges.push({ a: endpointNode(link.endpoints[0] as string), b: endpointNode(link.endpoints[1] as string), up: link.up });
    }
  }
  for (const edge of edges) {
    for (const vertex of [edge.a, edge.b]) if (!labels.has(vertex)) labels.set(vertex, vertex);
  }
  const adjacency = new Map<string, string[]>();
  for (const vertex of labels.keys()) adjacency.set(vertex, []);
  for (const edge of edges) {
    adjacency.get(edge.a)?.push(edge.b);
    adjacency.get(edge.b)?.push(edge.a);
  }

  const out: string[] = [];
  const visited = new Set<string>();
  const extra: string[] = [];
  for (const vertex of labels.keys()) {
    if (visited.has(vertex)) continue;
    const layout = layoutComponent(vertex, adjacency, visited);
    const componentEdges = edges.filter((edge) => layout.columnOf.has(edge.a));
    if (out.length > 0) out.push('');
    out.push(...drawComponent(layout, componentEdges, labels, Math.max(width, 20)));
    for (const edge of componentEdges) {
      if (layout.columnOf.get(edge.a) === layout.columnOf.get(edge.b)) {
        extra.push(`${labels.get(edge.a) as string} ${edge.up ? '───' : '─x─'} ${labels.get(edge.b) as string}`);
      }
    }
  }
  if (extra.length > 0) out.push('', `also linked: ${extra.join(', ')}`);
  return out;
}

function drawComponent(layout: Layout, edges: readonly MapEdge[], labels: Map<string, string>, width: number): string[] {
  const columnWidths = layout.columns.map((column) => Math.max(...column.map((v) => (labels.get(v) as string).length)));
  // Greedy bands of columns that fit the width.
  const bands: number[][] = [];
  let current: number[] = [];
  let used = 0;
  columnWidths.forEach((columnWidth, index) => {
    const margin = bands.length > 0 && current.length === 0 ? BAND_MARGIN : 0;
    const needed = margin + columnWidth + COLUMN_GAP;
    if (current.length > 0 && used + needed > width) {
      bands.push(current);
      current = [];
      used = BAND_MARGIN;
    }
    current.push(index);
    used += needed;
  });
  if (current.length > 0) bands.push(current);

  const out: string[] = [];
  bands.forEach((band, bandIndex) => {
    const canvas = new Canvas();
    const left = bandIndex === 0 ? 0 : BAND_MARGIN;
    const startOf = new Map<number, number>();
    let x = left;
    for (const column of band) {
      startOf.set(column, x);
      x += (columnWidths[column] as number) + COLUMN_GAP;
    }
    const rowOf = (vertex: string): number => 2 * (layout.rowOf.get(vertex) as number);
    for (const column of band) {
      for (const vertex of layout.columns[column] as string[]) canvas.write(rowOf(vertex), startOf.get(column) as number, labels.get(vertex) as string);
    }
    const lastColumn = band[band.length - 1] as number;
    const firstColumn = band[0] as number;
    for (const edge of edges) {
      let from = edge.a;
      let to = edge.b;
      if ((layout.columnOf.get(from) as number) > (layout.columnOf.get(to) as number)) [from, to] = [to, from];
      const fromColumn = layout.columnOf.get(from) as number;
      const toColumn = layout.columnOf.get(to) as number;
      if (toColumn !== fromColumn + 1) continue;
      const fromInBand = startOf.has(fromColumn);
      const toInBand = startOf.has(toColumn);
      if (fromInBand && toInBand) {
        const a = (startOf.get(fromColumn) as number) + (labels.get(from) as string).length;
        // Each source vertex gets its own vertical lane in the gap, so fan-outs stay apart.
        const lane = 1 + ((layout.rowOf.get(from) as number) % (COLUMN_GAP - 2));
        const mid = (startOf.get(fromColumn) as number) + (columnWidths[fromColumn] as number) + lane;
        const b = (startOf.get(toColumn) as number) - 1;
        canvas.horizontal(rowOf(from), a, mid);
        canvas.line(rowOf(from), a, LEFT);
        canvas.vertical(mid, rowOf(from), rowOf(to));
        canvas.horizontal(rowOf(to), mid, b);
        canvas.line(rowOf(to), b, RIGHT);
        if (!edge.up) canvas.write(rowOf(to), b - 1, 'x');
      } else if (fromInBand && fromColumn === lastColumn) {
        const a = (startOf.get(fromColumn) as number) + (labels.get(from) as string).length;
        const end = (startOf.get(fromColumn) as number) + (columnWidths[fromColumn] as number) + COLUMN_GAP - 1;
        canvas.horizontal(rowOf(from), a, end - 1);
        canvas.line(rowOf(from), a, LEFT);
        canvas.write(rowOf(from), end, edge.up ? '>' : 'x');
      } else if (toInBand && toColumn === firstColumn) {
        canvas.write(rowOf(to), 0, '>');
        canvas.horizontal(rowOf(to), 1, left - 1);
        canvas.line(rowOf(to), left - 1, RIGHT);
      }
    }
    if (bandIndex > 0) out.push('');
    out.push(...canvas.render());
  });
  return out;
}
