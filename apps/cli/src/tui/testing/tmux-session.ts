/**
 * A real terminal for end-to-end tests: a tmux server on its own socket (so it never touches a
 * user's sessions) running one shell in a window of a fixed size, with helpers to type
 * (`send-keys`), read the screen (`capture-pane -p`) and wait until text appears.
 */
import { execFileSync } from 'node:child_process';

export class TmuxSession {
  private readonly socket: string;
  private readonly target = 'e2e';

  constructor(
    name: string,
    readonly cwd: string,
    width = 80,
    height = 24,
  ) {
    this.socket = `${name}-${process.pid}`;
    this.tmux('new-session', '-d', '-s', this.target, '-x', String(width), '-y', String(height), '-c', cwd, 'env', '-i', `PATH=${process.env['PATH'] ?? ''}`, `HOME=${process.env['HOME'] ?? '/tmp'}`, 'TERM=xterm-256color', 'bash', '--norc', '--noprofile');
    this.tmux('send-keys', '-t', this.target, "PS1='e2e$ '; clear", 'Enter');
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Types literal text (no key names). */
  type(text: string): void {
    this.tmux('send-keys', '-t', this.target, '-l', text);
  }

  /** Presses keys by tmux name: Enter, Tab, Escape, Down, Space, … */
  press(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.target, ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', this.target);
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 45_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${String(pattern)}; the screen was:\n${screen}`);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
