/**
 * A node's small in-memory file system for what users do with files in a shell session: output
 * redirection (`udpsend … > /var/log/udpsend.log &`, `>>` appends), then `cat FILE` and
 * `tail [-n N] FILE`. Paths are normalised as a shell would (relative to the home directory /root,
 * `.`/`..` and repeated slashes collapsed). Leaves out directories as objects, permissions and
 * `rm`: any path outside /proc, /sys and /dev can be written. /proc/sys and a few /etc files are the
 * kernel's, served by the shell itself.
 */

const HOME = '/root';

export class FileStore {
  private readonly files = new Map<string, string>();

  /** Absolute, normalised form of `path` as typed. */
  static resolve(path: string): string {
    const absolute = path.startsWith('/') ? path : `${HOME}/${path}`;
    const parts: string[] = [];
    for (const part of absolute.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return `/${parts.join('/')}`;
  }

  /** Whether the shell may create or write this (already resolved) path. */
  static isWritable(resolved: string): boolean {
    return !/^\/(proc|sys|dev)(\/|$)/.test(resolved) && resolved !== '/';
  }

  write(resolved: string, text: string, append: boolean): void {
    this.files.set(resolved, append ? (this.files.get(resolved) ?? '') + text : text);
  }

  read(resolved: string): string | undefined {
    return this.files.get(resolved);
  }

  has(resolved: string): boolean {
    return this.files.has(resolved);
  }
}

/** The last `count` lines of `text` (coreutils `tail -n`): a final newline does not start a line. */
export function lastLines(text: string, count: number): string {
  if (count <= 0 || text === '') return '';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const lines = body.split('\n');
  return `${lines.slice(-count).join('\n')}${text.endsWith('\n') ? '\n' : ''}`;
}
