/**
 * The node pane: one row per node with its name, kind, up/down, frames in and out, and drops.
 * Up/Down (or k/j), PgUp/PgDn and Home/End move the selection when the pane has focus; the
 * console follows the selected node. Shows the rows that fit around the selection, and when not
 * all fit, which ones (`NODE 1-4/10↓` in the header). A pane wider than those columns (a terminal
 * wider than 80) also lists each node's addresses, IPv4 then IPv6 per interface as `ip addr` does,
 * without `lo`'s and IPv6 link-local ones (`10.0.0.2/24 2001::2/64`), cut at the border.
 */
import { Box, Text } from 'ink';
import { useRef, type ReactNode } from 'react';
import type { NodeInfo } from '../runtime-api.js';
import { isShownAddress } from '../shown-addresses.js';
import { listHeading, listWindow } from './list-window.js';
import { paneBorder } from './pane-border.js';
import { useTuiState } from './use-tui.js';

export interface PaneSize {
  width: number;
  height: number;
}

function pad(text: string | number, width: number, right = false): string {
  const s = String(text);
  if (s.length >= width) return s.slice(0, width);
  return right ? s.padStart(width) : s.padEnd(width);
}

/** A name or kind in a column of `width` with a space after it: one too long is cut with `…` (`director` → `direct…`). */
function cell(text: string, width: number): string {
  return (text.length < width ? text : `${text.slice(0, width - 2)}…`).padEnd(width);
}

export function formatNodeRow(name: string, kind: string, state: string, framesIn: number | string, framesOut: number | string, drops: number | string): string {
  return `${cell(name, 8)}${cell(kind, 7)}${pad(state, 5)}${pad(framesIn, 6, true)}${pad(framesOut, 6, true)}${pad(drops, 5, true)}`;
}

/** Width of formatNodeRow's columns; the ADDRESSES column starts after them and a space. */
const NODE_ROW_WIDTH = 37;
/** The narrowest ADDRESSES column worth drawing: one IPv4 address with its prefix length. */
const MIN_ADDRESS_COLUMN = 12;

/** `10.0.0.2/24 2001::2/64 fec0::2/64`: the node's addresses the pane shows, in the node's order. */
export function formatNodeAddresses(addresses: NodeInfo['addresses']): string {
  return addresses
    .filter(isShownAddress)
    .map((a) => `${a.address}/${a.prefixLength}`)
    .join(' ');
}

export function NodePane({ width, height }: PaneSize): ReactNode {
  const state = useTuiState();
  const focused = state.focus === 'nodes' && state.overlay === 'none';
  const visible = Math.max(0, height - 3);
  const shownFrom = useRef(0);
  const window = listWindow(state.nodes.length, state.selectedNode, visible, shownFrom.current);
  shownFrom.current = window.start;
  const { start, end } = window;
  const heading = listHeading('NODE', window, state.nodes.length);
  // The heading takes the NODE and KIND columns when not every node fits.
  const columns = heading === null ? formatNodeRow('NODE', 'KIND', 'STATE', 'IN', 'OUT', 'DROP') : `${heading.padEnd(15)}${formatNodeRow('', '', 'STATE', 'IN', 'OUT', 'DROP').slice(15)}`;
  // Inside the border: width - 2.
  const showsAddresses = width - 2 - NODE_ROW_WIDTH - 1 >= MIN_ADDRESS_COLUMN;
  const header = showsAddresses ? `${columns} ADDRESSES` : columns;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden" {...paneBorder(focused)}>
      <Text bold wrap="truncate-end" inverse={focused}>
        {header}
      </Text>
      {state.nodes.slice(start, end).map((node, i) => {
        const selected = start + i === state.selectedNode;
        return (
          <Text key={node.name} wrap="truncate-end" inverse={selected && focused} bold={selected}>
            {formatNodeRow(node.name, node.kind, node.running ? 'up' : 'DOWN', node.framesIn, node.framesOut, node.drops)}
            {showsAddresses ? ` ${formatNodeAddresses(node.addresses)}` : ''}
          </Text>
        );
      })}
    </Box>
  );
}
