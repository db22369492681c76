/**
 * The top line: topology name, virtual time, speed factor, running/paused, and whether a pcap
 * capture is on.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { formatVirtualTime } from './format-trace.js';
import { useTuiState } from './use-tui.js';

export function Header(): ReactNode {
  const state = useTuiState();
  return (
    <Box width="100%">
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          netloom
        </Text>{' '}
        <Text bold>{state.name}</Text>
        {'  t='}
        <Text bold>{formatVirtualTime(state.now)}s</Text>
        {`  speed ×${state.speed}  `}
        {state.paused ? (
          <Text color="yellow" bold>
            ❚❚ paused
          </Text>
        ) : (
          <Text color="green" bold>
            ▶ running
          </Text>
        )}
        {state.capture !== null ? <Text color="red"> ● capturing</Text> : null}
      </Text>
    </Box>
  );
}
