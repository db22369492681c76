/**
 * The whole screen, laid out for the terminal's size (80x24 and up): header; nodes and links
 * side by side; the packet log (or the node detail, map or help panel in its place); the console; the footer.
 * It renders one row less than the terminal so ink redraws in place instead of clearing.
 */
import { Box } from 'ink';
import type { ReactNode } from 'react';
import { ConsolePane } from './ConsolePane.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpPanel } from './HelpPanel.js';
import { LinkPane } from './LinkPane.js';
import { MapView } from './MapView.js';
import { NodeDetailPane } from './NodeDetailPane.js';
import { NodePane } from './NodePane.js';
import { PacketLog } from './PacketLog.js';
import { useKeyboard } from './use-keyboard.js';
import { useTerminalSize } from './use-terminal-size.js';
import { useTuiState } from './use-tui.js';

export interface ScreenLayout {
  columns: number;
  rows: number;
  listHeight: number;
  logHeight: number;
  consoleHeight: number;
  nodeWidth: number;
  linkWidth: number;
}

/**
 * Pane sizes for a terminal: lists get up to a third, the console ~30%, the log the rest. The link
 * pane gets 38% of the width (41 columns at least, room for `h1:eth0--r1:eth0`), the node pane the
 * rest, where a terminal wider than 80 columns shows the nodes' addresses.
 */
export function screenLayout(columns: number, rows: number, listLength: number): ScreenLayout {
  const body = rows - 1 - 2; // one spare row, header, footer
  const listHeight = Math.max(5, Math.min(listLength + 3, Math.floor(body / 3)));
  const consoleHeight = Math.max(6, Math.floor(body * 0.3));
  const logHeight = Math.max(5, body - listHeight - consoleHeight);
  const nodeWidth = Math.max(39, columns - Math.max(41, Math.floor(columns * 0.38)));
  return { columns, rows, listHeight, logHeight, consoleHeight, nodeWidth, linkWidth: columns - nodeWidth };
}

export function App(): ReactNode {
  useKeyboard();
  const state = useTuiState();
  const { columns, rows } = useTerminalSize();
  const layout = screenLayout(columns, rows, Math.max(state.nodes.length, state.links.length));
  const middleHeight = layout.listHeight + layout.logHeight;
  if (state.overlay === 'help') {
    return (
      <Box flexDirection="column" width={columns} height={rows - 1}>
        <Header />
        <HelpPanel width={columns} height={middleHeight + layout.consoleHeight} />
        <Footer />
      </Box>
    );
  }
  let middle: ReactNode;
  if (state.overlay === 'map') middle = <MapView width={columns} height={middleHeight} />;
  else {
    middle = (
      <Box flexDirection="column">
        <Box>
          <NodePane width={layout.nodeWidth} height={layout.listHeight} />
          <LinkPane width={layout.linkWidth} height={layout.listHeight} />
        </Box>
        {state.nodeDetail ? <NodeDetailPane width={columns} height={layout.logHeight} /> : <PacketLog width={columns} height={layout.logHeight} />}
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={columns} height={rows - 1}>
      <Header />
      {middle}
      <ConsolePane width={columns} height={layout.consoleHeight} />
      <Footer />
    </Box>
  );
}
