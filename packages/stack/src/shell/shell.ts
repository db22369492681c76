/**
 * The node shell: splits a command line with shell quoting, runs a builtin (`ip`, `route`,
 * `netstat`, `ss`, `ifconfig`, `sysctl`, `hostname`, `echo` with `> /proc/sys/…`, `cat /proc/sys/…`,
 * `true`, `false`) or a command registered by another part of the node (programs, `arping`, `ip
 * neigh`), and reports output and the exit status through CommandIo. Unknown commands get bash's
 * `CMD: command not found` and status 127. Bad input is the command's own error text and
 * status; an exception is a bug and leaves `exec` (the runtime ends the run naming the node). Output redirection into the node's files (`> FILE`, `>> FILE`),
 * `cat`/`tail` of them, and background jobs (`CMD &`, `jobs`, `kill %N`) let a topology keep a
 * program running and look at what it printed. Leaves out pipes, `;`, `&&`, variables and globbing.
 */
import type { Kernel } from '../kernel.js';
import type { CommandHandle, CommandIo, Nanos } from '../node-host.js';
import { runIp, type IpObjectRunner } from './ip-command.js';
import type { IpGlobalOptions } from './ip-options.js';
import { runNetstat, runRoute, runIfconfig } from './net-tools.js';
import { runSysctl } from './sysctl-command.js';
import { formatProcValue } from '../sysctl/proc-handlers.js';
import { tokenize } from './tokenize.js';
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
    const { words, redirect } = tokenized.line;
    if (words.length === 0) {
      io.exit(0);
      return NO_HANDLE;
    }
    const name = words[0]!;
    if (redirect) return this.runRedirected(words, redirect, now, io);
    const finish = (out: { stdout: string; stderr: string; status: number }): CommandHandle => {
      io.stdout(out.stdout);
      io.stderr(out.stderr);
      io.exit(out.status);
      return NO_HANDLE;
    };
    switch (name) {
      case 'ip': {
        let handle: CommandHandle = NO_HANDLE;
        const result = runIp(this.kernel, words, now, (object) => this.ipObjectRunner(object, now, io, (h) => (handle = h)));
        if (result === 'delegated') return handle;
        return finish(result);
      }
      case 'sysctl':
        return finish(runSysctl(this.kernel, words));
      case 'route':
        return finish(runRoute(this.kernel, words, now, this.resolveAddress));
      case 'netstat':
        return finish(runNetstat(this.kernel, words, now, this.resolveAddress, this.sockets));
      case 'ss':
        return finish(runSs(words, this.sockets));
      case 'ifconfig':
        return finish(runIfconfig(this.kernel, words));
      case 'hostname':
        return finish(runHostname(this.kernel, words));
      case 'echo':
        io.stdout(`${echoText(words)}\n`);
        io.exit(0);
        return NO_HANDLE;
      case 'cat':
        return finish(this.cat(words, now));
      case 'tail':
        return finish(this.tail(words, now));
      case 'jobs':
        io.stdout(this.jobs.list());
        io.exit(0);
        return NO_HANDLE;
      case 'kill':
        return finish(runKill(this.jobs, words));
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

  /** `echo VALUE > /proc/sys/…` (and `>> /etc/iproute2/rt_tables`, `> /dev/null`). */
  private runRedirected(words: string[], redirect: { path: string; append: boolean }, now: Nanos, io: CommandIo): CommandHandle {
    const path = redirect.path;
    const file = FileStore.resolve(path);
    const isNodeFile = path !== '/dev/null' && !path.startsWith('/proc/') && FileStore.isWritable(file);
    if (words[0] !== 'echo') {
      // Run the command with its output written to the target: /dev/null or one of the node's files.
      if (path !== '/dev/null' && !isNodeFile) {
        io.stderr(`bash: ${path}: Read-only file system\n`);
        io.exit(1);
        return NO_HANDLE;
      }
      const opened = isNodeFile ? this.files.open(file, redirect.append) : { ok: true as const };
      if (!opened.ok) {
        io.stderr(`bash: ${path}: ${errnoMessage[opened.errno]}\n`);
        io.exit(1);
        return NO_HANDLE;
      }
      const toFile: CommandIo = {
        stdout: (t) => {
          if (!isNodeFile) return undefined;
          const written = this.files.append(file, t);
          return written.ok ? undefined : written.errno;
        },
        stderr: (t) => io.stderr(t),
        exit: (s) => io.exit(s),
      };
      return this.run(words.map(quoteWord).join(' '), now, toFile);
    }
    const text = echoText(words);
    if (path === '/dev/null') {
      io.exit(0);
      return NO_HANDLE;
    }
    if (isNodeFile && path !== '/etc/iproute2/rt_tables') {
      const opened = this.files.open(file, redirect.append);
      const written = opened.ok ? this.files.append(file, `${text}\n`) : opened;
      if (!opened.ok) io.stderr(`bash: ${path}: ${errnoMessage[opened.errno]}\n`);
      else if (!written.ok) io.stderr(`bash: echo: write error: ${errnoMessage[written.errno]}\n`);
      io.exit(written.ok ? 0 : 1);
      return NO_HANDLE;
    }
    if (path.startsWith('/proc/sys/')) {
      const name = path.slice('/proc/sys/'.length).replace(/\//g, '.');
      const tree = this.kernel.sysctls;
      if (tree.get(name) === undefined && name !== 'net.ipv4.route.flush') {
        io.stderr(`bash: ${path}: No such file or directory\n`);
        io.exit(1);
        return NO_HANDLE;
      }
      const result = tree.write(name, `${text}\n`);
      if (result !== 'ok') {
        io.stderr(`bash: echo: write error: Invalid argument\n`);
        io.exit(1);
        return NO_HANDLE;
      }
      io.exit(0);
      return NO_HANDLE;
    }
    if (path === '/etc/iproute2/rt_tables' && redirect.append) {
      const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(text);
      if (m) this.kernel.tableNames.set(Number(m[1]), m[2]!);
      io.exit(0);
      return NO_HANDLE;
    }
    io.stderr(`bash: ${path}: Read-only file system\n`);
    io.exit(1);
    return NO_HANDLE;
  }

  private cat(words: string[], now: Nanos): { stdout: string; stderr: string; status: number } {
    let stdout = '';
    let stderr = '';
    let status = 0;
    for (const path of words.slice(1)) {
      if (path.startsWith('/proc/sys/')) {
        const name = path.slice('/proc/sys/'.length).replace(/\//g, '.');
        if (name === 'net.ipv4.route.flush') {
          stderr += `cat: ${path}: Permission denied\n`;
          status = 1;
          continue;
        }
        const value = this.kernel.sysctls.get(name);
        if (value !== undefined) {
          stdout += `${formatProcValue(value)}\n`;
          continue;
        }
        if (this.kernel.sysctls.isDirectory(name)) {
          stderr += `cat: ${path}: Is a directory\n`;
          status = 1;
          continue;
        }
      } else if (path === '/etc/iproute2/rt_tables') {
        stdout += '#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n#\n# local\n#\n#1\tinr.ruhep\n';
        for (const [id, name] of this.kernel.tableNames) if (![0, 253, 254, 255].includes(id)) stdout += `${id}\t${name}\n`;
        continue;
      } else if (path === '/etc/hostname') {
        stdout += `${this.kernel.hostname}\n`;
        continue;
      } else if (this.files.has(FileStore.resolve(path))) {
        stdout += this.files.read(FileStore.resolve(path), now);
        continue;
      }
      stderr += `cat: ${path}: No such file or directory\n`;
      status = 1;
    }
    return { stdout, stderr, status };
  }

  /** coreutils `tail [-n N] [FILE…]` over the node's files (default 10 lines; `-N` and `-nN` forms). */
  private tail(words: string[], now: Nanos): { stdout: string; stderr: string; status: number } {
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
    let stdout = '';
    let stderr = '';
    let status = 0;
    for (const path of paths) {
      const text = this.files.read(FileStore.resolve(path), now);
      if (text === undefined) {
        stderr += `tail: cannot open '${path}' for reading: No such file or directory\n`;
        status = 1;
        continue;
      }
      if (paths.length > 1) stdout += `${stdout ? '\n' : ''}==> ${path} <==\n`;
      stdout += lastLines(text, count);
    }
    return { stdout, stderr, status };
  }
}

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

function echoText(words: string[]): string {
  let args = words.slice(1);
  if (args[0] === '-n') args = args.slice(1);
  return args.join(' ');
}

function quoteWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
