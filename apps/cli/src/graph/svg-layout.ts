/**
 * Where everything in `netloom graph --format svg` goes; svg.ts only draws it.
 *
 * dagre (@dagrejs/dagre) lays the topology out left to right. A layout much wider than tall — a
 * long chain: router-chain came out as one row 3771 px wide and 140 px high — is then wrapped into
 * rows of the same number of box columns, every other row running right to left (a snake), so a
 * link from one row to the next is a short drop at the rows' common end. The number per row is the
 * one that brings the picture nearest 1.6 : 1; a wrapping is taken only where every link it cuts
 * joins neighbouring rows and can drop straight out of its box.
 *
 * Labels never overlap: a link's parameters sit on the link in the space dagre reserved for them
 * (a link between rows carries them beside its drop); an interface name sits beside its link just
 * outside the box it belongs to, and ranks are spaced so that the names at both ends of a link clear
 * the parameter label between them. Text is measured as monospace, 0.6 em per character, so the
 * picture is the same on every machine (the SVG asks for `monospace`).
 *
 * Leaves out: edge routing around boxes in one row (dagre's), crossings between links.
 */

import dagre from '@dagrejs/dagre';

export const FONT_SIZE = 12;
export const LINK_FONT_SIZE = 10;
export const IFNAME_FONT_SIZE = 10;
/** Monospace advance width, in em. */
const ADVANCE = 0.6;
export const LINE_HEIGHT = 15;
const LINK_LINE_HEIGHT = 13;
const IFNAME_LINE_HEIGHT = 12;
const PADDING = 8;
const MARGIN = 20;
/** Space between rows of a wrapped layout. */
const ROW_GAP = 80;
/** A layout wider than this many times its height, and than WRAP_ABOVE_WIDTH, is wrapped… */
const WRAP_ABOVE_ASPECT = 3;
const WRAP_ABOVE_WIDTH = 1200;
/** …into the number of rows that brings it nearest this width : height. */
const TARGET_ASPECT = 1.6;
const MAX_ROWS = 64;
/** Gap between an interface name and its box, and between a label and its link. */
const LABEL_GAP = 3;

export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned rectangle by its centre. */
export interface Rect extends Point {
  width: number;
  height: number;
}

export interface BoxSpec {
  id: string;
  lines: string[];
  shape: 'box' | 'ellipse';
}

export interface LinkSpec {
  /** Tail and head box ids. */
  v: string;
  w: string;
  /** Unique among the links. */
  name: string;
  label: string[];
  /** Interface names at the tail and (null for a LAN member) at the head. */
  tail: string;
  head: string | null;
}

export interface PlacedText extends Rect {
  lines: string[];
  fontSize: number;
  lineHeight: number;
}

export interface PlacedBox extends Rect {
  spec: BoxSpec;
}

export interface PlacedIfname extends PlacedText {
  /** The box id and interface name, `r1:eth0`. */
  end: string;
}

export interface PlacedLink {
  spec: LinkSpec;
  points: Point[];
  label: PlacedText | null;
  ends: PlacedIfname[];
}

export interface SvgLayout {
  width: number;
  height: number;
  rows: number;
  boxes: PlacedBox[];
  links: PlacedLink[];
}

export function textRect(lines: string[], fontSize = FONT_SIZE, lineHeight = LINE_HEIGHT): { width: number; height: number } {
  const longest = Math.max(0, ...lines.map((line) => line.length));
  return { width: longest * fontSize * ADVANCE, height: lines.length * lineHeight };
}

export function overlaps(a: Rect, b: Rect): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
}

interface Draft {
  boxes: PlacedBox[];
  links: { spec: LinkSpec; points: Point[]; label: PlacedText | null }[];
  width: number;
  height: number;
}

/** dagre's left-to-right layout, in dagre's coordinates. */
function dagreLayout(boxes: BoxSpec[], links: LinkSpec[]): Draft {
  const widestIfname = Math.max(0, ...links.flatMap((link) => [link.tail, link.head ?? ''].map((name) => textRect([name], IFNAME_FONT_SIZE).width)));
  const layout = new dagre.graphlib.Graph({ multigraph: true });
  // Half a rank gap on each side of a link's label: room for an interface name beside each box.
  const ranksep = Math.max(60, 2 * (widestIfname + 2 * LABEL_GAP + 4));
  layout.setGraph({ rankdir: 'LR', nodesep: 30, ranksep, edgesep: 20, marginx: MARGIN, marginy: MARGIN });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const box of boxes) {
    const size = textRect(box.lines);
    const scale = box.shape === 'ellipse' ? 1.35 : 1;
    layout.setNode(box.id, { width: (size.width + 2 * PADDING) * scale, height: (size.height + 2 * PADDING) * scale });
  }
  for (const link of links) {
    const size = textRect(link.label, LINK_FONT_SIZE, LINK_LINE_HEIGHT);
    layout.setEdge(link.v, link.w, { width: size.width + 2 * LABEL_GAP, height: size.height, labelpos: 'c', minlen: 1 }, link.name);
  }
  dagre.layout(layout);
  const placedBoxes = boxes.map((spec): PlacedBox => {
    const node = layout.node(spec.id);
    return { spec, x: node.x ?? 0, y: node.y ?? 0, width: node.width, height: node.height };
  });
  const placedLinks = links.map((spec) => {
    const edge = layout.edge({ v: spec.v, w: spec.w, name: spec.name });
    const points: Point[] = (edge?.points ?? []).map((p: Point) => ({ x: p.x, y: p.y }));
    const size = textRect(spec.label, LINK_FONT_SIZE, LINK_LINE_HEIGHT);
    const label = spec.label.length > 0 && edge?.x !== undefined && edge.y !== undefined ? { lines: spec.label, x: edge.x, y: edge.y, ...size, fontSize: LINK_FONT_SIZE, lineHeight: LINK_LINE_HEIGHT } : null;
    return { spec, points, label };
  });
  const graph = layout.graph();
  return { boxes: placedBoxes, links: placedLinks, width: graph.width ?? 0, height: graph.height ?? 0 };
}

/**
 * x positions between columns of boxes where the layout may be cut: the middle of each gap no box
 * spans. A link label in the gap goes with its link (beside the drop, see wrap).
 */
function cutCandidates(draft: Draft): number[] {
  const spans = draft.boxes.map((rect) => [rect.x - rect.width / 2, rect.x + rect.width / 2] as const).sort((a, b) => a[0] - b[0]);
  const cuts: number[] = [];
  let reach = -Infinity;
  for (const [left, right] of spans) {
    if (reach !== -Infinity && left > reach) cuts.push((reach + left) / 2);
    reach = Math.max(reach, right);
  }
  return cuts;
}

/** Cuts after every `perRow` columns of boxes (the gaps between columns are `candidates`). */
function cutsEvery(candidates: number[], perRow: number): number[] {
  return candidates.filter((_, gap) => (gap + 1) % perRow === 0);
}

function rowOf(x: number, cuts: number[]): number {
  let row = 0;
  while (row < cuts.length && x > cuts[row]!) row++;
  return row;
}

/** Whether a vertical drop at x from y0 to y1 stays clear of every box but its own. */
function isClearDrop(x: number, y0: number, y1: number, boxes: PlacedBox[], own: PlacedBox): boolean {
  const drop: Rect = { x, y: (y0 + y1) / 2, width: 2, height: Math.abs(y1 - y0) };
  return boxes.every((box) => box === own || !overlaps(box, drop));
}

/**
 * The draft wrapped into rows at `cuts`, or null when a cut crosses a link it cannot route: one
 * joining rows that are not neighbours, or one whose drop would pass through another box.
 */
function wrap(draft: Draft, cuts: number[]): Draft | null {
  const rows = cuts.length + 1;
  const boxRow = new Map(draft.boxes.map((box) => [box.spec.id, rowOf(box.x, cuts)]));
  // Each row from its first box's left edge to its last box's right edge; the widest sets the width.
  const rowStart = Array.from({ length: rows }, () => Infinity);
  const rowEnd = Array.from({ length: rows }, () => -Infinity);
  for (const box of draft.boxes) {
    const row = boxRow.get(box.spec.id)!;
    rowStart[row] = Math.min(rowStart[row]!, box.x - box.width / 2);
    rowEnd[row] = Math.max(rowEnd[row]!, box.x + box.width / 2);
  }
  if (rowStart.some((start) => start === Infinity)) return null;
  const content = Math.max(...rowStart.map((start, r) => rowEnd[r]! - start));
  const rowHeight = draft.height;
  const place = (p: Point, row: number): Point => ({
    x: row % 2 === 0 ? p.x - rowStart[row]! : content - (p.x - rowStart[row]!),
    y: p.y + row * (rowHeight + ROW_GAP),
  });
  const boxes = draft.boxes.map((box): PlacedBox => ({ ...box, ...place(box, boxRow.get(box.spec.id)!) }));
  const byId = new Map(boxes.map((box) => [box.spec.id, box]));
  const links: Draft['links'] = [];
  for (const link of draft.links) {
    const tailRow = boxRow.get(link.spec.v)!;
    const headRow = boxRow.get(link.spec.w)!;
    if (tailRow === headRow) {
      links.push({ ...link, points: link.points.map((p) => place(p, tailRow)), label: link.label ? { ...link.label, ...place(link.label, tailRow) } : null });
      continue;
    }
    if (Math.abs(tailRow - headRow) !== 1) return null;
    // A drop from the upper box's bottom to the gap between the rows, across, and down to the lower box's top.
    const [upper, lower] = tailRow < headRow ? [byId.get(link.spec.v)!, byId.get(link.spec.w)!] : [byId.get(link.spec.w)!, byId.get(link.spec.v)!];
    const upperRow = Math.min(tailRow, headRow);
    const gapY = (upperRow + 1) * rowHeight + upperRow * ROW_GAP + ROW_GAP / 2;
    const bottom = upper.y + upper.height / 2;
    const top = lower.y - lower.height / 2;
    if (!isClearDrop(upper.x, bottom, gapY, boxes, upper) || !isClearDrop(lower.x, gapY, top, boxes, lower)) return null;
    const route = [
      { x: upper.x, y: bottom },
      { x: upper.x, y: gapY },
      { x: lower.x, y: gapY },
      { x: lower.x, y: top },
    ];
    const points = tailRow < headRow ? route : route.reverse();
    let label: PlacedText | null = null;
    if (link.label) {
      // Beside the lower drop, on the side the crossing does not come from (a straight drop: inward).
      const side = Math.abs(lower.x - upper.x) >= 1 ? Math.sign(lower.x - upper.x) : lower.x > content / 2 ? -1 : 1;
      label = { ...link.label, x: lower.x + side * (link.label.width / 2 + LABEL_GAP + 2), y: gapY };
    }
    links.push({ spec: link.spec, points, label });
  }
  return { boxes, links, width: content, height: rows * rowHeight + (rows - 1) * ROW_GAP };
}

/** How far along its link an interface name may be pushed to find a free place. */
const MAX_IFNAME_SHIFT = 400;

/**
 * The interface name at `end` of a link heading toward `toward`: beside the link, as near the end as
 * it can be without touching its box, another box, a link label or a name placed before it.
 */
function placeIfname(name: string, end: Point, toward: Point, box: PlacedBox, side: 1 | -1, obstacles: Rect[]): PlacedIfname {
  const size = textRect([name], IFNAME_FONT_SIZE, IFNAME_LINE_HEIGHT);
  const dx = toward.x - end.x;
  const dy = toward.y - end.y;
  const length = Math.hypot(dx, dy) || 1;
  const along = { x: dx / length, y: dy / length };
  // Mostly horizontal links carry the name above them, mostly vertical ones beside them.
  const normal = Math.abs(along.x) >= Math.abs(along.y) ? { x: 0, y: -1 } : { x: side, y: 0 };
  const aside = Math.abs(normal.x) * (size.width / 2) + Math.abs(normal.y) * (size.height / 2) + LABEL_GAP;
  const gap = (rect: Rect): Rect => ({ ...rect, width: rect.width + 2 * LABEL_GAP, height: rect.height + 2 * LABEL_GAP });
  const reach = MAX_IFNAME_SHIFT + size.width + size.height;
  const near = [gap(box), ...obstacles.filter((rect) => Math.abs(rect.x - end.x) < reach + rect.width / 2 && Math.abs(rect.y - end.y) < reach + rect.height / 2).map(gap)];
  const at = (step: number, sign: number): PlacedIfname => ({
    lines: [name],
    ...size,
    x: end.x + along.x * step + sign * normal.x * aside,
    y: end.y + along.y * step + sign * normal.y * aside,
    fontSize: IFNAME_FONT_SIZE,
    lineHeight: IFNAME_LINE_HEIGHT,
    end: `${box.spec.id}:${name}`,
  });
  // The preferred side first, then the other, a step further along the link each time.
  for (let step = 0; step <= MAX_IFNAME_SHIFT; step++) {
    for (const sign of [1, -1]) {
      const placed = at(step, sign);
      if (!near.some((rect) => overlaps(placed, rect))) return placed;
    }
  }
  return at(0, 1);
}

export function layoutTopology(boxSpecs: BoxSpec[], linkSpecs: LinkSpec[]): SvgLayout {
  const draft = dagreLayout(boxSpecs, linkSpecs);
  let chosen = draft;
  let rows = 1;
  if (draft.width > WRAP_ABOVE_WIDTH && draft.width / draft.height > WRAP_ABOVE_ASPECT) {
    // The same number of columns in every row (the last may have fewer), so the drops line up.
    const candidates = cutCandidates(draft);
    const aspectError = (d: Draft) => Math.abs(Math.log(d.width / d.height / TARGET_ASPECT));
    for (let perRow = candidates.length; perRow >= 1; perRow--) {
      const cuts = cutsEvery(candidates, perRow);
      if (cuts.length + 1 > MAX_ROWS) break;
      const wrapped = cuts.length > 0 ? wrap(draft, cuts) : null;
      if (wrapped && aspectError(wrapped) < aspectError(chosen)) {
        chosen = wrapped;
        rows = cuts.length + 1;
      }
    }
  }
  const byId = new Map(chosen.boxes.map((box) => [box.spec.id, box]));
  const obstacles: Rect[] = [...chosen.boxes, ...chosen.links.flatMap((link) => (link.label ? [link.label] : []))];
  const links = chosen.links.map((link): PlacedLink => {
    const ends: PlacedIfname[] = [];
    const [first, second] = [link.points[0], link.points[1]];
    const [last, beforeLast] = [link.points[link.points.length - 1], link.points[link.points.length - 2]];
    // Names beside a drop go on the side away from the label.
    const sideAwayFromLabel = (end: Point): 1 | -1 => (link.label && link.label.x < end.x ? 1 : -1);
    if (first && second) ends.push(placeIfname(link.spec.tail, first, second, byId.get(link.spec.v)!, sideAwayFromLabel(first), obstacles));
    if (link.spec.head !== null && last && beforeLast) ends.push(placeIfname(link.spec.head, last, beforeLast, byId.get(link.spec.w)!, sideAwayFromLabel(last), obstacles));
    obstacles.push(...ends);
    return { spec: link.spec, points: link.points, label: link.label, ends };
  });
  // Everything placed, shifted so the leftmost and topmost thing is MARGIN from the edge.
  const rects: Rect[] = [...chosen.boxes, ...links.flatMap((link) => [...(link.label ? [link.label] : []), ...link.ends])];
  if (rects.length === 0) return { width: 2 * MARGIN, height: 2 * MARGIN, rows, boxes: [], links: [] };
  const points = links.flatMap((link) => link.points);
  const left = Math.min(...rects.map((r) => r.x - r.width / 2), ...points.map((p) => p.x));
  const top = Math.min(...rects.map((r) => r.y - r.height / 2), ...points.map((p) => p.y));
  const right = Math.max(...rects.map((r) => r.x + r.width / 2), ...points.map((p) => p.x));
  const bottom = Math.max(...rects.map((r) => r.y + r.height / 2), ...points.map((p) => p.y));
  const shift = <T extends Point>(p: T): T => ({ ...p, x: p.x - left + MARGIN, y: p.y - top + MARGIN });
  return {
    width: right - left + 2 * MARGIN,
    height: bottom - top + 2 * MARGIN,
    rows,
    boxes: chosen.boxes.map(shift),
    links: links.map((link) => ({ ...link, points: link.points.map(shift), label: link.label ? shift(link.label) : null, ends: link.ends.map(shift) })),
  };
}
