/**
 * A small deterministic stand-in for a stack node, for the runtime's own tests (scheduling, links,
 * LANs, placement, failures) independent of @netloom/stack.
 *
 * Frames are Ethernet with EtherType 0x88b5 (IEEE local experimental): [type, hops, seq(4)] then
 * padding. A `router` floods a received probe out of its other ports after 5 µs (hops + 1, dropped
 * with ttlExpired from 2 hops on); a `host` answers a request with a unicast reply to its sender after 5 µs.
 * Commands: `send IF COUNT SIZE INTERVAL_NS [DST_MAC]`, `echo …`, `sleep NS`, `work COUNT SPINS`, `work-for MS CHUNK_MS`, `crash`,
 * `exit-thread`, `thread` (prints the worker thread id), `sysctl …` (accepted silently), `stats`,
 * and the injected faults of fault-injector.ts (`fault busy`, `fault reject`, …).
 */
import { threadId } from 'node:worker_threads';
import type { NodePlacement } from '@netloom/ipc';
import type { CommandIo, NodeConfig, NodeEnvironment, NodeHost, StackEvent } from '@netloom/stack/node-host';
import { withFaults } from './fault-injector.js';

const ETHERTYPE = 0x88b5;
const REQUEST = 1;
const REPLY = 2;
const PROCESSING_NS = 5_000;

interface Timer {
  at: number;
  seq: number;
  run: (now: number) => void;
}

export function createFakeNode(node: NodePlacement, config: NodeConfig, env: NodeEnvironment): NodeHost {
  return withFaults(new FakeNode(node, config, env), env);
}

function macText(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

class FakeNode implements NodeHost {
  readonly name: string;
  private readonly ports = new Map<string, { mac: Uint8Array; carrier: boolean }>();
  private timers: Timer[] = [];
  private timerSeq = 0;
  private framesIn = 0;
  private framesOut = 0;
  private drops = 0;

  constructor(
    private readonly placement: NodePlacement,
    private readonly config: NodeConfig,
    private readonly env: NodeEnvironment,
  ) {
    this.name = config.name;
    if (config.name.startsWith('crash-at-boot')) throw new Error(`boot failure in ${config.name}`);
  }

  addEthernet(ifname: string, mac: Uint8Array): void {
    this.ports.set(ifname, { mac, carrier: false });
  }

  setCarrier(ifname: string, carrier: boolean): void {
    const port = this.ports.get(ifname);
    if (port !== undefined) port.carrier = carrier;
  }

  private later(at: number, run: (now: number) => void): void {
    this.timers.push({ at, seq: this.timerSeq++, run });
  }

  nextDeadline(): number {
    let next = Infinity;
    for (const timer of this.timers) if (timer.at < next) next = timer.at;
    return next;
  }

  runTimers(now: number): void {
    for (;;) {
      let best: Timer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= now && (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq))) best = timer;
      }
      if (best === undefined) return;
      this.timers = this.timers.filter((t) => t !== best);
      best.run(now);
    }
  }

  private send(ifname: string, frame: Uint8Array): void {
    const port = this.ports.get(ifname);
    if (port === undefined || !port.carrier) {
      this.drops++;
      this.event({ type: 'drop', ifname, reason: 'interfaceDown', frame });
      return;
    }
    this.framesOut++;
    // The frame is the runtime's now (NodeEnvironment.transmit): never written into again.
    this.env.transmit(ifname, frame);
  }

  private event(event: StackEvent): void {
    this.env.event(event);
  }

  receive(ifname: string, frame: Uint8Array, now: number): void {
    this.framesIn++;
    const port = this.ports.get(ifname)!;
    const type = frame.length >= 20 ? (frame[12]! << 8) | frame[13]! : 0;
    const isBroadcast = frame[0] === 0xff;
    const isOurs = isBroadcast || frame.subarray(0, 6).every((b, i) => b === port.mac[i]);
    if (type !== ETHERTYPE || !isOurs) {
      this.drops++;
      this.event({ type: 'drop', ifname, reason: type !== ETHERTYPE ? 'malformed' : 'notForUs', frame });
      return;
    }
    const kind = frame[14]!;
    const hops = frame[15]!;
    if (this.placement.kind === 'router') {
      if (hops >= 2) {
        this.drops++;
        this.event({ type: 'drop', ifname, reason: 'ttlExpired', frame });
        return;
      }
      const copy = frame.slice();
      this.later(now + PROCESSING_NS, () => {
        for (const [out, outPort] of this.ports) {
          if (out === ifname) continue;
          const forwarded = copy.slice();
          forwarded.set(outPort.mac, 6);
          forwarded[15] = hops + 1;
          this.event({ type: 'forward', inIf: ifname, outIf: out, frame: forwarded });
          this.send(out, forwarded);
        }
      });
      return;
    }
    this.event({ type: 'deliver', ifname, protocol: kind === REQUEST ? 'request' : 'reply', frame });
    if (kind === REQUEST) {
      const reply = frame.slice();
      reply.set(frame.subarray(6, 12), 0);
      reply.set(port.mac, 6);
      reply[14] = REPLY;
      this.later(now + PROCESSING_NS, () => this.send(ifname, reply));
    }
  }

  exec(line: string, now: number, io: CommandIo): { interrupt(): void } {
    const argv = line.trim().split(/\s+/);
    let interrupt = (): void => {
      io.stdout('^C\n');
      io.exit(130);
    };
    switch (argv[0]) {
      case 'echo':
        io.stdout(`${argv.slice(1).join(' ')}\n`);
        io.exit(0);
        break;
      case 'sysctl':
        io.exit(0);
        break;
      case 'stats':
        io.stdout(`${this.name} in ${this.framesIn} out ${this.framesOut} drops ${this.drops} t ${now}\n`);
        io.exit(0);
        break;
      case 'thread':
        io.stdout(`${threadId}\n`);
        io.exit(0);
        break;
      case 'crash':
        throw new Error(`boom from ${this.name}`);
      case 'exit-thread':
        process.exit(7);
        break;
      case 'work': {
        // `work COUNT SPINS`: COUNT timers 1 ns apart, each spinning SPINS times: long windows of short calls.
        const count = Number(argv[1] ?? 1);
        const spins = Number(argv[2] ?? 0);
        let done = 0;
        let sum = 0;
        for (let i = 1; i <= count; i++) {
          this.later(now + i, () => {
            for (let j = 0; j < spins; j++) sum = Math.imul(sum + j, 31) | 0;
            if (++done === count) {
              io.stdout(`worked ${count} times (${sum & 1})\n`);
              io.exit(0);
            }
          });
        }
        break;
      }
      case 'work-for': {
        // `work-for MS CHUNK_MS`: timers 1 ns apart, each spinning CHUNK_MS of real time, until MS of real time
        // has passed: a window that lasts at least MS however fast the machine, made of short calls.
        const total = Number(argv[1] ?? 0);
        const chunk = Number(argv[2] ?? 1);
        const started = performance.now();
        let calls = 0;
        const step = (t: number): void => {
          const until = performance.now() + chunk;
          while (performance.now() < until) {
            // spin: a call of CHUNK_MS
          }
          calls++;
          if (performance.now() - started >= total) {
            io.stdout(`worked ${calls} calls\n`);
            io.exit(0);
          } else {
            this.later(t + 1, step);
          }
        };
        this.later(now + 1, step);
        break;
      }
      case 'sleep': {
        let done = false;
        this.later(now + Number(argv[1] ?? 0), (t) => {
          if (done) return;
          done = true;
          io.stdout(`slept until ${t}\n`);
          io.exit(0);
        });
        interrupt = (): void => {
          if (done) return;
          done = true;
          io.stdout('interrupted\n');
          io.exit(130);
        };
        break;
      }
      case 'send': {
        const ifname = argv[1] ?? 'eth0';
        const count = Number(argv[2] ?? 1);
        const size = Math.max(20, Number(argv[3] ?? 64));
        const interval = Number(argv[4] ?? 0);
        const dst = argv[5] === undefined ? new Uint8Array(6).fill(0xff) : Uint8Array.from(argv[5].split(':').map((h) => Number.parseInt(h, 16)));
        const port = this.ports.get(ifname);
        if (port === undefined) {
          io.stderr(`send: ${ifname}: no such device\n`);
          io.exit(1);
          break;
        }
        let sent = 0;
        const sendOne = (t: number): void => {
          const frame = new Uint8Array(size);
          frame.set(dst, 0);
          frame.set(port.mac, 6);
          frame[12] = ETHERTYPE >> 8;
          frame[13] = ETHERTYPE & 0xff;
          frame[14] = REQUEST;
          frame[15] = 0;
          new DataView(frame.buffer).setUint32(16, sent);
          this.send(ifname, frame);
          sent++;
          if (sent < count) this.later(t + interval, sendOne);
          else {
            io.stdout(`sent ${sent} from ${macText(port.mac)}\n`);
            io.exit(0);
          }
        };
        sendOne(now);
        break;
      }
      default:
        io.stderr(`${argv[0]}: command not found\n`);
        io.exit(127);
    }
    return { interrupt: () => interrupt() };
  }

  counters(): { framesIn: number; framesOut: number; drops: number } {
    return { framesIn: this.framesIn, framesOut: this.framesOut, drops: this.drops };
  }

  interfaceNames(): string[] {
    return ['lo', ...this.ports.keys()];
  }

  addresses(): { ifname: string; family: 4 | 6; address: string; prefixLength: number }[] {
    return [{ ifname: 'lo', family: 4, address: '127.0.0.1', prefixLength: 8 }];
  }
}
