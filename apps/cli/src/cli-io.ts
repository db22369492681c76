/**
 * Where a CLI command reads and writes: the process's streams in the real `netloom` binary, in-memory
 * buffers in tests. Commands never touch `process.stdout` directly, so they can be run in-process.
 *
 * Covers the text sinks and the stdin handle; leaves argument parsing to main.ts.
 */

export interface TextSink {
  write(text: string): void;
}

export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Lines for `netloom shell`. */
  stdin: NodeJS.ReadableStream;
  /** True when stdin is a terminal: the shell then prompts and edits lines. */
  stdinIsTTY: boolean;
  /** True when stderr is a terminal: `netloom bench` then draws its progress bar there. Absent: false. */
  stderrIsTTY?: boolean;
  /** Where `netloom shell` echoes the prompt and line editing when interactive. */
  terminal: NodeJS.WritableStream;
  /**
   * Hear the next Ctrl-C (SIGINT) instead of dying of it; returns a function that stops listening.
   * One-shot: a second Ctrl-C, with nobody listening, ends the process as usual.
   */
  onInterrupt(handler: () => void): () => void;
}

/**
 * The process's own streams. A reader that goes away (`netloom run --trace | head`) ends the
 * process quietly, as SIGPIPE ends C tools, instead of an EPIPE stack trace.
 */
export function processIo(): CliIo {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return {
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    stdin: process.stdin,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    terminal: process.stdout,
    onInterrupt: (handler) => {
      const listener = (): void => handler();
      process.once('SIGINT', listener);
      return () => void process.off('SIGINT', listener);
    },
  };
}

/** A sink that keeps everything written to it (tests, and the JSON report). */
export class BufferSink implements TextSink {
  private readonly parts: string[] = [];
  write(text: string): void {
    this.parts.push(text);
  }
  text(): string {
    return this.parts.join('');
  }
}
