/**
 * The node detail pane (`i`): in place of the packet log, what the selected node's loadable parts
 * hold, live — a director's virtual services and real servers with weights, ActiveConn/InActConn
 * and rates (`ipvsadm -L -n --rate`), a home agent's binding cache or a mobile node's binding update
 * list with lifetimes counting down (node-detail.ts formats them). It follows the node selection
 * and every refresh of the emulator's state. It has the keyboard when the packet log would (Tab):
 * ↑ ↓ PgUp PgDn Home End scroll what does not fit, and the title says which lines show (`LINES 1-5/9↓`).
 */
import { Box, Text } from 'ink';
import { useEffect, type ReactNode } from 'react';
import { listHeading } from './list-window.js';
import { nodeDetail } from './node-detail.js';
import type { PaneSize } from './NodePane.js';
import { paneBorder } from './pane-border.js';
import { useTuiActions, useTuiState } from './use-tui.js';

export function NodeDetailPane({ width, height }: PaneSize): ReactNode {
  const state = useTuiState();
  const actions = useTuiActions();
  // It stands in for the packet log, and has the keyboard when the log would.
  const focused = state.focus === 'log' && state.overlay === 'none';
  const node = state.nodes[state.selectedNode];
  const detail = node === undefined ? { title: 'no node', lines: [] } : nodeDetail(node, state.now, width - 2);
  const visible = Math.max(0, height - 3);
  const last = Math.max(0, detail.lines.length - visible);
  // Scrolled past the end (End, or the lines got fewer): back to the last page.
  useEffect(() => {
    if (state.detailScroll > last) actions.scrollDetail(last - state.detailScroll);
  }, [state.detailScroll, last, actions]);
  const start = Math.min(state.detailScroll, last);
  const window = { start, end: Math.min(detail.lines.length, start + visible) };
  const heading = listHeading('LINES', window, detail.lines.length);
  const shown = detail.lines.slice(window.start, window.end);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden" {...paneBorder(focused)}>
      <Text bold wrap="truncate-end" inverse={focused}>
        {`${detail.title}${heading === null ? '' : `  ${heading}`}  (i closes)`}
      </Text>
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line.length === 0 ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}
