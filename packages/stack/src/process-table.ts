/**
 * The processes running on a node: programs started by the shell get a ProcessContext (argv,
 * output, exit, virtual-time timers, sockets) and end by calling exit(); Ctrl-C reaches them as an
 * interrupt (default: exit status 130, as a shell reports SIGINT).
 *
 * Covers: output routed to the command's CommandIo until exit, timers cancelled and sockets closed
 * at exit, exit reported exactly once. A program reports bad input as output and an exit status; an
 * exception from it or its timers is a bug and is not caught here. Standard input is the command's
 * (CommandIo.stdin), read whole. Each process has the open files limit the shell had when it
 * started it (`ulimit -n`, shell/ulimit-command.ts), which bounds its sockets (sockets/socket-list.ts). Leaves out: job control, signals other than SIGINT.
 */
import type { CommandHandle, CommandIo, Nanos } from './node-host.js';
import type { ArpSocket, Errno, Icmp6RawSocket, IcmpSocket, InterfaceAddress, Program, ProcessContext, TcpSocket, TimerHandle, UdpProbeError, UdpSocket, WriteResult } from './process.js';
import type { SocketOwner } from './sockets/socket-table.js';
import { RLIMIT_NOFILE } from './sockets/socket-list.js';
import type { TimerHeap } from './timers.js';

/** What a process can reach on its node; node.ts provides it. */
export interface ProcessServices {
  hostname: string;
  timers: TimerHeap;
  now(): Nanos;
  udpSocket(owner: SocketOwner, family: 4 | 6): UdpSocket | { errno: Errno };
  tcpSocket(owner: SocketOwner, family: 4 | 6): TcpSocket | { errno: Errno };
  icmpSocket(owner: SocketOwner, family: 4 | 6): IcmpSocket | { errno: Errno };
  icmp6RawSocket(owner: SocketOwner): Icmp6RawSocket | { errno: Errno };
  arp(owner: ProcessOwner, ifname: string): ArpSocket | { errno: Errno };
  closeSockets(owner: SocketOwner): void;
  resolve(name: string, family?: 4 | 6): string | null;
  hardwareAddress(ifname: string): string | null;
  ifindex(ifname: string): number;
  ifname(ifindex: number): string | null;
  routeSource(dst: string, ifname?: string): { source: string; ifname: string } | { errno: Errno };
  readFile(path: string): string | null;
  writeFile(path: string, text: string, append: boolean): WriteResult;
  interfaceAddresses(): InterfaceAddress[];
}

/** A process as the socket layer sees it, plus cleanup hooks for ARP sockets. */
export interface ProcessOwner extends SocketOwner {
  readonly pid: number;
  /** The program's name (argv[0] without its directory), as `ss -p` and `netstat -p` print it. */
  readonly name: string;
  /**
   * The descriptor number of one of its sockets, as `ss -p` prints `fd=3`: given out on first use,
   * from 3 up (0–2 are the standard streams), never reused — the model keeps no descriptor table.
   */
  descriptor(socket: object): number;
  addCleanup(cleanup: () => void): void;
}

const WRITTEN: WriteResult = { ok: true };

class RunningProcess implements ProcessOwner {
  onUdpProbeError?: (error: UdpProbeError) => void;
  private exited = false;
  private interruptHandler: (() => void) | null = null;
  private readonly timers = new Set<TimerHandle>();
  private readonly cleanups: (() => void)[] = [];
  private readonly descriptors = new Map<object, number>();

  constructor(
    readonly pid: number,
    readonly name: string,
    /** RLIMIT_NOFILE, the shell's when it started the process (`ulimit -n`). */
    readonly openFilesLimit: number,
    private readonly services: ProcessServices,
    private readonly io: CommandIo,
    private readonly onExit: (process: RunningProcess) => void,
  ) {}

  get hasExited(): boolean {
    return this.exited;
  }

  addCleanup(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  descriptor(socket: object): number {
    let fd = this.descriptors.get(socket);
    if (fd === undefined) this.descriptors.set(socket, (fd = 3 + this.descriptors.size));
    return fd;
  }

  context(argv: readonly string[]): ProcessContext {
    const services = this.services;
    return {
      argv,
      hostname: services.hostname,
      now: () => services.now(),
      stdout: (text) => {
        if (this.exited) return { ok: false, errno: 'EBADF' };
        const errno = this.io.stdout(text);
        return errno === undefined ? WRITTEN : { ok: false, errno };
      },
      stderr: (text) => {
        if (!this.exited) this.io.stderr(text);
      },
      exit: (status) => this.exit(status),
      setTimer: (delay, callback) => this.setTimer(delay, callback),
      onInterrupt: (handler) => {
        this.interruptHandler = handler;
      },
      udpSocket: (family) => (this.exited ? { errno: 'EBADF' } : services.udpSocket(this, family)),
      icmpSocket: (family) => (this.exited ? { errno: 'EBADF' } : services.icmpSocket(this, family)),
      tcpSocket: (family) => (this.exited ? { errno: 'EBADF' } : services.tcpSocket(this, family)),
      icmp6RawSocket: () => (this.exited ? { errno: 'EBADF' } : services.icmp6RawSocket(this)),
      onUdpProbeError: (handler) => {
        this.onUdpProbeError = handler;
      },
      arp: (ifname) => (this.exited ? { errno: 'EBADF' } : services.arp(this, ifname)),
      resolve: (name, family) => services.resolve(name, family),
      hardwareAddress: (ifname) => services.hardwareAddress(ifname),
      ifindex: (ifname) => services.ifindex(ifname),
      ifname: (ifindex) => services.ifname(ifindex),
      routeSource: (dst, ifname) => services.routeSource(dst, ifname),
      readFile: (path) => services.readFile(path),
      writeFile: (path, text, append = false) => (this.exited ? { ok: false, errno: 'EBADF' } : services.writeFile(path, text, append)),
      interfaceAddresses: () => services.interfaceAddresses(),
      stdin: () => (this.exited ? null : this.io.stdin?.() ?? null),
    };
  }

  interrupt(): void {
    if (this.exited) return;
    if (this.interruptHandler !== null) this.interruptHandler();
    else this.exit(130);
  }

  exit(status: number): void {
    if (this.exited) return;
    this.exited = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.services.closeSockets(this);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.onExit(this);
    this.io.exit(status);
  }

  private setTimer(delay: Nanos, callback: () => void): TimerHandle {
    if (this.exited) return { cancel: () => {} };
    const at = this.services.now() + Math.max(0, Math.floor(delay));
    const handle = this.services.timers.schedule(at, () => {
      this.timers.delete(handle);
      if (!this.exited) callback();
    });
    this.timers.add(handle);
    return {
      cancel: () => {
        handle.cancel();
        this.timers.delete(handle);
      },
    };
  }

}

export class ProcessTable {
  private nextPid = 100;
  private readonly running = new Map<number, RunningProcess>();
  /** The RLIMIT_NOFILE the processes started from now on get (the shell's `ulimit -n`). */
  openFilesLimit = RLIMIT_NOFILE;

  constructor(private readonly services: ProcessServices) {}

  /** Start `program` with `argv`; returns the handle the shell gives back for Ctrl-C. */
  start(program: Program, argv: readonly string[], io: CommandIo): CommandHandle {
    const process = new RunningProcess(this.nextPid++, (argv[0] ?? '').split('/').pop() ?? '', this.openFilesLimit, this.services, io, (p) => this.running.delete(p.pid));
    this.running.set(process.pid, process);
    // A program that throws has a bug: the exception leaves the node (the runtime ends the run naming it).
    program(process.context(argv));
    return { interrupt: () => process.interrupt() };
  }

  /** Number of processes that have not exited. */
  get count(): number {
    return this.running.size;
  }
}
