/**
 * The bottom line: the filter prompt while `/` is open, otherwise the status message (red for
 * errors) and a reminder of the main keys.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useTuiState } from './use-tui.js';

export function Footer(): ReactNode {
  const state = useTuiState();
  if (state.overlay === 'filter') {
    return (
      <Box width="100%">
        <Text wrap="truncate-start">
          <Text bold color="yellow">
            filter/{' '}
          </Text>
          {state.filterDraft}
          <Text inverse> </Text>
          {state.statusIsError ? <Text color="red">  {state.status}</Text> : <Text color="gray">  Enter applies, Esc cancels, empty clears</Text>}
        </Text>
      </Box>
    );
  }
  return (
    <Box width="100%">
      <Text wrap="truncate-end">
        <Text color={state.statusIsError ? 'red' : 'gray'}>{state.status}</Text>
        <Text color="gray">{'  │ Tab focus  Space pause  . step  +/- speed  l link  c capture  m map  / filter  ? help  q quit'}</Text>
      </Text>
    </Box>
  );
}
