/**
 * Program output on its way to the node consoles. The emulator's onOutput hands over every chunk
 * a program writes — at speed ×100 a `ping -i 0.01` writes 10,000 lines a second — and ink
 * renders synchronously on every state change, so chunks are collected here and given to the
 * reducer as one batch per `intervalMs` (the screen re-renders a few times a second however much
 * is printed). Consecutive chunks of one node and stream are joined. Bounded: once more than
 * `maxPendingChars` wait, the batch goes at once. Flush before anything that must come after the
 * output so far (a command's exit).
 */
import type { ConsoleChunk } from './tui-state.js';

export const CONSOLE_FEED_INTERVAL_MS = 50;
const MAX_PENDING_CHARS = 64 * 1024;

export class ConsoleFeed {
  private pending: ConsoleChunk[] = [];
  private pendingChars = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly deliver: (chunks: ConsoleChunk[]) => void,
    private readonly intervalMs: number = CONSOLE_FEED_INTERVAL_MS,
    private readonly maxPendingChars: number = MAX_PENDING_CHARS,
  ) {}

  push(chunk: ConsoleChunk): void {
    if (chunk.text.length === 0) return;
    const last = this.pending[this.pending.length - 1];
    if (last !== undefined && last.node === chunk.node && last.stream === chunk.stream) last.text += chunk.text;
    else this.pending.push({ ...chunk });
    this.pendingChars += chunk.text.length;
    if (this.pendingChars > this.maxPendingChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Delivers what waits now. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    this.deliver(batch);
  }

  /** Drops what waits and stops the timer (the UI is going away). */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.pendingChars = 0;
  }
}
