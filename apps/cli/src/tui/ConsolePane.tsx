/**
 * The console of the selected node: its scrollback (commands, stdout, stderr in red) and the
 * prompt `NODE# ` with the line being typed. Completion candidates from an ambiguous Tab are
 * listed above the prompt. Typing goes here only while the pane has focus (Tab/Enter reach it,
 * Esc leaves it); PageUp/PageDown scroll the scrollback.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { PaneSize } from './NodePane.js';
import { selectedNodeName, type ConsoleLine } from './tui-state.js';
import { useTuiState } from './use-tui.js';

const streamColors: Record<ConsoleLine['stream'], string | undefined> = {
  command: 'cyan',
  stdout: undefined,
  stderr: 'red',
  info: 'gray',
};

export function ConsolePane({ width, height }: PaneSize): ReactNode {
  const state = useTuiState();
  const focused = state.focus === 'console' && state.overlay === 'none';
  const node = selectedNodeName(state) ?? '?';
  const extra: ConsoleLine[] = state.completions.length > 0 ? [{ stream: 'info', text: state.completions.join('  ') }] : [];
  const visible = Math.max(0, height - 3);
  const all = [...(state.consoles[node] ?? []), ...extra];
  const scroll = Math.min(state.consoleScroll, Math.max(0, all.length - visible));
  const lines = all.slice(Math.max(0, all.length - visible - scroll), all.length - scroll);
  const busy = state.runningOn === node;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" overflow="hidden" borderColor={focused ? 'cyan' : 'gray'}>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end" color={streamColors[line.stream]}>
          {line.text.length === 0 ? ' ' : line.text}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text wrap="truncate-start">
        <Text bold color={focused ? 'green' : 'gray'}>{`${node}# `}</Text>
        {state.consoleLine}
        {focused ? <Text inverse> </Text> : null}
        {busy ? <Text color="gray"> (running…)</Text> : null}
        {scroll > 0 ? <Text color="gray">{`  ↑${scroll} (PgDn)`}</Text> : null}
        {!focused && state.consoleLine.length === 0 ? <Text color="gray">(Tab to the console to type)</Text> : null}
      </Text>
    </Box>
  );
}
