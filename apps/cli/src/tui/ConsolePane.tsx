/**
 * The console of the selected node: its scrollback (commands, stdout, stderr in red) and the
 * prompt `NODE# ` with the line being typed. Completion candidates from an ambiguous Tab are
 * listed above the prompt. Typing goes here only while the pane has focus (Tab/Enter reach it,
 * Esc leaves it); PageUp/PageDown scroll the scrollback. While the node runs a command the prompt
 * says so (and that Ctrl+C stops it, or that the clock is paused).
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { PaneSize } from './NodePane.js';
import { paneBorder } from './pane-border.js';
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
  const running = state.running[node];
  // While a command runs there is no prompt, as in a terminal: a note says what runs instead.
  const program = running?.split(' ')[0] ?? '';
  const busy = running === undefined ? null : state.paused ? `(${program} waits: the clock is paused)` : `(${program} runs: Ctrl+C stops it)`;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden" {...paneBorder(focused)}>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end" color={streamColors[line.stream]}>
          {line.text.length === 0 ? ' ' : line.text}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text wrap="truncate-start">
        {busy === null ? (
          <Text bold color={focused ? 'green' : 'gray'} inverse={focused}>{`${node}#`}</Text>
        ) : (
          <Text color="gray">{busy}</Text>
        )}
        {' '}
        {state.consoleLine}
        {focused ? <Text inverse> </Text> : null}
        {scroll > 0 ? <Text color="gray">{`  ↑${scroll} (PgDn)`}</Text> : null}
        {!focused && busy === null && state.consoleLine.length === 0 ? <Text color="gray">(Tab to the console to type)</Text> : null}
      </Text>
    </Box>
  );
}
