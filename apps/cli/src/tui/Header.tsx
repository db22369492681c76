/**
 * The top line: topology name, virtual time, speed factor, running/paused, whether a pcap capture
 * is on, and for a few seconds after it happened the newest timeline event (`⚑ node gw1 stop`,
 * black on yellow; last, so that a long one is cut rather than the clock's state).
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
        {state.notice !== null ? (
          <>
            {'  '}
            <Text color="black" backgroundColor="yellow">{` ⚑ ${state.notice} `}</Text>
          </>
        ) : null}
      </Text>
    </Box>
  );
}
