/**
 * The keyboard: one input handler that routes keys by what has focus. In the console and the
 * filter prompt, typed characters edit the line (Esc leaves; in the console Tab completes, or
 * moves focus when the line is empty; Up/Down walk the history). Everywhere else single keys are
 * commands (see KEY_BINDINGS): Tab focus, Space pause, `.` step, `+`/`-` speed, `l` link toggle,
 * `c` capture, `m` map, `i` node detail, `/` filter, `?` help, `q` quit; arrows, PgUp/PgDn and Home/End move
 * within the focused pane. In the console Ctrl+C interrupts the node's running command, or
 * abandons the line, as a shell does; anywhere else it quits.
 * Many terminals send DEL for Backspace, which ink reports as `delete`: both erase backwards.
 */
import { useInput, type Key } from 'ink';
import type { TuiActions } from './tui-context.js';
import type { TuiState } from './tui-state.js';
import { useTuiActions } from './use-tui.js';

const PAGE = 10;

function isPrintable(input: string, key: Key): boolean {
  return input.length > 0 && !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab && !/[\u0000-\u001f\u007f]/.test(input);
}

function editLine(line: string, input: string, key: Key): string | null {
  if (key.backspace || key.delete) return line.slice(0, -1);
  if (key.ctrl && input === 'u') return '';
  if (key.ctrl && input === 'w') return line.replace(/\S+\s*$/, '');
  if (isPrintable(input, key)) return line + input;
  return null;
}

function handleConsole(input: string, key: Key, state: TuiState, actions: TuiActions): void {
  if (key.escape) return actions.focus('nodes');
  if (key.ctrl && input === 'c') return actions.cancelLine();
  if (key.tab) {
    if (key.shift) return actions.focusNext(-1);
    if (state.consoleLine.trim().length === 0) return actions.focusNext(1);
    return actions.complete();
  }
  if (key.return) return actions.submitCommand();
  if (key.pageUp || key.pageDown) return actions.scrollConsole(key.pageUp ? PAGE : -PAGE);
  if (key.upArrow) return actions.historyPrevious();
  if (key.downArrow) return actions.historyNext();
  const edited = editLine(state.consoleLine, input, key);
  if (edited !== null) actions.editConsole(edited);
}

function handleFilterPrompt(input: string, key: Key, state: TuiState, actions: TuiActions): void {
  if (key.escape) return actions.openOverlay('none');
  if (key.return) return actions.applyFilter(state.filterDraft);
  const edited = editLine(state.filterDraft, input, key);
  if (edited !== null) actions.editFilter(edited);
}

/** How far a list key moves the selection: a row, a page, or to either end. */
function listMove(input: string, key: Key): number | null {
  if (key.upArrow || input === 'k') return -1;
  if (key.downArrow || input === 'j') return 1;
  if (key.pageUp) return -PAGE;
  if (key.pageDown) return PAGE;
  if (key.home) return -Infinity;
  if (key.end) return Infinity;
  return null;
}

function handleArrows(input: string, key: Key, state: TuiState, actions: TuiActions): boolean {
  const up = key.upArrow || input === 'k';
  const down = key.downArrow || input === 'j';
  const move = listMove(input, key);
  if (state.focus === 'nodes' && move !== null) {
    actions.selectNode(move);
    return true;
  }
  if (state.focus === 'links' && move !== null) {
    actions.selectLink(move);
    return true;
  }
  if (state.focus === 'log' && state.nodeDetail && move !== null) {
    actions.scrollDetail(move);
    return true;
  }
  if (state.focus === 'log') {
    if (up || down) actions.scrollLog(up ? 1 : -1);
    else if (key.pageUp || key.pageDown) actions.scrollLog(key.pageUp ? PAGE : -PAGE);
    else if (key.end) actions.scrollLog(-state.logScroll);
    else return false;
    return true;
  }
  return false;
}

const noKey: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** The key one control or printable character stands for, when a chunk holds several keys. */
function keyOf(char: string): Key {
  const code = char.charCodeAt(0);
  const isLetterControl = code >= 1 && code <= 26 && !'\b\t\n\r'.includes(char);
  return { ...noKey, return: char === '\r' || char === '\n', tab: char === '\t', backspace: char === '\b', delete: char === '\u007f', ctrl: isLetterControl };
}

/**
 * Handles one input event. Ink delivers a chunk of typed text (fast typing, paste,
 * `tmux send-keys`) as one input, control characters included, and drops the ESC of `ESC <key>`
 * leaving a bare control character without its flag (`\t` without `tab`); such input is split
 * into single keys, each handled against the state the previous one left.
 */
export function handleInput(input: string, key: Key, actions: TuiActions): void {
  const isChunk = [...input].length > 1 || /^[\u0000-\u001f\u007f]$/.test(input);
  if (isChunk && !input.includes('\u001B')) {
    for (const char of input) {
      const isControl = /[\u0000-\u001f\u007f]/.test(char);
      const key = isControl ? keyOf(char) : noKey;
      handleKey(key.ctrl ? String.fromCharCode(char.charCodeAt(0) + 96) : char, key, actions.current(), actions);
    }
    return;
  }
  handleKey(input, key, actions.current(), actions);
}

export function handleKey(input: string, key: Key, state: TuiState, actions: TuiActions): void {
  if (state.quitting) return;
  if (key.ctrl && input === 'c' && !(state.overlay === 'none' && state.focus === 'console')) return actions.quit();
  if (state.overlay === 'filter') return handleFilterPrompt(input, key, state, actions);
  if (state.overlay === 'none' && state.focus === 'console') return handleConsole(input, key, state, actions);
  if (key.escape) return actions.openOverlay('none');
  if (key.tab) return actions.focusNext(key.shift ? -1 : 1);
  if (key.return && state.focus === 'nodes') return actions.focus('console');
  if (state.overlay === 'none' && handleArrows(input, key, state, actions)) return;
  switch (input) {
    case 'q':
      return actions.quit();
    case ' ':
      return actions.togglePause();
    case '.':
      return actions.step();
    case '+':
    case '=':
      return actions.changeSpeed(1);
    case '-':
    case '_':
      return actions.changeSpeed(-1);
    case 'l':
      return actions.toggleSelectedLink();
    case 'c':
      return actions.toggleCapture();
    case 'm':
      return actions.openOverlay(state.overlay === 'map' ? 'none' : 'map');
    case 'i':
      return actions.toggleNodeDetail();
    case '?':
      return actions.openOverlay(state.overlay === 'help' ? 'none' : 'help');
    case '/':
      return actions.openOverlay('filter');
    default:
      return;
  }
}

export function useKeyboard(): void {
  const actions = useTuiActions();
  useInput((input, key) => handleInput(input, key, actions));
}
