import { describe, expect, it } from 'vitest';
import { emptyHistory, historyNext, historyPrevious, recordCommand } from './command-history.js';

describe('command history', () => {
  it('Up walks back, Down walks forward and restores the draft', () => {
    let history = recordCommand(recordCommand(emptyHistory, 'ip addr'), 'ip route');
    let line: string;
    [history, line] = historyPrevious(history, 'pi');
    expect(line).toBe('ip route');
    [history, line] = historyPrevious(history, line);
    expect(line).toBe('ip addr');
    [history, line] = historyPrevious(history, line);
    expect(line).toBe('ip addr');
    [history, line] = historyNext(history, line);
    expect(line).toBe('ip route');
    [history, line] = historyNext(history, line);
    expect(line).toBe('pi');
    expect(history.position).toBeNull();
  });

  it('does not record blanks or a repeat of the last command', () => {
    const history = recordCommand(recordCommand(recordCommand(emptyHistory, 'ip a'), 'ip a'), '  ');
    expect(history.entries).toEqual(['ip a']);
  });

  it('Up with no history keeps the line', () => {
    expect(historyPrevious(emptyHistory, 'x')[1]).toBe('x');
  });
});
