/**
 * The link pane: one row per link or LAN with its id, up/down, frames carried, drops and the
 * current queue depth. Up/Down, PgUp/PgDn and Home/End select a link when the pane has focus; `l`
 * toggles the selected one. When not all fit, the header says which are shown (`LINK 1-4/9↓`).
 */
import { Box, Text } from 'ink';
import { useRef, type ReactNode } from 'react';
import { listHeading, listWindow } from './list-window.js';
import { paneBorder } from './pane-border.js';
import type { PaneSize } from './NodePane.js';
import { useTuiState } from './use-tui.js';

export function formatLinkRow(id: string, idWidth: number, state: string, frames: number | string, drops: number | string, queue: number | string): string {
  const idColumn = id.length > idWidth ? `${id.slice(0, idWidth - 1)}…` : id.padEnd(idWidth);
  return `${idColumn} ${state.padEnd(5)}${String(frames).padStart(7)}${String(drops).padStart(6)}${String(queue).padStart(4)}`;
}

export function LinkPane({ width, height }: PaneSize): ReactNode {
  const state = useTuiState();
  const focused = state.focus === 'links' && state.overlay === 'none';
  const visible = Math.max(0, height - 3);
  const shownFrom = useRef(0);
  const window = listWindow(state.links.length, state.selectedLink, visible, shownFrom.current);
  shownFrom.current = window.start;
  const { start, end } = window;
  const idWidth = Math.max(8, width - 2 - 1 - 5 - 7 - 6 - 4);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden" {...paneBorder(focused)}>
      <Text bold wrap="truncate-end" inverse={focused}>
        {formatLinkRow(listHeading('LINK', window, state.links.length) ?? 'LINK', idWidth, 'STATE', 'FRAMES', 'DROPS', 'Q')}
      </Text>
      {state.links.slice(start, end).map((link, i) => {
        const selected = start + i === state.selectedLink;
        return (
          <Text key={link.id} wrap="truncate-end" inverse={selected && focused} bold={selected} color={link.up ? undefined : 'red'}>
            {formatLinkRow(link.id, idWidth, link.up ? 'up' : 'DOWN', link.frames, link.drops, link.queueDepth)}
          </Text>
        );
      })}
    </Box>
  );
}
