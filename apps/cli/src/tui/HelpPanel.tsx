/**
 * The help panel (`?`): every key binding from KEY_BINDINGS and the filter syntax.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { KEY_BINDINGS } from './key-bindings.js';
import type { PaneSize } from './NodePane.js';

export function HelpPanel({ width, height }: PaneSize): ReactNode {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" overflow="hidden" borderColor="cyan">
      <Text bold>KEYS (? or Esc closes)</Text>
      {KEY_BINDINGS.map((binding) => (
        <Text key={binding.keys} wrap="truncate-end">
          <Text color="cyan">{binding.keys.padEnd(16)}</Text>
          {binding.action}
        </Text>
      ))}
    </Box>
  );
}
