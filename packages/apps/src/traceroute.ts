/**
 * `traceroute`: the path to a host, hop by hop, with the output, option errors and probe
 * scheduling of Dmitry Butskoy's traceroute 2.1.2 (Debian 12), checked in network namespaces.
 *
 * Covers: UDP probes to port 33434 upwards (one port and one connected socket per probe, as
 * udp_send_probe does) and `-I` ICMP echo probes, -4 -6
 * -n -m -q -w MAX,HERE,NEAR -p -f -N -i -s -z, the `host [packetlen]` arguments, `--help`, `-V`
 * and the long forms (`--max-hops=N`). Probes are scheduled exactly as traceroute's do_it():
 * up to -N (default 16) probes in flight, printed strictly in order, a probe expiring after MAX
 * seconds or HERE × the RTT of an answered probe of the same hop or NEAR × the RTT of a later
 * one, and check_expired()'s re-placing of a final `!H`-style answer. Lines: ` 1  10.0.1.254
 * 0.512 ms  0.401 ms  0.380 ms`, `*` for a timeout, `!H !N !P !X !S !F-mtu !<code>` annotations.
 * Setup errors follow traceroute: `\nconnect: Network is unreachable` (exit 1) after the header
 * for UDP, before it for ICMP.
 *
 * Names go through the node's resolver (host-names.ts): the host as getaddr() resolves it over
 * /etc/hosts (the first IPv4 answer without -4/-6), and without -n each hop as `name (addr)` with
 * its address's /etc/hosts name, or `addr (addr)` when it has none.
 * Leaves out: TCP/UDP-fixed/DCCP/raw methods (-T -U -D -P -M -O are `Bad option`), -g, --mtu,
 * --back, AS lookups and DNS. `!F-N` needs the next-hop MTU, which the socket contract does not carry
 * yet: an optional `mtu` on the ICMP message is used when present, else plain `!F` is printed.
 */
import { errnoMessage, type Errno, type IcmpSocket, type Program, type ProcessContext, type UdpSocket } from '@netloom/stack';
import { getopt, type LongOption } from './getopt.js';
import { isIpv4Literal, isIpv6Literal } from './address-text.js';
import { addressNamer, lookupHost } from './host-names.js';
import { formatG } from './ping.js';
import { TRACEROUTE_USAGE } from './traceroute-usage.js';

const NS_PER_S = 1_000_000_000;
const MAX_HOPS = 255;
const MAX_PROBES = 10;
const MAX_PACKET_LEN = 65000;
const DEF_DATA_LEN = 40;
const DEF_START_PORT = 33434;
const ICMP_SOURCE_QUENCH = 4;
/** DEF_WAIT_PREC: 1 ms added to an RTT before scaling it by HERE or NEAR. */
const WAIT_PRECISION_NS = 1_000_000;

const VERSION_TEXT = 'Modern traceroute for Linux, version 2.1.2\nCopyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n';

interface TracerouteOptions {
  family: 4 | 6 | null;
  icmp: boolean;
  numeric: boolean;
  firstHop: number;
  maxHops: number;
  probesPerHop: number;
  simProbes: number;
  port: number | null;
  waitSecs: number;
  hereFactor: number;
  nearFactor: number;
  device: string | null;
  source: string | null;
  sendSecs: number;
  host: string;
  destination: string;
  packetLen: number | null;
}

/** Each option's CLIF argument name, for `Option `-m' (argc 2) requires an argument: `-m max_ttl'`. */
const ARGUMENT_NAMES: Record<string, string> = {
  f: 'first_ttl',
  i: 'device',
  m: 'max_ttl',
  N: 'squeries',
  p: 'port',
  t: 'tos',
  l: 'flow_label',
  w: 'MAX,HERE,NEAR',
  q: 'nqueries',
  s: 'src_addr',
  z: 'sendwait',
};

const LONG_OPTIONS: readonly LongOption[] = [
  { name: 'debug', argument: 'none', key: 'd' },
  { name: 'dont-fragment', argument: 'none', key: 'F' },
  { name: 'first', argument: 'attached', key: 'f' },
  { name: 'icmp', argument: 'none', key: 'I' },
  { name: 'interface', argument: 'attached', key: 'i' },
  { name: 'max-hops', argument: 'attached', key: 'm' },
  { name: 'sim-queries', argument: 'attached', key: 'N' },
  { name: 'port', argument: 'attached', key: 'p' },
  { name: 'tos', argument: 'attached', key: 't' },
  { name: 'flowlabel', argument: 'attached', key: 'l' },
  { name: 'wait', argument: 'attached', key: 'w' },
  { name: 'queries', argument: 'attached', key: 'q' },
  { name: 'source', argument: 'attached', key: 's' },
  { name: 'sendwait', argument: 'attached', key: 'z' },
  { name: 'extensions', argument: 'none', key: 'e' },
  { name: 'as-path-lookups', argument: 'none', key: 'A' },
  { name: 'version', argument: 'none', key: 'V' },
  { name: 'help', argument: 'none', key: 'help' },
];

const LONG_NAME_OF: Record<string, string> = Object.fromEntries(LONG_OPTIONS.map((o) => [o.key ?? o.name, o.name]));

type ParseOutcome =
  | { ok: true; options: TracerouteOptions }
  | { ok: false; stdout?: string; stderr: string; status: number };

/**
 * CLIF_set_uint: strtoul(arg, &end, 0) consuming the whole word, kept in an unsigned int: blanks
 * and a sign may lead, `0x` is hex and `0` octal, `-N` wraps (`-1` is 4294967295) and a number past
 * ULONG_MAX saturates (strtoul's ERANGE is not checked).
 */
function parseUint(text: string): number | null {
  const m = /^[ \t\n\v\f\r]*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return null;
  const digits = m[2]!;
  const magnitude = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const ulongMax = (1n << 64n) - 1n;
  const saturated = magnitude > ulongMax ? ulongMax : magnitude;
  const ulong = m[1] === '-' ? ((1n << 64n) - saturated) % (1n << 64n) : saturated;
  return Number(ulong % (1n << 32n));
}

/** strtod: the longest leading float, and what is left. */
function strtod(text: string): { value: number; rest: string } | null {
  const m = /^\s*([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(text);
  if (!m || m[1] === undefined) return null;
  return { value: Number(m[1]), rest: text.slice(m[0].length) };
}

/** set_wait_specs: `MAX[,HERE[,NEAR]]`; the factors not given become 0. */
function parseWaitSpecs(text: string): [number, number, number] | null {
  const values: number[] = [];
  let rest = text;
  for (let k = 0; k < 3; k++) {
    const parsed = strtod(rest);
    if (!parsed) return null;
    values.push(parsed.value);
    if (parsed.rest === '') break;
    if (k === 2 || !parsed.rest.startsWith(',')) return null;
    rest = parsed.rest.slice(1);
  }
  return [values[0] ?? 0, values[1] ?? 0, values[2] ?? 0];
}

function parseOptions(ctx: ProcessContext): ParseOutcome {
  const argv = ctx.argv;
  const parsed = getopt(argv, { short: '46dFf:Ii:m:N:np:t:l:w:q:rs:z:eAV', long: LONG_OPTIONS, clusterArgumentsNeedNextWord: true });
  if (!parsed.ok) {
    const { error } = parsed;
    const spelling = error.option.startsWith('--') ? error.option : `-${error.option}`;
    if (error.kind === 'missingArgument') {
      const key = spelling.startsWith('--') ? (LONG_OPTIONS.find((o) => `--${o.name}` === spelling)?.key ?? '') : error.option;
      const argName = ARGUMENT_NAMES[key] ?? 'arg';
      const form = spelling.startsWith('--') ? `${spelling}=${argName}` : `${spelling} ${argName}`;
      return { ok: false, stderr: `Option \`${spelling}' (argc ${error.index}) requires an argument: \`${form}'\n`, status: 2 };
    }
    return { ok: false, stderr: `Bad option \`${spelling.split('=')[0]}' (argc ${error.index})\n`, status: 2 };
  }
  const options: TracerouteOptions = {
    family: null,
    icmp: false,
    numeric: false,
    firstHop: 1,
    maxHops: 30,
    probesPerHop: 3,
    simProbes: 16,
    port: null,
    waitSecs: 5,
    hereFactor: 3,
    nearFactor: 10,
    device: null,
    source: null,
    sendSecs: 0,
    host: '',
    destination: '',
    packetLen: null,
  };
  for (const option of parsed.options) {
    const value = option.value ?? '';
    const cannot: ParseOutcome = {
      ok: false,
      stderr: `Cannot handle \`${option.spelling.startsWith('--') ? `--${LONG_NAME_OF[option.key] ?? option.key}` : option.spelling}' option with arg \`${value}' (argc ${option.valueIndex ?? option.optionIndex})\n`,
      status: 2,
    };
    const uint = (): number | null => parseUint(value);
    switch (option.key) {
      case '4':
      case '6':
        options.family = option.key === '4' ? 4 : 6;
        break;
      case 'I':
        options.icmp = true;
        break;
      case 'n':
        options.numeric = true;
        break;
      case 'f':
      case 'm':
      case 'q':
      case 'N':
      case 'p':
      case 't':
      case 'l': {
        const n = uint();
        if (n === null) return cannot;
        if (option.key === 'f') options.firstHop = n;
        if (option.key === 'm') options.maxHops = n;
        if (option.key === 'q') options.probesPerHop = n;
        if (option.key === 'N') options.simProbes = n;
        if (option.key === 'p') options.port = n;
        break;
      }
      case 'w': {
        const specs = parseWaitSpecs(value);
        if (!specs) return cannot;
        [options.waitSecs, options.hereFactor, options.nearFactor] = specs;
        break;
      }
      case 'z': {
        const parsedValue = strtod(value);
        if (!parsedValue || parsedValue.rest !== '') return cannot;
        options.sendSecs = parsedValue.value;
        break;
      }
      case 'i':
        options.device = value;
        break;
      case 's': {
        if (!isIpv4Literal(value) && !isIpv6Literal(value)) {
          const resolved = lookupHost(ctx, value, options.family, { prefer: 4 });
          if (!resolved.ok) return { ok: false, stderr: `${value}: ${resolved.message}\n${cannot.stderr}`, status: 2 };
          options.source = resolved.host.address;
        } else options.source = value;
        break;
      }
      case 'V':
        return { ok: false, stderr: VERSION_TEXT, status: 0 };
      case 'help':
        return { ok: false, stderr: TRACEROUTE_USAGE, status: 0 };
      default:
        break;
    }
  }
  const operands = parsed.operands;
  if (operands.length === 0) return { ok: false, stderr: TRACEROUTE_USAGE, status: 0 };
  if (operands.length > 2) {
    return { ok: false, stderr: `Extra arg \`${operands[2]}' (position 3, argc ${parsed.operandIndexes[2]})\n`, status: 2 };
  }
  const host = operands[0] ?? '';
  const hostIndex = parsed.operandIndexes[0] ?? 1;
  let destination: string | null = null;
  let reason = 'Address family for hostname not supported';
  if (isIpv4Literal(host) || isIpv6Literal(host)) {
    const literalFamily = isIpv4Literal(host) ? 4 : 6;
    if (options.family === null || options.family === literalFamily) destination = host;
  } else {
    // getaddr(): the first IPv4 answer when no family was asked for (DEF_AF), else the first.
    const found = lookupHost(ctx, host, options.family, { prefer: 4 });
    if (found.ok) destination = found.host.address;
    else reason = found.message;
  }
  if (destination === null) {
    return { ok: false, stderr: `${host}: ${reason}\nCannot handle "host" cmdline arg \`${host}' on position 1 (argc ${hostIndex})\n`, status: 2 };
  }
  options.host = host;
  options.destination = destination;
  options.family ??= isIpv6Literal(destination) ? 6 : 4;
  if (operands.length === 2) {
    const text = operands[1] ?? '';
    const n = /^[-+]?\d+$/.test(text) ? Number(text) : null;
    if (n === null) {
      return { ok: false, stderr: `Cannot handle "packetlen" cmdline arg \`${text}' on position 2 (argc ${parsed.operandIndexes[1]})\n`, status: 2 };
    }
    options.packetLen = n;
  }

  const exError = (message: string): ParseOutcome => ({ ok: false, stderr: `${message}\n`, status: 2 });
  if (!options.firstHop || options.firstHop > options.maxHops) return exError('first hop out of range');
  if (options.maxHops > MAX_HOPS) return exError(`max hops cannot be more than ${MAX_HOPS}`);
  if (!options.probesPerHop || options.probesPerHop > MAX_PROBES) return exError(`no more than ${MAX_PROBES} probes per hop`);
  if (options.waitSecs < 0 || options.hereFactor < 0 || options.nearFactor < 0) {
    return exError(`bad wait specifications \`${formatG(options.waitSecs)},${formatG(options.hereFactor)},${formatG(options.nearFactor)}' used`);
  }
  if (options.packetLen !== null && options.packetLen > MAX_PACKET_LEN) return exError(`too big packetlen ${options.packetLen} specified`);
  if (options.source !== null && (isIpv6Literal(options.source) ? 6 : 4) !== options.family) {
    return exError('IP version mismatch in addresses specified');
  }
  if (options.sendSecs < 0) return exError(`bad sendtime \`${formatG(options.sendSecs)}' specified`);
  if (options.sendSecs >= 10) options.sendSecs /= 1000;
  return { ok: true, options };
}

/** parse_icmp_res: the annotation of an ICMP answer and whether it ends the trace. */
export function icmpAnnotation(family: 4 | 6, type: number, code: number, mtu?: number): { text: string; final: boolean } {
  const frag = mtu === undefined ? '!F' : `!F-${mtu}`;
  if (family === 4) {
    if (type === 11 && code === 0) return { text: '', final: false };
    if (type === 3) {
      const byCode: Record<number, string> = { 0: '!N', 6: '!N', 8: '!N', 11: '!N', 1: '!H', 7: '!H', 12: '!H', 9: '!X', 10: '!X', 13: '!X', 3: '', 2: '!P', 4: frag, 5: '!S', 14: '!V', 15: '!C' };
      return { text: byCode[code] ?? `!<${code}>`, final: true };
    }
    if (type === 0) return { text: '', final: true };
  } else {
    if (type === 3 && code === 0) return { text: '', final: false };
    if (type === 1) {
      const byCode: Record<number, string> = { 0: '!N', 2: '!H', 3: '!H', 1: '!X', 4: '' };
      return { text: byCode[code] ?? `!<${code}>`, final: true };
    }
    if (type === 2) return { text: frag, final: true };
    if (type === 129) return { text: '', final: true };
  }
  return { text: `!<${type}-${code}>`, final: true };
}

/** The next-hop MTU of a frag-needed / packet-too-big answer, when the socket layer reports one. */
function reportedMtu(message: object): number | undefined {
  const mtu = (message as { mtu?: unknown }).mtu;
  return typeof mtu === 'number' ? mtu : undefined;
}

interface Probe {
  sent: boolean;
  sendTime: number;
  recvTime: number | null;
  done: boolean;
  final: boolean;
  from: string | null;
  annotation: string;
  recvTtl: number;
  /** UDP destination port or ICMP sequence identifying the probe's answers; 0 once done. */
  key: number;
  /** UDP: the local port the probe left from (answers quote it). */
  sport: number;
  /** UDP: the probe's own socket, connected to the destination and its port; closed once the probe is done. */
  socket: UdpSocket | null;
}

function emptyProbe(): Probe {
  return { sent: false, sendTime: 0, recvTime: null, done: false, final: false, from: null, annotation: '', recvTtl: 0, key: 0, sport: 0, socket: null };
}

function ttlToHops(ttl: number): number {
  if (ttl <= 64) return 65 - ttl;
  if (ttl <= 128) return 129 - ttl;
  return 256 - ttl;
}

/** `%.3f` of a duration in ns, as milliseconds. */
function formatMs(ns: number): string {
  const micros = Math.round(ns / 1000);
  return `${Math.floor(micros / 1000)}.${String(micros % 1000).padStart(3, '0')}`;
}

export const traceroute: Program = (ctx) => {
  const outcome = parseOptions(ctx);
  if (!outcome.ok) {
    if (outcome.stdout) ctx.stdout(outcome.stdout);
    ctx.stderr(outcome.stderr);
    ctx.exit(outcome.status);
    return;
  }
  const options = outcome.options;
  const family = options.family ?? 4;
  const destination = options.destination;
  const methodHeaderLen = 8;
  const headerLen = (family === 4 ? 20 : 40) + methodHeaderLen;
  let dataLen = DEF_DATA_LEN - methodHeaderLen;
  if (options.packetLen !== null) dataLen = options.packetLen >= headerLen ? options.packetLen - headerLen : 0;
  const probesPerHop = options.probesPerHop;
  const numProbes = options.maxHops * probesPerHop;
  const probes: Probe[] = Array.from({ length: numProbes }, emptyProbe);
  const waitNs = Math.round(options.waitSecs * NS_PER_S);
  const sendWaitNs = Math.round(options.sendSecs * NS_PER_S);

  let icmp: IcmpSocket | null = null;
  let finished = false;
  const cleanUp = (): void => {
    finished = true;
    icmp?.close();
    for (const probe of probes) closeProbeSocket(probe);
  };
  /** traceroute's error(): a newline, perror's text, exit 1. */
  const fatal = (what: string, errno: Errno): void => {
    cleanUp();
    ctx.stderr(`\n${what}: ${errnoMessage[errno]}\n`);
    ctx.exit(1);
  };

  /** The ICMP method's one socket, opened and connected in init() before the header (mod-icmp.c). */
  const setupIcmpSocket = (): boolean => {
    const opened = ctx.icmpSocket(family);
    if ('errno' in opened) return fatal('socket', opened.errno), false;
    icmp = opened;
    if (options.device !== null) {
      const r = opened.setsockopt('SO_BINDTODEVICE', options.device);
      if (!r.ok) return fatal('setsockopt SO_BINDTODEVICE', r.errno), false;
    }
    if (options.source !== null) {
      const r = opened.bind(options.source);
      if (!r.ok) return fatal('bind', r.errno), false;
    }
    const routed = ctx.routeSource(destination, options.device ?? undefined);
    if ('errno' in routed) return fatal('connect', routed.errno), false;
    return true;
  };

  // The UDP method opens a socket per probe, after the header: its errors come after it too.
  if (options.icmp && !setupIcmpSocket()) return;
  ctx.stdout(`traceroute to ${options.host} (${destination}), ${options.maxHops} hops max, ${headerLen + dataLen} byte packets`);

  const echoId = (() => {
    let hash = 0x811c9dc5;
    for (const ch of `${ctx.hostname}/traceroute/${ctx.now()}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
    return hash & 0xffff;
  })();
  // `-p 0` is the default; the UDP port counts in an unsigned int and goes out as its low 16 bits
  // (65536 is port 0), the ICMP sequence is 16 bits.
  let nextKey = options.port || (options.icmp ? 1 : DEF_START_PORT);
  const payload = new Uint8Array(dataLen);
  for (let i = 0; i < dataLen; i++) payload[i] = 0x40 + (i & 0x3f);

  /** What failed when a probe could not be sent: traceroute's error() text and the errno. */
  type SendFailure = { what: string; errno: Errno };
  /** do_send: ENOBUFS and EAGAIN leave the probe unsent, EMSGSIZE counts as sent (recognised later). */
  const isTransient = (errno: Errno): boolean => errno === 'ENOBUFS' || errno === 'EAGAIN' || errno === 'EMSGSIZE';

  const sendProbe = (probe: Probe, ttl: number): SendFailure | null => {
    const key = nextKey & 0xffff;
    nextKey++;
    if (icmp) {
      icmp.setsockopt('IP_TTL', ttl);
      const r = icmp.sendEcho(destination, echoId, key, payload);
      if (!r.ok && !isTransient(r.errno)) return { what: 'send', errno: r.errno };
    } else {
      const opened = openProbeSocket(ttl, key);
      if ('what' in opened) return opened;
      probe.socket = opened;
      const r = opened.sendto(payload);
      if (!r.ok && !isTransient(r.errno)) return { what: 'send', errno: r.errno };
      probe.sport = opened.localAddress()?.port ?? 0;
    }
    probe.sent = true;
    probe.sendTime = ctx.now();
    probe.key = key;
    return null;
  };

  /**
   * udp_send_probe: a socket per probe, as traceroute 2.1.2 does (strace in a namespace): socket,
   * SO_BINDTODEVICE with -i, bind to -s's address or 0.0.0.0 with port 0, IP_TTL, connect to the
   * destination and the probe's port, send. The kernel's route lookup for connect sees the source
   * (ip_route_connect), so a multipath hash or a `from` rule picks the next hop it picks for Linux.
   */
  const openProbeSocket = (ttl: number, port: number): UdpSocket | SendFailure => {
    const opened = ctx.udpSocket(family);
    if ('errno' in opened) return { what: 'socket', errno: opened.errno };
    const steps: [string, () => { ok: true } | { ok: false; errno: Errno }][] = [
      ['setsockopt SO_BINDTODEVICE', () => (options.device !== null ? opened.setsockopt('SO_BINDTODEVICE', options.device) : { ok: true })],
      ['bind', () => opened.bind(options.source ?? (family === 4 ? '0.0.0.0' : '::'), 0)],
      ['setsockopt IP_TTL', () => opened.setsockopt('IP_TTL', ttl)],
      ['connect', () => opened.connect(destination, port)],
    ];
    for (const [what, step] of steps) {
      const r = step();
      if (!r.ok) {
        opened.close();
        return { what, errno: r.errno };
      }
    }
    return opened;
  };

  /** A probe is done (answered or expired): its socket is closed, as traceroute closes pb->sk. */
  function closeProbeSocket(probe: Probe): void {
    probe.socket?.close();
    probe.socket = null;
  }

  /** probe_by_seq / udp_check_reply: a sent, unanswered probe with this key (and local port). */
  const probeByKey = (key: number, sport?: number): Probe | undefined =>
    probes.find((p) => p.key === key && p.sent && !p.done && (sport === undefined || p.sport === sport));

  const receive = (probe: Probe, from: string, type: number, code: number, receivedAt: number, ttl: number, mtu?: number): void => {
    const { text, final } = icmpAnnotation(family, type, code, mtu);
    probe.from = from;
    probe.recvTime = receivedAt;
    probe.recvTtl = ttl;
    probe.annotation = text;
    probe.final = final;
    probe.done = true;
    probe.key = 0;
    closeProbeSocket(probe);
    loop();
  };

  if (icmp) {
    (icmp as IcmpSocket).onMessage((m) => {
      // probe_by_seq never matches sequence 0 (a -p that wraps to 0 leaves that probe unanswered).
      if (finished || m.id !== echoId || m.sequence === 0) return;
      // traceroute's raw ICMP socket reads only echo replies, and raw_err queues no error for a
      // source quench (the ping socket here reports it, as ping_err does for ping).
      if (family === 4 && m.type === ICMP_SOURCE_QUENCH) return;
      const probe = probeByKey(m.sequence);
      if (probe) receive(probe, m.from, m.type, m.code, m.receivedAt, m.ttl, reportedMtu(m));
    });
  } else {
    ctx.onUdpProbeError((e) => {
      if (finished) return;
      const probe = probeByKey(e.dport, e.sport);
      if (probe) receive(probe, e.from, e.type, e.code, e.receivedAt, 0, reportedMtu(e));
    });
  }

  const timeoutFor = (index: number): number => {
    const probe = probes[index];
    if (!probe) return waitNs;
    if (options.hereFactor) {
      const first = index - (index % probesPerHop);
      for (let i = first; i < first + probesPerHop; i++) {
        const p = probes[i];
        if (p?.done && p.recvTime !== null && p.recvTime - p.sendTime > 0) {
          return Math.min(Math.round((p.recvTime - p.sendTime + WAIT_PRECISION_NS) * options.hereFactor), waitNs);
        }
      }
    }
    if (options.nearFactor) {
      for (let i = index + 1; i < numProbes; i++) {
        const p = probes[i];
        if (!p?.sent) break;
        if (p.done && p.recvTime !== null && p.recvTime - p.sendTime > 0) {
          return Math.min(Math.round((p.recvTime - p.sendTime + WAIT_PRECISION_NS) * options.nearFactor), waitNs);
        }
      }
    }
    return waitNs;
  };

  /** check_expired(): put a later final `!X`-style answer in place of an expired probe. */
  const checkExpired = (index: number): void => {
    const pb = probes[index];
    if (!pb?.done) return;
    let previousFinal: Probe | null = null;
    for (let i = index - (index % probesPerHop); i < index; i++) {
      const p = probes[i];
      if (!p?.done || !p.final) return;
      previousFinal = p;
    }
    let finalIndex = -1;
    for (let i = index + 1; i < numProbes; i++) {
      const p = probes[i];
      if (!p?.sent) break;
      if (p.done) {
        if (!p.final) return;
        finalIndex = i;
        break;
      }
    }
    const fp = probes[finalIndex];
    if (!fp || !fp.annotation) return;
    let replace = previousFinal !== null || (index % probesPerHop) + (finalIndex - index) < probesPerHop;
    if (!replace) replace = probes.slice(0, index).some((p) => p.from !== null && p.from === fp.from);
    if (!replace && fp.recvTtl) {
      let backHops = ttlToHops(fp.recvTtl);
      for (let i = index - 1; i >= 0; i--) {
        const p = probes[i];
        if (p?.done && !p.final && p.recvTtl) {
          const hops = ttlToHops(p.recvTtl);
          if (hops < backHops) {
            backHops = backHops - hops + (Math.floor(i / probesPerHop) + 1);
            break;
          }
        }
      }
      replace = backHops <= Math.floor(index / probesPerHop) + 1;
    }
    if (!replace) return;
    probes[index] = { ...fp };
    probes[finalIndex] = { ...emptyProbe(), sent: true, sendTime: Number.NEGATIVE_INFINITY };
  };

  /** print_addr's getnameinfo: the /etc/hosts name of a hop's address, else its numeric text. */
  const nameOf = addressNamer(ctx, { address: destination, name: options.host });

  const printProbe = (index: number): void => {
    const pb = probes[index];
    if (!pb) return;
    const ttl = Math.floor(index / probesPerHop) + 1;
    let np = index % probesPerHop;
    let text = np === 0 ? `\n${String(ttl).padStart(2)} ` : '';
    if (pb.from === null) text += ' *';
    else {
      let print = np === 0;
      if (np) {
        let k = index - 1;
        while (np && probes[k]?.from === null) {
          k--;
          np--;
        }
        if (!np || probes[k]?.from !== pb.from) print = true;
      }
      if (print) text += options.numeric ? ` ${pb.from}` : ` ${nameOf(pb.from) ?? pb.from} (${pb.from})`;
    }
    if (pb.recvTime !== null) text += `  ${formatMs(pb.recvTime - pb.sendTime)} ms`;
    if (pb.annotation) text += ` ${pb.annotation}`;
    ctx.stdout(text);
  };

  let start = (options.firstHop - 1) * probesPerHop;
  let end = numProbes;
  let lastSend: number | null = null;
  let timer: { cancel(): void } | null = null;
  let looping = false;
  let answeredWhileLooping = false;

  /** One pass of do_it()'s main loop; re-entered on every answer and when the poll times out. */
  function loop(): void {
    if (finished) return;
    if (looping) {
      answeredWhileLooping = true;
      return;
    }
    looping = true;
    timer?.cancel();
    timer = null;
    try {
      while (start < end) {
        let num = 0;
        let nextTime: number | null = null;
        const now = ctx.now();
        for (let n = start; n < end; n++) {
          let pb = probes[n];
          if (!pb) break;
          if (n === start && !pb.done && pb.sent) {
            const expireTime = pb.sendTime + timeoutFor(n);
            if (expireTime > now) nextTime = expireTime;
            else {
              pb.done = true;
              pb.key = 0;
              closeProbeSocket(pb);
              checkExpired(n);
              pb = probes[n] ?? pb;
            }
          }
          if (pb.done) {
            if (n === start) {
              printProbe(n);
              start++;
            }
            if (pb.final) end = (Math.floor(n / probesPerHop) + 1) * probesPerHop;
            continue;
          }
          if (!pb.sent) {
            if (sendWaitNs && lastSend !== null && lastSend + sendWaitNs > now) {
              nextTime = lastSend + sendWaitNs;
              break;
            }
            const failure = sendProbe(pb, Math.floor(n / probesPerHop) + 1);
            if (failure) {
              fatal(failure.what, failure.errno);
              return;
            }
            if (!pb.sent) {
              if (nextTime !== null) break;
              fatal('send probe', 'EAGAIN');
              return;
            }
            lastSend = pb.sendTime;
          }
          if (nextTime === null) nextTime = pb.sendTime + timeoutFor(n);
          num++;
          if (num >= options.simProbes) break;
        }
        if (start >= end) break;
        if (nextTime !== null) {
          timer = ctx.setTimer(Math.max(0, nextTime - ctx.now()), loop);
          return;
        }
      }
      ctx.stdout('\n');
      cleanUp();
      ctx.exit(0);
    } finally {
      looping = false;
      if (answeredWhileLooping && !finished) {
        answeredWhileLooping = false;
        timer?.cancel();
        timer = ctx.setTimer(0, loop);
      }
    }
  }

  ctx.onInterrupt(() => {
    cleanUp();
    ctx.exit(130);
  });
  loop();
};
