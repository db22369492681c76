/**
 * The node pane: one row per node with its name, kind, up/down, frames in and out, and drops.
 * Up/Down (or k/j), PgUp/PgDn and Home/End move the selection when the pane has focus; the
 * console follows the selected node. Shows the rows that fit around the selection, and when not
 * all fit, which ones (`NODE 1-4/10↓` in the header).
 */
import { Box, Text } from 'ink';
import { useRef, type ReactNode } from 'react';
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

export function formatNodeRow(name: string, kind: string, state: string, framesIn: number | string, framesOut: number | string, drops: number | string): string {
  return `${pad(name, 8)}${pad(kind, 7)}${pad(state, 5)}${pad(framesIn, 6, true)}${pad(framesOut, 6, true)}${pad(drops, 5, true)}`;
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
  const header = heading === null ? formatNodeRow('NODE', 'KIND', 'STATE', 'IN', 'OUT', 'DROP') : `${heading.padEnd(15)}${formatNodeRow('', '', 'STATE', 'IN', 'OUT', 'DROP').slice(15)}`;
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
          </Text>
        );
      })}
    </Box>
  );
}
