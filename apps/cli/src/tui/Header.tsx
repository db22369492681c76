/**
 * The top line: topology name, virtual time, the newest timeline event for a few seconds after
 * it happened (`⚑ node gw1 stop`, black on yellow), speed factor, running/paused, and whether a
 * pcap capture is on.
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
        {state.notice !== null ? (
          <>
            {'  '}
            <Text color="black" backgroundColor="yellow">{` ⚑ ${state.notice} `}</Text>
          </>
        ) : null}
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
