/**
 * The live packet log: a title line (filter, counts, scroll position) and the newest events that
 * pass the filter, one tcpdump-like line each, drops in red with their reason. Only the lines that
 * fit are formatted and rendered (a windowed list over the bounded LogStore), and re-renders are
 * batched by useLogVersion, so a flood of events does not freeze the UI. Up/Down/PageUp/PageDown
 * scroll back when the pane has focus; End returns to the newest.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { TraceEvent } from '@netloom/runtime';
import { formatTimelineLine, formatTraceLine } from './format-trace.js';
import { isTimelineEntry, type LogEntry } from './log-store.js';
import type { PaneSize } from './NodePane.js';
import { useLogVersion } from './use-log-version.js';
import { paneBorder } from './pane-border.js';
import { useTuiEngine, useTuiState } from './use-tui.js';

/** Drops are red, timeline events yellow; everything else uses the terminal's colour. */
export function traceLineColor(event: TraceEvent): string | undefined {
  return event.kind === 'drop' ? 'red' : undefined;
}

function logLine(entry: LogEntry): { text: string; color: string | undefined } {
  if (isTimelineEntry(entry)) return { text: formatTimelineLine(entry), color: 'yellow' };
  return { text: formatTraceLine(entry), color: traceLineColor(entry) };
}

export function PacketLog({ width, height }: PaneSize): ReactNode {
  const state = useTuiState();
  const { logStore } = useTuiEngine();
  useLogVersion(logStore);
  const focused = state.focus === 'log' && state.overlay === 'none';
  const visible = Math.max(0, height - 3);
  const events = logStore.window(state.filter, visible, state.logScroll);
  const title =
    `PACKETS ${logStore.totalEvents} events, ${logStore.totalDrops} drops` +
    (state.capture !== null ? `  pcap: ${state.capture.files.length} files in ${state.capture.dir}` : '') +
    (state.filter !== null ? `  filter: ${state.filter.source}` : state.capture === null ? '  (/ to filter)' : '') +
    (state.logScroll > 0 ? `  ↑${state.logScroll}` : '');
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden" {...paneBorder(focused)}>
      <Text bold wrap="truncate-end" inverse={focused}>
        {title}
      </Text>
      {events.map((event, i) => {
        const line = logLine(event);
        return (
          <Text key={i} wrap="truncate-end" color={line.color}>
            {line.text}
          </Text>
        );
      })}
    </Box>
  );
}
