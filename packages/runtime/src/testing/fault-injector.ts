/**
 * A fault injector for the node-failure tests: wraps any node (the fake node, or the real stack
 * node) without the node knowing, and adds one command, `fault KIND`, that makes the node fail the
 * way a bug in its code would:
 *
 *   throw               throws out of exec
 *   throw-in-timer [MS] throws from a real setTimeout callback (0 ms, or MS), after exec returned
 *   throw-in-immediate  throws from a setImmediate callback
 *   throw-in-microtask  throws from a queueMicrotask callback (Node keeps no async context for it)
 *   reject              leaves a rejected promise nobody handles
 *   busy                loops forever inside exec
 *   deadline stuck      its next deadline stays at the time of the command, whatever runTimers does
 *   deadline stuck N    the same until runTimers has run N times, then the node's own deadline again
 *   deadline past       its next deadline stays 1 ns before the time of the command
 *   deadline nan        its next deadline is NaN
 *   deadline negative   its next deadline is -1
 *   transmit-later      puts a frame on its first port from a setImmediate callback
 *
 * The asynchronous faults and the deadline faults exit 0 first, so whatever checks the command's
 * result sees success: only the runtime's fault detection can tell. Every other command goes to the
 * wrapped node.
 */
import type { CommandHandle, CommandIo, NodeCounters, NodeEnvironment, NodeHost } from '@netloom/stack/node-host';

const USAGE = 'usage: fault throw|throw-in-timer [MS]|throw-in-immediate|throw-in-microtask|reject|busy|transmit-later|deadline stuck [N]|past|nan|negative\n';

class FaultyNode implements NodeHost {
  readonly name: string;
  /** Replaces the node's own next deadline once a deadline fault is injected. */
  private deadline: number | null = null;
  /** runTimers calls left before `deadline` is dropped (Infinity: never). */
  private stuckRunsLeft = Infinity;
  private readonly ports: string[] = [];

  constructor(
    private readonly inner: NodeHost,
    private readonly env: NodeEnvironment,
  ) {
    this.name = inner.name;
  }

  addEthernet(ifname: string, mac: Uint8Array, mtu: number): void {
    this.ports.push(ifname);
    this.inner.addEthernet(ifname, mac, mtu);
  }

  setCarrier(ifname: string, carrier: boolean, now: number): void {
    this.inner.setCarrier(ifname, carrier, now);
  }

  receive(ifname: string, frame: Uint8Array, now: number): void {
    this.inner.receive(ifname, frame, now);
  }

  nextDeadline(): number {
    return this.deadline ?? this.inner.nextDeadline();
  }

  runTimers(now: number): void {
    this.inner.runTimers(now);
    if (--this.stuckRunsLeft <= 0) this.deadline = null;
  }

  exec(line: string, now: number, io: CommandIo): CommandHandle {
    const argv = line.trim().split(/\s+/);
    if (argv[0] !== 'fault') return this.inner.exec(line, now, io);
    const what = `fault from ${this.name}`;
    if (argv[1] === 'throw-in-timer' && argv[2] !== undefined) {
      setTimeout(() => {
        throw new Error(`${what}: thrown in a timer after ${argv[2]} ms`);
      }, Number(argv[2]));
      io.exit(0);
      return { interrupt: () => undefined };
    }
    if (argv[1] === 'deadline' && argv[2] === 'stuck' && argv[3] !== undefined) {
      this.deadline = now;
      this.stuckRunsLeft = Number(argv[3]);
      io.exit(0);
      return { interrupt: () => undefined };
    }
    switch (argv.slice(1).join(' ')) {
      case 'throw':
        throw new Error(`${what}: thrown out of exec`);
      case 'throw-in-timer':
        setTimeout(() => {
          throw new Error(`${what}: thrown in a timer`);
        }, 0);
        break;
      case 'throw-in-immediate':
        setImmediate(() => {
          throw new Error(`${what}: thrown in an immediate`);
        });
        break;
      case 'throw-in-microtask':
        queueMicrotask(() => {
          throw new Error(`${what}: thrown in a microtask`);
        });
        break;
      case 'reject':
        void Promise.reject(new Error(`${what}: a rejected promise`));
        break;
      case 'busy':
        for (;;);
      case 'transmit-later': {
        const ifname = this.ports[0];
        if (ifname !== undefined) setImmediate(() => this.env.transmit(ifname, new Uint8Array(60).fill(0xff)));
        break;
      }
      case 'deadline stuck':
        this.deadline = now;
        break;
      case 'deadline past':
        this.deadline = now - 1;
        break;
      case 'deadline nan':
        this.deadline = Number.NaN;
        break;
      case 'deadline negative':
        this.deadline = -1;
        break;
      default:
        io.stderr(USAGE);
        io.exit(2);
        return { interrupt: () => undefined };
    }
    io.exit(0);
    return { interrupt: () => undefined };
  }

  counters(): NodeCounters {
    return this.inner.counters();
  }

  interfaceNames(): string[] {
    return this.inner.interfaceNames();
  }

  addresses(): ReturnType<NodeHost['addresses']> {
    return this.inner.addresses();
  }
}

/** `host` with the `fault` command added; `env` is the environment the host was built with. */
export function withFaults(host: NodeHost, env: NodeEnvironment): NodeHost {
  return new FaultyNode(host, env);
}
