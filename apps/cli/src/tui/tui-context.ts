/**
 * The three React contexts of the UI, kept apart as good Ink apps do: state (re-renders readers
 * when it changes), actions (stable functions that talk to the emulator and dispatch), and the
 * engine (the emulator handle, the packet log store and the operation queue; never changes).
 */
import { createContext } from 'react';
import type { EmulatorApi } from '@netloom/runtime';
import type { LogStore } from './log-store.js';
import type { SerialQueue } from './serial-queue.js';
import type { Overlay, Pane, TuiState } from './tui-state.js';

export interface TuiEngine {
  emulator: EmulatorApi;
  logStore: LogStore;
  queue: SerialQueue;
  /** Directory under which `c` creates capture directories. */
  captureRoot: string;
  /** Virtual time one `.` advances, in ns. */
  stepNs: number;
  /** Wall-clock period of the real-time clock, in ms. */
  tickMs: number;
}

export interface TuiActions {
  /** The newest state, including dispatches not rendered yet (for input handling). */
  current(): TuiState;
  togglePause(): void;
  step(): void;
  changeSpeed(direction: 1 | -1): void;
  toggleSelectedLink(): void;
  toggleCapture(): void;
  focus(pane: Pane): void;
  focusNext(delta: 1 | -1): void;
  openOverlay(overlay: Overlay): void;
  /** Show / hide the selected node's IPVS and Mobile IPv6 state in place of the packet log. */
  toggleNodeDetail(): void;
  /** Scroll the node detail pane by `delta` lines (±Infinity: to either end). */
  scrollDetail(delta: number): void;
  selectNode(delta: number): void;
  selectLink(delta: number): void;
  scrollLog(delta: number): void;
  scrollConsole(delta: number): void;
  editFilter(text: string): void;
  applyFilter(text: string): void;
  editConsole(text: string): void;
  historyPrevious(): void;
  historyNext(): void;
  complete(): void;
  submitCommand(): void;
  /** Ctrl+C in the console: the line is abandoned (echoed with ^C), as in a shell. */
  cancelLine(): void;
  /** Re-reads time, nodes and links from the emulator. */
  refresh(): void;
  quit(): void;
}

export const TuiStateContext = createContext<TuiState | null>(null);
export const TuiActionsContext = createContext<TuiActions | null>(null);
export const TuiEngineContext = createContext<TuiEngine | null>(null);
