/**
 * The console's command history, as readline keeps it: Up walks back through earlier commands,
 * Down walks forward and finally returns the line being typed before browsing began. Consecutive
 * duplicates and blank lines are not recorded; at most `limit` entries are kept. Immutable values
 * so the reducer can hold them. No persistence across runs.
 */

export interface CommandHistory {
  entries: readonly string[];
  /** Index into entries while browsing, null when editing a fresh line. */
  position: number | null;
  /** The fresh line saved when browsing began. */
  draft: string;
}

export const emptyHistory: CommandHistory = { entries: [], position: null, draft: '' };

const HISTORY_LIMIT = 500;

export function recordCommand(history: CommandHistory, command: string): CommandHistory {
  const trimmed = command.trim();
  const entries =
    trimmed.length === 0 || history.entries[history.entries.length - 1] === trimmed
      ? history.entries
      : [...history.entries, trimmed].slice(-HISTORY_LIMIT);
  return { entries, position: null, draft: '' };
}

/** Up arrow: returns the new history state and the line to show. */
export function historyPrevious(history: CommandHistory, currentLine: string): [CommandHistory, string] {
  if (history.entries.length === 0) return [history, currentLine];
  const position = history.position === null ? history.entries.length - 1 : Math.max(0, history.position - 1);
  const draft = history.position === null ? currentLine : history.draft;
  return [{ entries: history.entries, position, draft }, history.entries[position] as string];
}

/** Down arrow. */
export function historyNext(history: CommandHistory, currentLine: string): [CommandHistory, string] {
  if (history.position === null) return [history, currentLine];
  const position = history.position + 1;
  if (position >= history.entries.length) {
    return [{ entries: history.entries, position: null, draft: '' }, history.draft];
  }
  return [{ entries: history.entries, position, draft: history.draft }, history.entries[position] as string];
}
