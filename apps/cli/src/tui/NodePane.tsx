/**
 * The node pane: one row per node with its name, kind, up/down, frames in and out, and drops.
 * Up/Down (or k/j) move the selection when the pane has focus; the console follows the selected
 * node. Shows only the rows that fit.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { listWindow } from './list-window.js';
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
  const { start, end } = listWindow(state.nodes.length, state.selectedNode, visible);
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" overflow="hidden" borderColor={focused ? 'cyan' : 'gray'}>
      <Text bold wrap="truncate-end">
        {formatNodeRow('NODE', 'KIND', 'STATE', 'IN', 'OUT', 'DROP')}
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
