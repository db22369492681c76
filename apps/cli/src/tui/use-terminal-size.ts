/**
 * The terminal's size in columns and rows, following resizes. Falls back to 80x24 when the
 * output is not a terminal (tests, pipes), the smallest size the UI is laid out for.
 */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

function measure(stdout: NodeJS.WriteStream): TerminalSize {
  return { columns: Math.max(MIN_COLUMNS, stdout.columns || MIN_COLUMNS), rows: Math.max(MIN_ROWS, stdout.rows || MIN_ROWS) };
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => measure(stdout));
  useEffect(() => {
    const onResize = (): void => setSize(measure(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
