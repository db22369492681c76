/**
 * The UI's state and its reducer: which pane has focus, which overlay is open (help, map,
 * filter prompt), clock control (paused, speed), the selected node and link, the console's line,
 * history and per-node scrollback (bounded: CONSOLE_SCROLLBACK lines a node), the command each
 * node's console is running, the packet filter, the capture, the newest timeline notice, and the
 * last snapshot of the emulator's nodes, links and virtual time. Pure data and a pure reducer; effects (talking to the
 * emulator) live in the actions (TuiProvider). The packet log's events are not here: they live in
 * the LogStore, outside React, so a flood of events does not go through the reducer.
 */
import type { LinkInfo, NodeInfo } from '@netloom/runtime';
import { emptyHistory, historyNext, historyPrevious, recordCommand, type CommandHistory } from './command-history.js';
import type { PacketFilter } from './packet-filter.js';

export type Pane = 'nodes' | 'links' | 'log' | 'console';
export const PANE_ORDER: readonly Pane[] = ['nodes', 'links', 'log', 'console'];

export type Overlay = 'none' | 'help' | 'map' | 'filter';

export type ConsoleStream = 'command' | 'stdout' | 'stderr' | 'info';
export interface ConsoleLine {
  stream: ConsoleStream;
  text: string;
  /** Output that has not ended with a newline yet: the next text of the same stream continues it. */
  open?: boolean;
}

/** Speeds offered by `+`/`-`, as multiples of real time. */
export const SPEEDS: readonly number[] = [0.01, 0.1, 0.25, 0.5, 1, 2, 5, 10, 50, 100];

export const CONSOLE_SCROLLBACK = 400;

export interface CaptureState {
  dir: string;
  files: string[];
}

export interface TuiState {
  name: string;
  now: number;
  nodes: NodeInfo[];
  links: LinkInfo[];
  focus: Pane;
  overlay: Overlay;
  /** The packet log's place shows the selected node's IPVS services and Mobile IPv6 bindings (`i`). */
  nodeDetail: boolean;
  /** Lines the node detail pane is scrolled down (the pane keeps it within its lines). */
  detailScroll: number;
  paused: boolean;
  speed: number;
  selectedNode: number;
  selectedLink: number;
  /** Lines scrolled back from the newest in the packet log. */
  logScroll: number;
  /** Lines scrolled back in the console's scrollback. */
  consoleScroll: number;
  filter: PacketFilter | null;
  filterDraft: string;
  consoleLine: string;
  history: CommandHistory;
  consoles: Record<string, ConsoleLine[]>;
  /** Completion candidates shown under the prompt after an ambiguous Tab. */
  completions: string[];
  /** The command each node's console runs in the foreground (node → command line). */
  running: Readonly<Record<string, string>>;
  /** The newest timeline event, shown in the header for a few seconds (null: none). */
  notice: string | null;
  capture: CaptureState | null;
  /** One-line message in the footer (errors in red when `statusIsError`). */
  status: string;
  statusIsError: boolean;
  quitting: boolean;
}

export function initialTuiState(init: { name: string; now: number; nodes: NodeInfo[]; links: LinkInfo[]; speed: number; paused?: boolean }): TuiState {
  return {
    name: init.name,
    now: init.now,
    nodes: init.nodes,
    links: init.links,
    focus: 'nodes',
    overlay: 'none',
    nodeDetail: false,
    detailScroll: 0,
    paused: init.paused ?? false,
    speed: init.speed,
    selectedNode: 0,
    selectedLink: 0,
    logScroll: 0,
    consoleScroll: 0,
    filter: null,
    filterDraft: '',
    consoleLine: '',
    history: emptyHistory,
    consoles: {},
    completions: [],
    running: {},
    notice: null,
    capture: null,
    status: 'press ? for help',
    statusIsError: false,
    quitting: false,
  };
}

export type TuiAction =
  | { type: 'snapshot'; now: number; nodes: NodeInfo[]; links: LinkInfo[] }
  | { type: 'focus'; pane: Pane }
  | { type: 'focusNext'; delta: 1 | -1 }
  | { type: 'overlay'; overlay: Overlay }
  | { type: 'nodeDetail' }
  | { type: 'scrollDetail'; delta: number }
  | { type: 'paused'; paused: boolean }
  | { type: 'speed'; speed: number }
  | { type: 'selectNode'; delta: number }
  | { type: 'selectLink'; delta: number }
  | { type: 'scrollLog'; delta: number }
  | { type: 'scrollConsole'; delta: number }
  | { type: 'filterDraft'; text: string }
  | { type: 'filter'; filter: PacketFilter | null }
  | { type: 'consoleLine'; text: string }
  | { type: 'historyPrevious' }
  | { type: 'historyNext' }
  | { type: 'completions'; line: string; candidates: string[] }
  | { type: 'commandStarted'; node: string; cmd: string }
  | { type: 'consoleOutput'; node: string; lines: ConsoleLine[] }
  /** Program output as it arrives, in chunks that may end mid-line, batched. */
  | { type: 'consoleText'; chunks: readonly ConsoleChunk[] }
  | { type: 'commandFinished'; node: string }
  | { type: 'notice'; text: string | null }
  | { type: 'consoleClear'; node: string }
  | { type: 'capture'; capture: CaptureState | null }
  | { type: 'status'; text: string; isError?: boolean }
  | { type: 'quit' };

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}

/** A piece of a program's output for one node's console. */
export interface ConsoleChunk {
  node: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Adds output that may start inside the last open line and end inside a new one. */
function appendText(previous: ConsoleLine[], chunk: ConsoleChunk): ConsoleLine[] {
  if (chunk.text.length === 0) return previous;
  const last = previous[previous.length - 1];
  const pieces = chunk.text.replace(/\r\n/g, '\n').split('\n');
  const endsOpen = pieces[pieces.length - 1] !== '';
  if (!endsOpen) pieces.pop();
  const lines: ConsoleLine[] = pieces.map((text, i) => ({ stream: chunk.stream, text, open: endsOpen && i === pieces.length - 1 }));
  let kept = previous;
  if (last?.open === true && last.stream === chunk.stream && lines[0] !== undefined) {
    lines[0] = { ...lines[0], text: last.text + lines[0].text };
    kept = previous.slice(0, -1);
  }
  return [...kept, ...lines].slice(-CONSOLE_SCROLLBACK);
}

function appendConsole(consoles: Record<string, ConsoleLine[]>, node: string, lines: ConsoleLine[]): Record<string, ConsoleLine[]> {
  const previous = consoles[node] ?? [];
  return { ...consoles, [node]: [...previous, ...lines].slice(-CONSOLE_SCROLLBACK) };
}

/** Splits command output into console lines, dropping the one empty line a final newline leaves. */
export function outputLines(text: string, stream: ConsoleStream): ConsoleLine[] {
  if (text.length === 0) return [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => ({ stream, text: line }));
}

export function tuiReducer(state: TuiState, action: TuiAction): TuiState {
  switch (action.type) {
    case 'snapshot':
      return {
        ...state,
        now: action.now,
        nodes: action.nodes,
        links: action.links,
        selectedNode: clamp(state.selectedNode, 0, Math.max(0, action.nodes.length - 1)),
        selectedLink: clamp(state.selectedLink, 0, Math.max(0, action.links.length - 1)),
      };
    case 'focus':
      return { ...state, focus: action.pane, completions: [] };
    case 'focusNext': {
      const index = PANE_ORDER.indexOf(state.focus);
      const next = PANE_ORDER[(index + action.delta + PANE_ORDER.length) % PANE_ORDER.length] as Pane;
      return { ...state, focus: next, completions: [] };
    }
    case 'overlay':
      if (action.overlay === 'filter') return { ...state, overlay: 'filter', filterDraft: state.filter?.source ?? '', status: '', statusIsError: false };
      return { ...state, overlay: action.overlay };
    case 'nodeDetail':
      return { ...state, nodeDetail: !state.nodeDetail, detailScroll: 0 };
    case 'scrollDetail':
      // End (+Infinity) is kept finite, for the pane to bring back to its last page.
      return { ...state, detailScroll: clamp(state.detailScroll + action.delta, 0, Number.MAX_SAFE_INTEGER) };
    case 'paused':
      return { ...state, paused: action.paused };
    case 'speed':
      return { ...state, speed: action.speed };
    case 'selectNode':
      return { ...state, selectedNode: clamp(state.selectedNode + action.delta, 0, Math.max(0, state.nodes.length - 1)), completions: [], consoleScroll: 0, detailScroll: 0 };
    case 'selectLink':
      return { ...state, selectedLink: clamp(state.selectedLink + action.delta, 0, Math.max(0, state.links.length - 1)) };
    case 'scrollLog':
      return { ...state, logScroll: Math.max(0, state.logScroll + action.delta) };
    case 'scrollConsole':
      return { ...state, consoleScroll: Math.max(0, state.consoleScroll + action.delta) };
    case 'filterDraft':
      return { ...state, filterDraft: action.text };
    case 'filter':
      return { ...state, filter: action.filter, overlay: 'none', logScroll: 0 };
    case 'consoleLine':
      return { ...state, consoleLine: action.text, completions: [] };
    case 'historyPrevious': {
      const [history, line] = historyPrevious(state.history, state.consoleLine);
      return { ...state, history, consoleLine: line, completions: [] };
    }
    case 'historyNext': {
      const [history, line] = historyNext(state.history, state.consoleLine);
      return { ...state, history, consoleLine: line, completions: [] };
    }
    case 'completions':
      return { ...state, consoleLine: action.line, completions: action.candidates.length > 1 ? action.candidates : [] };
    case 'commandStarted':
      return {
        ...state,
        running: { ...state.running, [action.node]: action.cmd },
        consoleLine: '',
        consoleScroll: 0,
        completions: [],
        history: recordCommand(state.history, action.cmd),
        consoles: appendConsole(state.consoles, action.node, [{ stream: 'command', text: `${action.node}# ${action.cmd}` }]),
      };
    case 'consoleText': {
      const consoles = { ...state.consoles };
      for (const chunk of action.chunks) consoles[chunk.node] = appendText(consoles[chunk.node] ?? [], chunk);
      return action.chunks.length === 0 ? state : { ...state, consoleScroll: 0, consoles };
    }
    case 'consoleOutput':
      return { ...state, consoleScroll: 0, consoles: appendConsole(state.consoles, action.node, action.lines) };
    case 'commandFinished': {
      const running = { ...state.running };
      delete running[action.node];
      return { ...state, running };
    }
    case 'notice':
      return { ...state, notice: action.text };
    case 'consoleClear':
      return { ...state, consoles: { ...state.consoles, [action.node]: [] } };
    case 'capture':
      return { ...state, capture: action.capture };
    case 'status':
      return { ...state, status: action.text, statusIsError: action.isError ?? false };
    case 'quit':
      return { ...state, quitting: true };
  }
}

export function selectedNodeName(state: TuiState): string | null {
  return state.nodes[state.selectedNode]?.name ?? null;
}

export function nextSpeed(speed: number, direction: 1 | -1): number {
  if (direction > 0) return SPEEDS.find((s) => s > speed) ?? speed;
  return [...SPEEDS].reverse().find((s) => s < speed) ?? speed;
}
