/**
 * A node's small in-memory file system for what users do with files in a shell session: output
 * redirection (`udpsend … > /var/log/udpsend.log &`, `>>` appends), then `cat FILE` and
 * `tail [-n N] FILE`. Paths are normalised as a shell would (relative to the home directory /root,
 * `.`/`..` and repeated slashes collapsed). Leaves out directories as objects, permissions and
 * `rm`: any path outside /proc, /sys and /dev can be written. /proc/sys and a few /etc files are the
 * kernel's, served by the shell itself; other kernel files are provided by the parts that own them
 * (`provide`: /proc/net/ip_vs from IPVS), their text made when read.
 *
 * Bounded as a size-limited tmpfs (`mount -t tmpfs -o size=16m,nr_inodes=4096`): every file holds
 * whole 4 KiB pages (ceil(bytes / 4096)), all files together at most `capacity` bytes of pages
 * (16 MiB by default) and at most `maxFiles` files. A write that does not fit writes the pages
 * that are left — a short write, as shmem's write_begin fills what it can — and fails with ENOSPC;
 * so does creating a file past the inode limit. Truncating (`>`) gives the pages back. Checked on
 * Linux 6.18 with a 16 KiB tmpfs: after a 10001-byte file, a second 10001-byte echo leaves 4096
 * bytes and bash prints `bash: echo: write error: No space left on device`. Sizes are UTF-8 bytes.
 */
import type { Nanos } from '../node-host.js';
import type { Errno } from '../process.js';

/** The default size of a node's file system. */
export const DEFAULT_FILE_STORE_BYTES = 16 * 1024 * 1024;
/** The default number of files (tmpfs nr_inodes). */
export const DEFAULT_FILE_STORE_FILES = 4096;
const PAGE_SIZE = 4096;

/** The result of write(2) on a node file: how many bytes went in, and the error that stopped the rest. */
export type FileWriteResult = { ok: true } | { ok: false; errno: Errno; written: number };

export interface FileStoreLimits {
  /** Bytes of pages all files may hold together. */
  capacity?: number;
  maxFiles?: number;
}

const HOME = '/root';

export class FileStore {
  private readonly files = new Map<string, { text: string; bytes: number }>();
  private readonly kernelFiles = new Map<string, (now: Nanos) => string>();
  private readonly capacityPages: number;
  private readonly maxFiles: number;
  private usedPages = 0;

  constructor(limits: FileStoreLimits = {}) {
    this.capacityPages = Math.floor((limits.capacity ?? DEFAULT_FILE_STORE_BYTES) / PAGE_SIZE);
    this.maxFiles = limits.maxFiles ?? DEFAULT_FILE_STORE_FILES;
  }

  /** Bytes of pages in use (what `df` shows as Used). */
  get used(): number {
    return this.usedPages * PAGE_SIZE;
  }

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

  /**
   * open(2) with O_CREAT and O_APPEND or O_TRUNC, as a redirection does before the command runs:
   * creating a file past the inode limit fails with ENOSPC; truncating gives the pages back.
   */
  open(resolved: string, append: boolean): { ok: true } | { ok: false; errno: Errno } {
    const file = this.files.get(resolved);
    if (file === undefined) {
      if (this.files.size >= this.maxFiles) return { ok: false, errno: 'ENOSPC' };
      this.files.set(resolved, { text: '', bytes: 0 });
    } else if (!append) {
      this.usedPages -= pages(file.bytes);
      file.text = '';
      file.bytes = 0;
    }
    return { ok: true };
  }

  /** write(2) at the end of an opened file: what fits goes in, the rest fails with ENOSPC. */
  append(resolved: string, text: string): FileWriteResult {
    const file = this.files.get(resolved);
    if (file === undefined) return { ok: false, errno: 'EBADF', written: 0 };
    const length = utf8Length(text);
    const room = Math.max(0, (this.capacityPages - this.usedPages + pages(file.bytes)) * PAGE_SIZE - file.bytes);
    const piece = length <= room ? text : utf8Prefix(text, room);
    const written = length <= room ? length : utf8Length(piece);
    this.usedPages += pages(file.bytes + written) - pages(file.bytes);
    file.text += piece;
    file.bytes += written;
    return written === length ? { ok: true } : { ok: false, errno: 'ENOSPC', written };
  }

  /** A file's text; a kernel file's is made for the reader's time `now` (a program reading /etc files passes none). */
  read(resolved: string, now = 0): string | undefined {
    return this.kernelFiles.get(resolved)?.(now) ?? this.files.get(resolved)?.text;
  }

  has(resolved: string): boolean {
    return this.kernelFiles.has(resolved) || this.files.has(resolved);
  }

  /**
   * A kernel file under /proc whose text is made each time it is read (proc_create_net_single:
   * /proc/net/ip_vs by IPVS). It takes no room in the file system; registering a path twice is a bug.
   */
  provide(resolved: string, read: (now: Nanos) => string): void {
    if (FileStore.isWritable(resolved)) throw new Error(`${resolved}: kernel files live under /proc, /sys or /dev`);
    if (this.kernelFiles.has(resolved)) throw new Error(`${resolved} is provided twice`);
    this.kernelFiles.set(resolved, read);
  }
}

function pages(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE);
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The longest prefix of `text` (whole characters) of at most `limit` UTF-8 bytes. */
function utf8Prefix(text: string, limit: number): string {
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code < 0xdc00 ? 4 : 3;
    if (bytes + size > limit) break;
    bytes += size;
    end += size === 4 ? 2 : 1;
  }
  return text.slice(0, end);
}

/** The last `count` lines of `text` (coreutils `tail -n`): a final newline does not start a line. */
export function lastLines(text: string, count: number): string {
  if (count <= 0 || text === '') return '';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const lines = body.split('\n');
  return `${lines.slice(-count).join('\n')}${text.endsWith('\n') ? '\n' : ''}`;
}
