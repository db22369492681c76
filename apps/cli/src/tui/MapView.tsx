/**
 * The map view (`m`): the topology drawn in text by drawTopologyMap, with a legend. It replaces
 * the node, link and log panes while open; long drawings are cut at the pane's height.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { PaneSize } from './NodePane.js';
import { drawTopologyMap } from './topology-map.js';
import { useTuiState } from './use-tui.js';

export function MapView({ width, height }: PaneSize): ReactNode {
  const state = useTuiState();
  const lines = drawTopologyMap(state.nodes, state.links, width - 4);
  const visible = Math.max(0, height - 3);
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" overflow="hidden" borderColor="cyan">
      <Text bold wrap="truncate-end">
        MAP {state.nodes.length} nodes, {state.links.length} links   x = link down  ! = node stopped  [lan]   (m or Esc closes)
      </Text>
      {lines.slice(0, visible).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line.length === 0 ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}
