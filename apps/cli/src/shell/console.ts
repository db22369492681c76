/**
 * The line interpreter behind `netloom shell` (issue 7), independent of any terminal: one line in,
 * one result out. The session module feeds it lines from readline; tests feed it strings.
 *
 * Lines:
 *   NODE CMD…                     run CMD in NODE's shell; an argument that names a node becomes
 *                                 that node's first address (Mininet's `h1 ping h2`)
 *   advance DURATION | time       move / print virtual time
 *   link A:IF B:IF up|down        carrier of a point-to-point link (or `link A:IF …` naming one end,
 *                                 or `link ID …`, ID a link id or a LAN name)
 *   link ID set latency 5ms loss 1% bandwidth 10Mbit mtu 1400 queue 50
 *   node NAME stop|start
 *   nodes [-j] | links [-j]       tables, or JSON with -j
 *   help | quit | exit            (blank lines and `# comments` are skipped)
 *
 * A bad line gives a result with status 2 and an error naming the problem; the console goes on.
 * Errors thrown by the emulator itself (a shard that died) are not caught here: they end the session.
 *
 * A node command can hand its output over as it is produced and take Ctrl-C (LineRun); in real
 * time (ConsoleOptions.realtime) it runs alongside the wall clock × speed, as on a real machine.
 */

import type { EmulatorApi, LinkChange, LinkInfo, NodeInfo } from '../runtime-api.js';
import { LINK_NUMBER_LIMITS, parseBandwidth, parseDuration, parseLoss } from '@netloom/topology';
import { formatBandwidth, formatDuration, formatExactSeconds, formatLoss, parsePositiveInteger } from '../units.js';
import { isShownAddress } from '../shown-addresses.js';
import { formatTable } from './table.js';
import { replaceArguments, splitWords } from './words.js';

/** What one console line produced; the shape of a `--json` line. */
export interface ConsoleResult {
  /** Virtual time (ns) when the line finished. */
  t: number;
  /** The node a command ran on, null for console commands. */
  node: string | null;
  /** The command as the node shell received it (names replaced), or the console line. */
  cmd: string;
  status: number;
  stdout: string;
  stderr: string;
}

/** `streamed`: the result's output already went to LineRun.onOutput as it was produced. */
export type ConsoleOutcome = { kind: 'result'; result: ConsoleResult; streamed: boolean } | { kind: 'quit' } | { kind: 'nothing' };

export interface ConsoleOptions {
  /** Node commands run paced to the wall clock × speed (the emulator's real-time mode). */
  realtime?: { speed: number };
}

/** How one line's node command runs: output as produced, and Ctrl-C. */
export interface LineRun {
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Aborting it is Ctrl-C for the node's program. */
  signal?: AbortSignal;
}

/** Exit status of a console line that could not be understood (like a shell builtin's misuse). */
export const USAGE_STATUS = 2;

const BUILTINS = ['advance', 'time', 'link', 'node', 'nodes', 'links', 'help', 'quit', 'exit'] as const;

export const CONSOLE_HELP = `netloom shell commands:
  NODE CMD...                 run CMD in NODE's shell (a node name in CMD becomes its first address)
  advance DURATION            move virtual time forward (e.g. advance 5s, advance 300ms)
  time                        print the virtual time
  nodes [-j]                  list nodes, their state, frame counters and addresses (-j: as JSON)
  links [-j]                  list links and LANs with their parameters and counters (-j: as JSON)
  link A:IF B:IF up|down      bring a point-to-point link up or down (or: link ID up|down)
  link ID set KEY VALUE...    change latency, bandwidth, loss, mtu or queue (e.g. set latency 5ms loss 1%)
  node NAME stop|start        stop or start a node
  help                        this text
  quit, exit, Ctrl-D          leave
`;

class UsageError extends Error {}

export class ShellConsole {
  constructor(
    private readonly emulator: EmulatorApi,
    private readonly options: ConsoleOptions = {},
  ) {}

  /** Interprets one line. Rejects only when the emulator itself fails. */
  async execute(line: string, run: LineRun = {}): Promise<ConsoleOutcome> {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return { kind: 'nothing' };
    const words = splitWords(text).map((word) => word.raw);
    const head = words[0] ?? '';
    const args = words.slice(1);
    try {
      switch (head) {
        case 'quit':
        case 'exit':
          return { kind: 'quit' };
        case 'help':
          return this.ok(text, CONSOLE_HELP);
        case 'time':
          this.expectArgs(head, args, 0);
          return this.ok(text, `${formatExactSeconds(this.emulator.now())}\n`);
        case 'advance':
          await this.advance(args);
          return this.ok(text, '');
        case 'nodes':
          return this.ok(text, this.isJsonFlag(head, args) ? `${JSON.stringify(this.emulator.nodes())}\n` : this.nodeTable());
        case 'links':
          return this.ok(text, this.isJsonFlag(head, args) ? `${JSON.stringify(this.emulator.links())}\n` : this.linkTable());
        case 'link':
          await this.changeLink(args);
          return this.ok(text, '');
        case 'node':
          await this.changeNode(args);
          return this.ok(text, '');
        default:
          return await this.runOnNode(head, text.slice(head.length).trim(), text, run);
      }
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { kind: 'result', result: this.failed(text, error.message), streamed: false };
    }
  }

  /** Candidates for tab completion of the line so far (readline's completer). */
  complete(line: string): [string[], string] {
    const words = splitWords(line).map((word) => word.raw);
    const endsWithBlank = line === '' || /\s$/.test(line);
    const current = endsWithBlank ? '' : (words[words.length - 1] ?? '');
    const position = endsWithBlank ? words.length : words.length - 1;
    let candidates: string[] = [];
    if (position === 0) {
      candidates = [...BUILTINS, ...this.emulator.nodes().map((node) => node.name)];
    } else if (words[0] === 'link' && position === 1) {
      candidates = this.emulator.links().map((link) => link.id);
    } else if (words[0] === 'node' && position === 1) {
      candidates = this.emulator.nodes().map((node) => node.name);
    } else if (words[0] === 'node' && position === 2) {
      candidates = ['stop', 'start'];
    } else if (position >= 1 && words[0] !== undefined && !(BUILTINS as readonly string[]).includes(words[0])) {
      candidates = this.emulator.nodes().map((node) => node.name);
    }
    return [candidates.filter((c) => c.startsWith(current)).sort(), current];
  }

  private async runOnNode(name: string, command: string, line: string, run: LineRun): Promise<ConsoleOutcome> {
    const nodes = this.emulator.nodes();
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new UsageError(`unknown node or command "${name}" (nodes: ${nodes.map((n) => n.name).join(', ')}; try help)`);
    if (command === '') throw new UsageError(`${name}: missing command (e.g. ${name} ip addr)`);
    if (!node.running) return { kind: 'result', result: this.failed(line, `node ${name} is stopped (node ${name} start)`, 1), streamed: false };
    const resolved = replaceArguments(command, (word) => {
      const other = nodes.find((n) => n.name === word);
      return other ? firstAddress(other) : undefined;
    });
    const realtime = this.options.realtime;
    if (realtime) this.emulator.setRealtime(true, realtime.speed);
    let result;
    try {
      result = await this.emulator.exec(name, resolved, { ...(run.onOutput ? { onOutput: run.onOutput } : {}), ...(run.signal ? { signal: run.signal } : {}) });
    } finally {
      if (realtime) this.emulator.setRealtime(false);
    }
    const { t, status, stdout, stderr } = result;
    return { kind: 'result', result: { t, node: result.node, cmd: result.cmd, status, stdout, stderr }, streamed: run.onOutput !== undefined };
  }

  private async advance(args: string[]): Promise<void> {
    this.expectArgs('advance', args, 1);
    const text = args[0] ?? '';
    const ns = parseDuration(text);
    if (ns === null || ns < 0) throw new UsageError(`advance: bad duration "${text}" (want e.g. 5s, 1.5ms, 300us)`);
    await this.emulator.advance(ns);
  }

  private async changeNode(args: string[]): Promise<void> {
    const [name, action] = args;
    if (args.length !== 2 || (action !== 'stop' && action !== 'start')) throw new UsageError('usage: node NAME stop|start');
    if (!this.emulator.nodes().some((node) => node.name === name)) throw new UsageError(`node: unknown node "${name}"`);
    if (action === 'stop') await this.emulator.stopNode(name as string);
    else await this.emulator.startNode(name as string);
  }

  private async changeLink(args: string[]): Promise<void> {
    const { link, rest } = this.findLink(args);
    const [verb, ...settings] = rest;
    if (rest.length === 1 && (verb === 'up' || verb === 'down')) {
      await this.emulator.setLink(link.id, { up: verb === 'up' });
      return;
    }
    if (verb !== 'set' || settings.length === 0) throw new UsageError('usage: link A:IF B:IF up|down, or link ID set latency 5ms loss 1% ...');
    await this.emulator.setLink(link.id, parseLinkChange(settings));
  }

  private findLink(args: string[]): { link: LinkInfo; rest: string[] } {
    const links = this.emulator.links();
    const [first, second] = args;
    if (first === undefined) throw new UsageError('usage: link A:IF B:IF up|down, or link ID set latency 5ms loss 1% ...');
    const byId = links.find((link) => link.id === first);
    if (byId) return { link: byId, rest: args.slice(1) };
    if (second !== undefined && first.includes(':') && second.includes(':')) {
      const pair = links.find(
        (link) => link.type === 'p2p' && link.endpoints.length === 2 && link.endpoints.includes(first) && link.endpoints.includes(second) && first !== second,
      );
      if (pair) return { link: pair, rest: args.slice(2) };
      throw new UsageError(`link: no link between ${first} and ${second} (see links)`);
    }
    if (first.includes(':')) {
      const single = links.filter((link) => link.type === 'p2p' && link.endpoints.includes(first));
      if (single.length === 1 && single[0]) return { link: single[0], rest: args.slice(1) };
    }
    throw new UsageError(`link: no link or LAN "${first}" (see links)`);
  }

  private nodeTable(): string {
    const rows = [['NODE', 'KIND', 'STATE', 'IN', 'OUT', 'DROPS', 'ADDRESSES']];
    for (const node of this.emulator.nodes()) {
      const addresses = node.addresses.filter(isShownAddress).map((a) => `${a.ifname} ${a.address}/${a.prefixLength}`);
      rows.push([node.name, node.kind, node.running ? 'up' : 'stopped', String(node.framesIn), String(node.framesOut), String(node.drops), addresses.join(', ') || '-']);
    }
    return formatTable(rows);
  }

  private linkTable(): string {
    const rows = [['LINK', 'TYPE', 'STATE', 'LATENCY', 'BANDWIDTH', 'LOSS', 'MTU', 'FRAMES', 'DROPS', 'ENDPOINTS']];
    for (const link of this.emulator.links()) {
      rows.push([
        link.id,
        link.type,
        link.up ? 'up' : 'down',
        formatDuration(link.latencyNs),
        formatBandwidth(link.bandwidthBps),
        formatLoss(link.loss),
        String(link.mtu),
        String(link.frames),
        String(link.drops),
        link.endpoints.join(' '),
      ]);
    }
    return formatTable(rows);
  }

  /** `nodes` or `nodes -j|--json`. */
  private isJsonFlag(command: string, args: string[]): boolean {
    if (args.length === 0) return false;
    if (args.length === 1 && (args[0] === '-j' || args[0] === '--json')) return true;
    throw new UsageError(`usage: ${command} [-j|--json]`);
  }

  private expectArgs(command: string, args: string[], count: number): void {
    if (args.length !== count) throw new UsageError(`${command}: expected ${count === 0 ? 'no arguments' : `${count} argument${count > 1 ? 's' : ''}`}, got ${args.length}`);
  }

  private ok(line: string, stdout: string): ConsoleOutcome {
    return { kind: 'result', result: { t: this.emulator.now(), node: null, cmd: line, status: 0, stdout, stderr: '' }, streamed: false };
  }

  private failed(line: string, problem: string, status = USAGE_STATUS): ConsoleResult {
    return { t: this.emulator.now(), node: null, cmd: line, status, stdout: '', stderr: `netloom: ${problem}\n` };
  }
}

/** `latency 5ms loss 1% bandwidth 10Mbit mtu 1400 queue 50` → a LinkChange. */
export function parseLinkChange(settings: string[]): LinkChange {
  const change: LinkChange = {};
  if (settings.length % 2 !== 0) throw new UsageError(`link set: "${settings[settings.length - 1]}" has no value`);
  for (let i = 0; i < settings.length; i += 2) {
    const key = settings[i] ?? '';
    const value = settings[i + 1] ?? '';
    switch (key) {
      case 'latency':
      case 'delay': {
        const ns = parseDuration(value);
        if (ns === null || ns <= 0) throw new UsageError(`link set: bad latency "${value}" (want e.g. 5ms; links need a latency above 0)`);
        change.latencyNs = ns;
        break;
      }
      case 'bandwidth':
      case 'rate': {
        const bps = value === 'unlimited' || value === 'none' ? null : parseBandwidth(value);
        if (bps === 0 || (bps === null && value !== 'unlimited' && value !== 'none')) throw new UsageError(`link set: bad bandwidth "${value}" (want e.g. 10Mbit, 1Gbit, unlimited)`);
        change.bandwidthBps = bps;
        break;
      }
      case 'loss': {
        const loss = parseLoss(value);
        if (loss === null) throw new UsageError(`link set: bad loss "${value}" (want e.g. 1% or 0.01)`);
        change.loss = loss;
        break;
      }
      case 'mtu':
      case 'queue': {
        // The limits a topology file has.
        const { min, max, unit } = LINK_NUMBER_LIMITS[key];
        const n = parsePositiveInteger(value);
        if (n === undefined || n < min || n > max) throw new UsageError(`link set: bad ${key} "${value}" (want a whole number of ${unit} from ${min} to ${max})`);
        change[key] = n;
        break;
      }
      default:
        throw new UsageError(`link set: unknown parameter "${key}" (latency, bandwidth, loss, mtu, queue)`);
    }
  }
  return change;
}

/** The address `h1 ping h2` puts in place of `h2`: its first IPv4 address, else its first global IPv6 one. */
export function firstAddress(node: NodeInfo): string | undefined {
  const own = node.addresses.filter((a) => a.ifname !== 'lo');
  const v4 = own.find((a) => a.family === 4);
  if (v4) return v4.address;
  return own.find((a) => a.family === 6 && !a.address.toLowerCase().startsWith('fe80'))?.address;
}

/** One `--json` line: keys in the order t, node, cmd, status, stdout, stderr. */
export function renderJsonLine(result: ConsoleResult): string {
  const { t, node, cmd, status, stdout, stderr } = result;
  return `${JSON.stringify({ t, node, cmd, status, stdout, stderr })}\n`;
}
