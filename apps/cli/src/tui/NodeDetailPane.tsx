/**
 * The node detail pane (`i`): in place of the packet log, what the selected node's loadable parts
 * hold, live — a director's virtual services and real servers with weights, ActiveConn/InActConn
 * and rates (`ipvsadm -L -n --rate`), a home agent's binding cache or a mobile node's binding update
 * list with lifetimes counting down (node-detail.ts formats them). It follows the node selection
 * and every refresh of the emulator's state; lines that do not fit are counted in the last row.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { nodeDetail } from './node-detail.js';
import type { PaneSize } from './NodePane.js';
import { useTuiState } from './use-tui.js';

export function NodeDetailPane({ width, height }: PaneSize): ReactNode {
  const state = useTuiState();
  const node = state.nodes[state.selectedNode];
  const detail = node === undefined ? { title: 'no node', lines: [] } : nodeDetail(node, state.now, width - 2);
  const visible = Math.max(0, height - 3);
  const cut = detail.lines.length > visible;
  const shown = cut ? [...detail.lines.slice(0, Math.max(0, visible - 1)), `… ${detail.lines.length - visible + 1} more lines`] : detail.lines;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden" borderStyle="round" borderColor="cyan">
      <Text bold wrap="truncate-end">
        {`${detail.title}  (i closes)`}
      </Text>
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line.length === 0 ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}
