/**
 * The node shell: splits a command line with shell quoting, runs a builtin (`ip`, `route`,
 * `netstat`, `ss`, `ifconfig`, `sysctl`, `hostname`, `echo` with `> /proc/sys/…`, `cat /proc/sys/…`,
 * `true`, `false`) or a command registered by another part of the node (programs, `arping`, `ip
 * neigh`), and reports output and the exit status through CommandIo. Unknown commands get bash's
 * `CMD: command not found` and status 127. Bad input is the command's own error text and
 * status; an exception is a bug and leaves `exec` (the runtime ends the run naming the node). Output redirection into the node's files (`> FILE`, `>> FILE`),
 * `cat`/`tail` of them, and background jobs (`CMD &`, `jobs`, `kill %N`) let a topology keep a
 * program running and look at what it printed. Input redirection (`< FILE`, `<> FILE`, `<<< WORD`)
 * gives a command standard input (CommandIo.stdin: `ipvsadm -R < rules`, `cat`, `tail`); without
 * one a command reads end of file at once (the node shell has no terminal). Redirections are opened
 * left to right as bash does, the first failure (`bash: FILE: No such file or directory`) ending the
 * line with status 1. Leaves out pipes — a real pipe runs both commands at once with a bounded
 * buffer between them, and a program here may run for virtual seconds, so `A | B` is not given the
 * look of working — and `;`, `&&`, file descriptor numbers (`2>`), variables and globbing.
 */
import type { Kernel } from '../kernel.js';
import type { CommandHandle, CommandIo, Nanos } from '../node-host.js';
import { runIp, type IpObjectRunner } from './ip-command.js';
import type { IpGlobalOptions } from './ip-options.js';
import { runNetstat, runRoute, runIfconfig } from './net-tools.js';
import { runSysctl } from './sysctl-command.js';
import { formatProcValue } from '../sysctl/proc-handlers.js';
import { tokenize, type Redirection } from './tokenize.js';
import { errnoMessage } from '../process.js';
import { FileStore, lastLines } from './file-store.js';
import { JobTable, runKill } from './jobs.js';
import { runHostname } from './hostname-command.js';
import { runSs } from './ss-command.js';
import type { SocketListing } from '../tcp/socket-info.js';

/**
 * A command the shell can run. Synchronous handlers call `io.exit` before returning (and may return
 * nothing); long-running ones return a handle whose `interrupt` is Ctrl-C.
 */
export type ShellHandler = (argv: string[], now: Nanos, io: CommandIo) => CommandHandle | void;

/** An `ip` object registered from outside: the global options as `ip` parsed them, and the words after the object. */
export type IpObjectHandler = (options: IpGlobalOptions, args: string[], now: Nanos, io: CommandIo) => CommandHandle | void;

const NO_HANDLE: CommandHandle = { interrupt: () => {} };

export interface ShellOptions {
  /** Name for an address in `route`/`netstat` output without -n (node names of the topology). */
  resolveAddress?: (address: number) => string | null;
  /** The node's TCP and UDP sockets, for `ss` and `netstat -t/-u` (none when left out). */
  sockets?: SocketListing;
}

const NO_SOCKETS: SocketListing = { tcp: () => [], udp: () => [] };

export class Shell {
  private readonly commands = new Map<string, ShellHandler>();
  private readonly ipObjects = new Map<string, IpObjectHandler>();
  /** Files written by redirections, read by `cat` and `tail`. */
  readonly files = new FileStore();
  readonly jobs = new JobTable();
  resolveAddress: (address: number) => string | null;
  private readonly sockets: SocketListing;

  constructor(
    private readonly kernel: Kernel,
    options: ShellOptions = {},
  ) {
    this.resolveAddress = options.resolveAddress ?? (() => null);
    this.sockets = options.sockets ?? NO_SOCKETS;
  }

  /** Add (or replace) a command. */
  register(name: string, handler: ShellHandler): void {
    this.commands.set(name, handler);
  }

  /**
   * Add an `ip` object (`neigh`, …). The handler receives the global options parsed once by `ip`
   * (ip-options.ts) and the words after the object (`ip -4 n show` → family 4, `['show']`).
   * `neighbour` and `neighbor` are aliases.
   */
  registerIpObject(object: string, handler: IpObjectHandler): void {
    this.ipObjects.set(object, handler);
  }

  /** Run one command line. `io.exit` is called exactly once (possibly before this returns). */
  exec(line: string, now: Nanos, io: CommandIo): CommandHandle {
    let exited = false;
    const guarded: CommandIo = {
      stdout: (text) => (!exited && text ? io.stdout(text) : undefined),
      stderr: (text) => {
        if (!exited && text) io.stderr(text);
      },
      exit: (status) => {
        if (exited) return;
        exited = true;
        io.exit(status);
      },
      stdin: () => io.stdin?.() ?? null,
    };
    const background = backgroundCommand(line);
    if (background !== null) {
      const discard = (): void => {};
      this.jobs.start(background, (exit) => this.run(background, now, { stdout: discard, stderr: discard, exit }));
      guarded.exit(0);
      return NO_HANDLE;
    }
    return this.run(line, now, guarded);
  }

  private run(line: string, now: Nanos, io: CommandIo): CommandHandle {
    const tokenized = tokenize(line);
    if (!tokenized.ok) {
      io.stderr(`bash: ${tokenized.error}\n`);
      io.exit(2);
      return NO_HANDLE;
    }
    const { words, redirections } = tokenized.line;
    if (redirections.length > 0) return this.runRedirected(words, redirections, now, io);
    return this.runCommand(words, now, io);
  }

  private runCommand(words: string[], now: Nanos, io: CommandIo): CommandHandle {
    if (words.length === 0) {
      io.exit(0);
      return NO_HANDLE;
    }
    const name = words[0]!;
    switch (name) {
      case 'ip': {
        let handle: CommandHandle = NO_HANDLE;
        const result = runIp(this.kernel, words, now, (object) => this.ipObjectRunner(object, now, io, (h) => (handle = h)));
        if (result === 'delegated') return handle;
        return finish(io, result);
      }
      case 'sysctl':
        return finish(io, runSysctl(this.kernel, words));
      case 'route':
        return finish(io, runRoute(this.kernel, words, now, this.resolveAddress));
      case 'netstat':
        return finish(io, runNetstat(this.kernel, words, now, this.resolveAddress, this.sockets));
      case 'ss':
        return finish(io, runSs(words, this.sockets));
      case 'ifconfig':
        return finish(io, runIfconfig(this.kernel, words));
      case 'hostname':
        return finish(io, runHostname(this.kernel, words));
      case 'echo':
        io.stdout(`${echoText(words)}\n`);
        io.exit(0);
        return NO_HANDLE;
      case 'cat':
        return finish(io, this.cat(words, now, io));
      case 'tail':
        return finish(io, this.tail(words, now, io));
      case 'jobs':
        io.stdout(this.jobs.list());
        io.exit(0);
        return NO_HANDLE;
      case 'kill':
        return finish(io, runKill(this.jobs, words));
      case 'true':
      case ':':
        io.exit(0);
        return NO_HANDLE;
      case 'false':
        io.exit(1);
        return NO_HANDLE;
      default: {
        const handler = this.commands.get(name);
        if (!handler) {
          io.stderr(`${name}: command not found\n`);
          io.exit(127);
          return NO_HANDLE;
        }
        return handler(words, now, io) ?? NO_HANDLE;
      }
    }
  }

  private ipObjectRunner(object: string, now: Nanos, io: CommandIo, setHandle: (h: CommandHandle) => void): IpObjectRunner | undefined {
    const handler = this.ipObjects.get(object) ?? (object.startsWith('neighb') ? this.ipObjects.get(object === 'neighbor' ? 'neighbour' : 'neighbor') ?? this.ipObjects.get('neigh') : undefined);
    if (!handler) return undefined;
    return (options, args) => {
      const handle = handler(options, args, now, io);
      if (handle) setHandle(handle);
    };
  }

  /**
   * A command with redirections, as bash's do_redirections: each is opened in the order written and
   * the first that fails ends the line with `bash: FILE: REASON` and status 1 before the command runs
   * (`cmd > out < missing` has made `out`, `cmd < missing > out` has not). The last input and the
   * last output are the command's. `echo` writes /proc/sys files and `>> /etc/iproute2/rt_tables`
   * itself; other commands write to the node's files or /dev/null.
   */
  private runRedirected(words: string[], redirections: readonly Redirection[], now: Nanos, io: CommandIo): CommandHandle {
    const isEcho = words[0] === 'echo';
    let input: (() => string) | null = null;
    let output: OutputTarget | null = null;
    for (const redirection of redirections) {
      const opened = this.openRedirection(redirection, isEcho, now, io);
      if (!opened.ok) {
        io.stderr(`bash: ${redirection.target}: ${opened.error}\n`);
        io.exit(1);
        return NO_HANDLE;
      }
      if ('read' in opened) input = opened.read;
      else output = opened.target;
    }
    const stdin = input === null ? () => io.stdin?.() ?? null : readOnce(input);
    if (output === null) return this.runCommand(words, now, { stdout: (t) => io.stdout(t), stderr: (t) => io.stderr(t), exit: (s) => io.exit(s), stdin });
    if (isEcho) return this.echoInto(output, echoText(words), io);
    const target = output;
    return this.runCommand(words, now, {
      stdout: (t) => {
        if (target.kind !== 'file') return undefined;
        const written = this.files.append(target.file, t);
        return written.ok ? undefined : written.errno;
      },
      stderr: (t) => io.stderr(t),
      exit: (s) => io.exit(s),
      stdin,
    });
  }

  private openRedirection(redirection: Redirection, isEcho: boolean, now: Nanos, io: CommandIo): { ok: true; target: OutputTarget } | { ok: true; read: () => string } | { ok: false; error: string } {
    const { operator, target } = redirection;
    if (target === '' && operator !== '<<<' && operator !== '<<') return { ok: false, error: 'No such file or directory' };
    return operator === '>' || operator === '>>' ? this.openOutput(redirection, isEcho) : this.openInput(redirection, now, io);
  }

  /**
   * open(2) of `> FILE` or `>> FILE` for a command: /dev/null, one of the node's files (created or
   * truncated now), or for `echo` a /proc/sys file (which must exist) or `>> /etc/iproute2/rt_tables`;
   * anything else is read-only.
   */
  private openOutput(redirection: Redirection, isEcho: boolean): { ok: true; target: OutputTarget } | { ok: false; error: string } {
    const path = redirection.target;
    const append = redirection.operator === '>>';
    if (path === '/dev/null') return { ok: true, target: { kind: 'discard' } };
    const file = FileStore.resolve(path);
    const isNodeFile = !path.startsWith('/proc/') && FileStore.isWritable(file) && !(isEcho && path === '/etc/iproute2/rt_tables');
    if (isNodeFile) {
      const opened = this.files.open(file, append);
      return opened.ok ? { ok: true, target: { kind: 'file', file } } : { ok: false, error: errnoMessage[opened.errno] };
    }
    if (isEcho && path.startsWith('/proc/sys/')) {
      const name = path.slice('/proc/sys/'.length).replace(/\//g, '.');
      if (this.kernel.sysctls.get(name) === undefined && name !== 'net.ipv4.route.flush') return { ok: false, error: 'No such file or directory' };
      return { ok: true, target: { kind: 'sysctl', name } };
    }
    if (isEcho && path === '/etc/iproute2/rt_tables' && append) return { ok: true, target: { kind: 'rt_tables' } };
    return { ok: false, error: 'Read-only file system' };
  }

  /**
   * open(2) of an input: `< FILE` must exist and be readable (its text is read when the command
   * reads it), `<> FILE` creates one of the node's files when missing; a here-string is its word and
   * a newline; a here-document has no lines to read on a one-line shell, as `bash -c 'cat <<EOF'`.
   */
  private openInput(redirection: Redirection, now: Nanos, io: CommandIo): { ok: true; read: () => string } | { ok: false; error: string } {
    const path = redirection.target;
    switch (redirection.operator) {
      case '<<<':
        return { ok: true, read: () => `${path}\n` };
      case '<<':
        io.stderr(`bash: warning: here-document at line 1 delimited by end-of-file (wanted \`${path}')\n`);
        return { ok: true, read: () => '' };
      case '<>': {
        const file = FileStore.resolve(path);
        if (!path.startsWith('/proc/') && FileStore.isWritable(file) && !this.files.has(file)) {
          const created = this.files.open(file, true);
          if (!created.ok) return { ok: false, error: errnoMessage[created.errno] };
        }
        break;
      }
    }
    const opened = this.readNodeFile(path, now);
    if (!opened.ok && opened.error !== 'Is a directory') return opened;
    // A directory opens; reading it fails (EISDIR), which ends the input.
    return {
      ok: true,
      read: () => {
        const read = this.readNodeFile(path, now);
        return read.ok ? read.text : '';
      },
    };
  }

  /** `echo TEXT` into what its `>`/`>>` opened. */
  private echoInto(target: OutputTarget, text: string, io: CommandIo): CommandHandle {
    let status = 0;
    if (target.kind === 'file') {
      const written = this.files.append(target.file, `${text}\n`);
      if (!written.ok) {
        io.stderr(`bash: echo: write error: ${errnoMessage[written.errno]}\n`);
        status = 1;
      }
    } else if (target.kind === 'sysctl') {
      if (this.kernel.sysctls.write(target.name, `${text}\n`) !== 'ok') {
        io.stderr(`bash: echo: write error: Invalid argument\n`);
        status = 1;
      }
    } else if (target.kind === 'rt_tables') {
      const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(text);
      if (m) this.kernel.tableNames.set(Number(m[1]), m[2]!);
    }
    io.exit(status);
    return NO_HANDLE;
  }

  /**
   * A file's text as open(2) and read(2) give it: /dev/null, the kernel's /proc/sys values,
   * /etc/iproute2/rt_tables and /etc/hostname, then the node's files (and kernel files such as
   * /proc/net/ip_vs, made for the reader's time `now`).
   */
  private readNodeFile(path: string, now: Nanos): { ok: true; text: string } | { ok: false; error: 'No such file or directory' | 'Permission denied' | 'Is a directory' } {
    if (path === '/dev/null') return { ok: true, text: '' };
    if (path.startsWith('/proc/sys/')) {
      const name = path.slice('/proc/sys/'.length).replace(/\//g, '.');
      if (name === 'net.ipv4.route.flush') return { ok: false, error: 'Permission denied' };
      const value = this.kernel.sysctls.get(name);
      if (value !== undefined) return { ok: true, text: `${formatProcValue(value)}\n` };
      if (this.kernel.sysctls.isDirectory(name)) return { ok: false, error: 'Is a directory' };
    } else if (path === '/etc/iproute2/rt_tables') {
      let text = '#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n#\n# local\n#\n#1\tinr.ruhep\n';
      for (const [id, name] of this.kernel.tableNames) if (![0, 253, 254, 255].includes(id)) text += `${id}\t${name}\n`;
      return { ok: true, text };
    } else if (path === '/etc/hostname') {
      return { ok: true, text: `${this.kernel.hostname}\n` };
    } else {
      const text = this.files.read(FileStore.resolve(path), now);
      if (text !== undefined) return { ok: true, text };
    }
    return { ok: false, error: 'No such file or directory' };
  }

  /** coreutils `cat [FILE…]`; no FILE or `-` is standard input. */
  private cat(words: string[], now: Nanos, io: CommandIo): { stdout: string; stderr: string; status: number } {
    let stdout = '';
    let stderr = '';
    let status = 0;
    const paths = words.length > 1 ? words.slice(1) : ['-'];
    for (const path of paths) {
      if (path === '-') {
        stdout += io.stdin?.() ?? '';
        continue;
      }
      const read = this.readNodeFile(path, now);
      if (read.ok) stdout += read.text;
      else {
        stderr += `cat: ${path}: ${read.error}\n`;
        status = 1;
      }
    }
    return { stdout, stderr, status };
  }

  /** coreutils `tail [-n N] [FILE…]` over the node's files (default 10 lines; `-N` and `-nN` forms); no FILE or `-` is standard input. */
  private tail(words: string[], now: Nanos, io: CommandIo): { stdout: string; stderr: string; status: number } {
    let count = 10;
    const paths: string[] = [];
    for (let i = 1; i < words.length; i++) {
      const word = words[i]!;
      const attached = /^-n?(\d+)$/.exec(word);
      if (attached) count = Number(attached[1]);
      else if (word === '-n') {
        const value = words[++i];
        if (value === undefined || !/^\d+$/.test(value)) {
          return { stdout: '', stderr: `tail: invalid number of lines: '${value ?? ''}'\n`, status: 1 };
        }
        count = Number(value);
      } else paths.push(word);
    }
    if (paths.length === 0) paths.push('-');
    let stdout = '';
    let stderr = '';
    let status = 0;
    for (const path of paths) {
      const text = path === '-' ? io.stdin?.() ?? '' : this.files.read(FileStore.resolve(path), now);
      if (text === undefined) {
        stderr += `tail: cannot open '${path}' for reading: No such file or directory\n`;
        status = 1;
        continue;
      }
      if (paths.length > 1) stdout += `${stdout ? '\n' : ''}==> ${path === '-' ? 'standard input' : path} <==\n`;
      stdout += lastLines(text, count);
    }
    return { stdout, stderr, status };
  }
}

/** A builtin's collected output and status, written to `io`. */
function finish(io: CommandIo, out: { stdout: string; stderr: string; status: number }): CommandHandle {
  io.stdout(out.stdout);
  io.stderr(out.stderr);
  io.exit(out.status);
  return NO_HANDLE;
}

/** Where a command's `>`/`>>` sends its output. */
type OutputTarget = { kind: 'discard' } | { kind: 'file'; file: string } | { kind: 'sysctl'; name: string } | { kind: 'rt_tables' };

/** `CMD &` → CMD (an unquoted, unescaped trailing ampersand), else null. */
function backgroundCommand(line: string): string | null {
  const trimmed = line.trimEnd();
  if (!trimmed.endsWith('&') || trimmed.endsWith('\\&') || trimmed.endsWith('&&')) return null;
  const body = trimmed.slice(0, -1);
  let single = false;
  let double = false;
  for (const c of body) {
    if (c === "'" && !double) single = !single;
    else if (c === '"' && !single) double = !double;
  }
  return single || double || body.trim() === '' ? null : body.trimEnd();
}

/** Standard input over `read`: its text the first time, then end of file (''). */
function readOnce(read: () => string): () => string {
  let consumed = false;
  return () => {
    if (consumed) return '';
    consumed = true;
    return read();
  };
}

function echoText(words: string[]): string {
  let args = words.slice(1);
  if (args[0] === '-n') args = args.slice(1);
  return args.join(' ');
}
