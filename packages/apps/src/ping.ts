/**
 * `ping`: ICMP echo, with iputils ping's output, errors and exit statuses (iputils 20221126 as
 * shipped by Debian 12, checked in network namespaces; the same text as 20240905 for everything
 * modelled here).
 *
 * Covers: -c -i -s -I (interface or address) -W -w -t -q -n -D -O -b -p -f -l -4 -6 -h -V; the header
 * `PING dst (addr) 56(84) bytes of data.`, reply lines with iputils' time precision rules (3
 * decimals under 1 ms … none from 100 ms), ICMP errors (`From X icmp_seq=N Destination Host
 * Unreachable`, every type and code of iputils' pr_icmph with the kernel's ee_info: the MTU, the
 * parameter problem's pointer) counted as `+N errors`, redirects and source quenches printed and not
 * counted (`From X: icmp_seq=N Redirect Host(New nexthop: G)`), duplicates `(DUP!)`, `pipe N`, and the summary with
 * iputils' integer mdev. Exit status: 0 with replies, 1 without (or fewer than -c before -w's
 * deadline), 2 on errors. Ctrl-C prints the summary. Times are virtual (ctx.now()).
 * Timing follows iputils' pinger(): a token bucket of `interval × preload` (-l N sends N probes at
 * once, then one per interval); interval 0 (-f, or -i below 1 ms) sends as soon as fewer than the
 * preload are in flight and every 10 ms (MININTERVAL) while nothing answers; the main loop's wake-ups
 * (a short wait of 10 ms while replies are expected) and a hard send error's 10 ms pause. After the
 * last of -c probes it waits for the outstanding replies at most max(2 × max RTT, interval) once
 * something was answered, else -W (default 10 s); -w ends everything at its deadline; the
 * summary's `time` runs from the first probe to the last.
 * Flood (-f) prints `.` per probe sent, backspace-space-backspace per reply, `E` per send error and
 * backspace-E per ICMP error, and the summary ends with `ipg/ewma` (mean gap between probes and
 * the RTT average iputils keeps as rtt += t − rtt/8) as it does for -i 0. -l warns that the receive
 * buffer may not hold the preload as iputils' sock_setbufs does with Linux's default
 * net.core.rmem_max (212992), and refuses interval × preload from INT_MAX ms.
 *
 * A broadcast destination (the UDP probe connect's EACCES) needs -b; a packet longer than 65535
 * bytes is a local error with the MTU; 0.0.0.0 pings the loopback source the route gave.
 * -v prints the socket line on stderr, the getaddrinfo line, `ident=N` on replies and the quoted
 * header (pr_iph) under a redirect or source quench.
 * A name is resolved by the node's resolver (host-names.ts: getaddrinfo over /etc/hosts); the header
 * and summary name the host by its canonical name, and the addresses of answers are printed with their
 * /etc/hosts name (`64 bytes from bee.example (10.0.0.2)`) unless -n or the host was typed as an address.
 * -M do|want|dont sets the socket's path MTU discovery: under do a probe larger than the path MTU is a
 * local error (`ping: local error: message too long, mtu=1400`, `mtu: 1400` for IPv6) and a packet
 * too big or frag needed prints `From R icmp_seq=1 Packet too big: mtu=1400` (`Frag needed and DF set
 * (mtu = 1400)`); the kernel learns the path MTU from it, so the next probe fails locally.
 * Leaves out: adaptive ping (-A), -R/-T options, IP options in -v's header dump, DNS, a terminal's
 * width limiting flood's dots.
 * Deviations: a non-numeric -i/-W is rejected (`invalid argument`) rather than read as 0; the token
 * bucket counts exact virtual nanoseconds where iputils truncates to milliseconds (so probes do not
 * drift by the sub-millisecond part of a reply's arrival). netloom models no CPU time, so a reply
 * from the node's own address comes back in the instant its probe left: with interval 0 (-f, -i 0)
 * the next turn of the main loop that would send in that same instant waits LOOP_TURN_NS instead,
 * where Linux's loop spends its CPU time (otherwise `ping -f 127.0.0.1` would send without end at
 * one instant and -w's deadline would never come).
 */
import { errnoMessage, type Errno, type IcmpMessage, type IcmpSocket, type PmtuDiscover, type Program, type ProcessContext } from '@netloom/stack';
import { getopt, glibcMessage } from './getopt.js';
import { isIpv4Literal, isIpv6Literal } from './address-text.js';
import { addressNamer, lookupHost } from './host-names.js';

const NS_PER_US = 1000;
const NS_PER_MS = 1_000_000;
const NS_PER_S = 1_000_000_000;
const LONG_MAX = '9223372036854775807';
const INT_MAX = 2147483647;
/** The received-sequence table's size, and -l's upper bound. */
const MAX_DUP_CHK = 0x10000;
/** MININTERVAL: a flood waits this long for a reply before it sends anyway; a short wait's length. */
const MININTERVAL_NS = 10 * NS_PER_MS;
/**
 * One turn of the main loop (recvmsg, the clock, sendmsg) on a flood whose replies take no time:
 * iputils 20221126 `ping -f -w 1 127.0.0.1` in a namespace on a 2-core VM: ipg/ewma 0.019/0.008 ms.
 */
const LOOP_TURN_NS = 20 * NS_PER_US;
/** Linux's default net.core.rmem_max, what SO_RCVBUF is capped at (then doubled). */
const RMEM_MAX = 212992;

export const PING_USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
`;

/** getopt string of iputils ping (all options are accepted; unmodelled ones are ignored). */
const PING_OPTIONS = 'h?46aABbCc:dDe:fF:hi:I:l:Lm:M:nN:Op:qQ:rRs:S:t:T:UvVw:W:';

interface PingOptions {
  count: number;
  intervalNs: number;
  size: number;
  interfaceOrAddress: string | null;
  lingerNs: number;
  deadlineNs: number;
  ttl: number | null;
  /** -M do|want|dont: IP_MTU_DISCOVER / IPV6_MTU_DISCOVER (null: the socket's default, want). */
  pmtudisc: PmtuDiscover | null;
  quiet: boolean;
  numeric: boolean;
  timestamps: boolean;
  outstanding: boolean;
  family: 4 | 6 | null;
  /** -b: a broadcast destination is allowed. */
  broadcast: boolean;
  /** -p: the bytes that fill the data (empty: 0, 1, 2, … as without -p). */
  pattern: number[];
  /** -f: flood output (and interval 0 unless -i was given). */
  flood: boolean;
  /** -i was given (opt_interval). */
  intervalGiven: boolean;
  /** -l: probes sent at once before the interval applies (and kept in flight by a flood). */
  preload: number;
  /** -v: the socket and getaddrinfo lines, `ident=` on replies, the quoted header under a redirect. */
  verbose: boolean;
  target: string;
}

type OptionsOutcome = { ok: true; options: PingOptions } | { ok: false; message: string; status: number };

/** iputils strtol_or_err: `invalid argument: 'x'` or `…: out of range: lo <= value <= hi`. */
function parseInteger(text: string, low: number, high: number, highText = String(high)): number | string {
  if (!/^\s*[-+]?\d+$/.test(text)) return `ping: invalid argument: '${text}'`;
  const value = Number(text);
  if (value < low || value > high) return `ping: invalid argument: '${text}': out of range: ${low} <= value <= ${highText}`;
  return value;
}

function parseSeconds(text: string): number | null {
  if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/**
 * iputils fill(): every character must be a hex digit (the error quotes the rest from the first
 * that is not); sscanf's `%2x` then reads up to 16 bytes, two digits each.
 */
export function parsePattern(text: string): number[] | string {
  const bad = text.search(/[^0-9a-fA-F]/);
  if (bad >= 0) return `ping: patterns must be specified as hex digits: ${text.slice(bad)}\n`;
  const bytes: number[] = [];
  for (let i = 0; i < text.length && bytes.length < 16; i += 2) bytes.push(Number.parseInt(text.slice(i, i + 2), 16));
  return bytes;
}

/** Options in argv order; `print` receives what iputils prints while parsing (`PATTERN: 0x…`). */
function parseOptions(argv: readonly string[], print: (text: string) => void): OptionsOutcome {
  const parsed = getopt(argv, { short: PING_OPTIONS });
  if (!parsed.ok) return { ok: false, message: `${glibcMessage('ping', parsed.error)}\n${PING_USAGE}`, status: 2 };
  const options: PingOptions = {
    count: 0,
    intervalNs: NS_PER_S,
    size: 56,
    interfaceOrAddress: null,
    lingerNs: 10 * NS_PER_S,
    deadlineNs: 0,
    ttl: null,
    pmtudisc: null,
    quiet: false,
    verbose: false,
    numeric: false,
    timestamps: false,
    outstanding: false,
    family: null,
    broadcast: false,
    pattern: [],
    flood: false,
    intervalGiven: false,
    preload: 1,
    target: '',
  };
  for (const { key, value = '' } of parsed.options) {
    switch (key) {
      case 'c': {
        const n = parseInteger(value, 1, Number.MAX_SAFE_INTEGER, LONG_MAX);
        if (typeof n === 'string') return { ok: false, message: `${n}\n`, status: 1 };
        options.count = n;
        break;
      }
      case 'i': {
        const seconds = parseSeconds(value);
        if (seconds === null) return { ok: false, message: `ping: invalid argument: '${value}'\n`, status: 1 };
        if (seconds < 0 || seconds > INT_MAX / 1000) return { ok: false, message: `ping: bad timing interval: ${value}\n`, status: 2 };
        // (int)(seconds * 1000): whole milliseconds, truncated; below 1 ms it is 0, a flood's pace.
        options.intervalNs = Math.trunc(seconds * 1000) * NS_PER_MS;
        options.intervalGiven = true;
        break;
      }
      case 's': {
        const n = parseInteger(value, 0, INT_MAX);
        if (typeof n === 'string') return { ok: false, message: `${n}\n`, status: 1 };
        options.size = n;
        break;
      }
      case 'I':
        options.interfaceOrAddress = value;
        break;
      case 'W': {
        const seconds = parseSeconds(value);
        if (seconds === null) return { ok: false, message: `ping: invalid argument: '${value}'\n`, status: 1 };
        if (seconds < 0 || seconds > INT_MAX / 1000) return { ok: false, message: `ping: bad linger time: ${value}\n`, status: 2 };
        options.lingerNs = Math.round(seconds * 1000) * NS_PER_MS;
        break;
      }
      case 'w': {
        const n = parseInteger(value, 0, INT_MAX);
        if (typeof n === 'string') return { ok: false, message: `${n}\n`, status: 1 };
        options.deadlineNs = n * NS_PER_S;
        break;
      }
      case 't': {
        const n = parseInteger(value, 0, 255);
        if (typeof n === 'string') return { ok: false, message: `${n}\n`, status: 1 };
        options.ttl = n;
        break;
      }
      case 'M':
        // iputils 20221126 takes do, dont and want (not probe): `ping: invalid -M argument: probe`.
        if (value !== 'do' && value !== 'dont' && value !== 'want') return { ok: false, message: `ping: invalid -M argument: ${value}\n`, status: 2 };
        options.pmtudisc = value;
        break;
      case 'q':
        options.quiet = true;
        break;
      case 'v':
        options.verbose = true;
        break;
      case 'n':
        options.numeric = true;
        break;
      case 'D':
        options.timestamps = true;
        break;
      case 'O':
        options.outstanding = true;
        break;
      case 'b':
        options.broadcast = true;
        break;
      case 'f':
        options.flood = true;
        break;
      case 'l': {
        const n = parseInteger(value, 1, MAX_DUP_CHK);
        if (typeof n === 'string') return { ok: false, message: `${n}\n`, status: 1 };
        options.preload = n;
        break;
      }
      case 'p': {
        const pattern = parsePattern(value);
        if (typeof pattern === 'string') return { ok: false, message: pattern, status: 2 };
        options.pattern = pattern;
        if (!options.quiet) print(`PATTERN: 0x${pattern.map((b) => b.toString(16).padStart(2, '0')).join('')}\n`);
        break;
      }
      case '4':
      case '6': {
        const family = key === '4' ? 4 : 6;
        if (options.family !== null && options.family !== family) {
          return { ok: false, message: 'ping: only one -4 or -6 option may be specified\n', status: 2 };
        }
        options.family = family;
        break;
      }
      case 'h':
      case '?':
        return { ok: false, message: PING_USAGE, status: 2 };
      case 'V':
        return {
          ok: false,
          message: 'ping from iputils 20240905\nlibcap: no, IDN: no, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n',
          status: 0,
        };
      default:
        break;
    }
  }
  if (parsed.operands.length === 0) return { ok: false, message: 'ping: usage error: Destination address required\n', status: 1 };
  if (parsed.operands.length > 1) return { ok: false, message: 'ping: record route: Operation not permitted\n', status: 2 };
  options.target = parsed.operands[0] ?? '';
  if (options.flood && !options.intervalGiven) options.intervalNs = 0;
  return { ok: true, options };
}

/** printf("%g") for the packet-loss percentage. */
export function formatG(value: number): string {
  if (value === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa = '0', exp = '0'] = value.toExponential(5).split('e');
    const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    const e = Number(exp);
    return `${trimmed}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const fixed = value.toFixed(Math.max(0, 5 - exponent));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** iputils' reply time: 3 decimals below 1 ms, 2 below 10 ms, 1 below 100 ms, none above. */
export function formatRtt(microseconds: number): string {
  const t = microseconds;
  if (t >= 100000 - 50) return `${Math.floor((t + 500) / 1000)}`;
  if (t >= 10000 - 5) return `${Math.floor((t + 50) / 1000)}.${Math.floor(((t + 50) % 1000) / 100)}`;
  if (t >= 1000) return `${Math.floor((t + 5) / 1000)}.${String(Math.floor(((t + 5) % 1000) / 10)).padStart(2, '0')}`;
  return `${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')}`;
}

function millis(microseconds: number): string {
  return `${Math.floor(microseconds / 1000)}.${String(microseconds % 1000).padStart(3, '0')}`;
}

const DEST_UNREACHABLE_TEXTS = [
  'Destination Net Unreachable',
  'Destination Host Unreachable',
  'Destination Protocol Unreachable',
  'Destination Port Unreachable',
  'Frag needed and DF set',
  'Source Route Failed',
  'Destination Net Unknown',
  'Destination Host Unknown',
  'Source Host Isolated',
  'Destination Net Prohibited',
  'Destination Host Prohibited',
  'Destination Net Unreachable for Type of Service',
  'Destination Host Unreachable for Type of Service',
  'Packet filtered',
  'Precedence Violation',
  'Precedence Cutoff',
];
const REDIRECT_TEXTS = ['Redirect Network', 'Redirect Host', 'Redirect Type of Service and Network', 'Redirect Type of Service and Host'];
/** pr_icmph's one-word texts for the ICMP types that carry no code or info. */
const PLAIN_TYPE_TEXTS: Record<number, string> = {
  0: 'Echo Reply',
  4: 'Source Quench',
  8: 'Echo Request',
  13: 'Timestamp',
  14: 'Timestamp Reply',
  15: 'Information Request',
  16: 'Information Reply',
  17: 'Address Mask Request',
  18: 'Address Mask Reply',
};

/**
 * iputils' pr_icmph for an ICMPv4 type and code; `info` is the kernel's ee_info (the error queue
 * path) or the header's gateway field (a redirect read from the raw socket): the frag-needed MTU,
 * the parameter problem's pointer, the redirect's new next hop (a host-order IPv4 address).
 */
export function icmp4ErrorText(type: number, code: number, info = 0): string {
  switch (type) {
    case 3:
      if (code === 4) return `Frag needed and DF set (mtu = ${info >>> 0})`;
      return DEST_UNREACHABLE_TEXTS[code] ?? `Dest Unreachable, Bad Code: ${code}`;
    case 5:
      return `${REDIRECT_TEXTS[code] ?? `Redirect, Bad Code: ${code}`}(New nexthop: ${ipv4Text(info)})`;
    case 11:
      if (code === 0) return 'Time to live exceeded';
      if (code === 1) return 'Frag reassembly time exceeded';
      return `Time exceeded, Bad Code: ${code}`;
    case 12:
      return `Parameter problem: pointer = ${info >>> 0}`;
    default:
      return PLAIN_TYPE_TEXTS[type] ?? `Bad ICMP type: ${type}`;
  }
}

function ipv4Text(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

/** ICMPv6 error texts of iputils' print_icmp (ping6_common.c). */
export function icmp6ErrorText(type: number, code: number, mtu?: number): string {
  if (type === 1) {
    const texts = ['No route', 'Administratively prohibited', 'Beyond scope of source address', 'Address unreachable', 'Port unreachable'];
    const text = texts[code];
    return text ? `Destination unreachable: ${text}` : `Destination unreachable: Unknown code ${code}`;
  }
  if (type === 2) return mtu === undefined ? 'Packet too big' : `Packet too big: mtu=${mtu}`;
  if (type === 3) {
    if (code === 0) return 'Time exceeded: Hop limit';
    if (code === 1) return 'Time exceeded: Defragmentation failure';
    return `Time exceeded: Unknown code ${code}`;
  }
  if (type === 4) return 'Parameter problem';
  return `Unknown icmp type: ${type}`;
}

/** -v's report of the sockets ping opened (fd 3, then 4; -4 or -6 opens one). */
function socketsLine(only: 4 | 6 | null): string {
  const sock4 = only === 6 ? '-1 (socktype: 0)' : '3 (socktype: SOCK_RAW)';
  const sock6 = only === 4 ? '-1 (socktype: 0)' : `${only === 6 ? 3 : 4} (socktype: SOCK_RAW)`;
  const hints = only === 4 ? 'AF_INET' : only === 6 ? 'AF_INET6' : 'AF_UNSPEC';
  return `sock4.fd: ${sock4}, sock6.fd: ${sock6}, hints.ai_family: ${hints}`;
}

/**
 * iputils' pr_iph: the IPv4 header an ICMP message quotes. Length, ID, fragment field and checksum
 * are printed as the struct holds them, in network order read by a little-endian machine (so
 * 84 bytes shows as 5400, and DF as flags 0, offset 0040). Options (a header over 20 bytes) are
 * left out.
 */
export function quotedHeaderDump(quoted: Uint8Array): string {
  if (quoted.length < 20) return '';
  const b = (i: number): number => quoted[i]!;
  const raw16 = (i: number): number => b(i) | (b(i + 1) << 8);
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  const frag = raw16(6);
  return (
    'Vr HL TOS  Len   ID Flg  off TTL Pro  cks      Src      Dst Data\n' +
    ` ${hex(b(0) >> 4, 1)}  ${hex(b(0) & 0xf, 1)}  ${hex(b(1), 2)} ${hex(raw16(2), 4)} ${hex(raw16(4), 4)}` +
    `   ${hex((frag & 0xe000) >> 13, 1)} ${hex(frag & 0x1fff, 4)}` +
    `  ${hex(b(8), 2)}  ${hex(b(9), 2)} ${hex(raw16(10), 4)}` +
    ` ${[12, 13, 14, 15].map(b).join('.')}  ${[16, 17, 18, 19].map(b).join('.')} \n`
  );
}

/** A deterministic echo identifier per process (Linux assigns the ping socket's port). */
function echoIdentifier(ctx: ProcessContext): number {
  let hash = 0x811c9dc5;
  for (const ch of `${ctx.hostname}/${ctx.now()}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return hash & 0xffff;
}

function fail(ctx: ProcessContext, message: string, status: number): void {
  ctx.stderr(message);
  ctx.exit(status);
}

function echoPayload(size: number, now: number, pattern: readonly number[]): Uint8Array {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = pattern.length > 0 ? pattern[i % pattern.length]! : i & 0xff;
  if (size >= 16) {
    // struct timeval, little-endian 64-bit seconds and microseconds, as iputils writes it.
    const view = new DataView(payload.buffer);
    view.setBigUint64(0, BigInt(Math.floor(now / NS_PER_S)), true);
    view.setBigUint64(8, BigInt(Math.floor((now % NS_PER_S) / NS_PER_US)), true);
  }
  return payload;
}

/**
 * iputils sock_setbufs: SO_RCVBUF asked for the preload's worth of replies (C int arithmetic), at
 * least 64 KiB; Linux caps it at net.core.rmem_max and doubles it. False when that is less.
 */
export function rcvbufHoldsPreload(size: number, preload: number): boolean {
  let hold = (size + 8) | 0;
  hold = (hold + Math.imul(((hold + 511) / 512) | 0, 20 + 16 + 64 + 160)) | 0;
  const wanted = Math.imul(hold, preload);
  return 2 * Math.min(Math.max(wanted, 65536), RMEM_MAX) >= wanted;
}

/** Does a UDP connect to the destination fail with EACCES (a broadcast route without SO_BROADCAST)? */
function broadcastRefusal(ctx: ProcessContext, destination: string, device: string | undefined, source: string | null): Errno | null {
  const probe = ctx.udpSocket(4);
  if ('errno' in probe) return probe.errno;
  if (device !== undefined) probe.setsockopt('SO_BINDTODEVICE', device);
  if (source !== null) probe.bind(source, 0);
  const connected = probe.connect(destination, 1025);
  probe.close();
  return connected.ok ? null : connected.errno;
}

export const ping: Program = (ctx) => {
  const outcome = parseOptions(ctx.argv, (text) => ctx.stdout(text));
  if (!outcome.ok) {
    if (outcome.status === 0) ctx.stdout(outcome.message);
    else ctx.stderr(outcome.message);
    ctx.exit(outcome.status);
    return;
  }
  const options = outcome.options;
  const target = options.target;
  // -v: iputils reports its raw sockets (created before the name is resolved) with error(), and each
  // address getaddrinfo gave.
  if (options.verbose) ctx.stderr(`ping: ${socketsLine(options.family)}\n\n`);
  const addrinfo = (of: 4 | 6, canonName: string): void => {
    if (options.verbose) ctx.stdout(`ai->ai_family: AF_INET${of === 6 ? '6' : ''}, ai->ai_canonname: '${canonName}'\n`);
  };

  // Resolve the destination (getaddrinfo with the requested family).
  let family: 4 | 6;
  let destination: string;
  /** rts->hostname: what the header and the summary call the host (getaddrinfo's canonical name). */
  let hostname = target;
  if (isIpv4Literal(target)) {
    addrinfo(4, target);
    if (options.family === 6) return fail(ctx, `ping: ${target}: Address family for hostname not supported\n`, 2);
    family = 4;
    destination = target;
  } else if (isIpv6Literal(target)) {
    addrinfo(6, target);
    if (options.family === 4) return fail(ctx, `ping: ${target}: Address family for hostname not supported\n`, 2);
    family = 6;
    destination = target;
  } else {
    const found = lookupHost(ctx, target, options.family);
    if (!found.ok) return fail(ctx, `ping: ${target}: ${found.message}\n`, 2);
    ({ family, address: destination, canonName: hostname } = found.host);
    addrinfo(family, hostname);
  }

  const opened = ctx.icmpSocket(family);
  // create_socket: a requisite socket that fails names its type, then the errno (EMFILE: "Too many open files").
  if ('errno' in opened) return fail(ctx, `ping: socktype: SOCK_DGRAM\nping: socket: ${errnoMessage[opened.errno]}\n`, 2);
  const socket: IcmpSocket = opened;
  const stop = (status: number): void => {
    socket.close();
    ctx.exit(status);
  };
  const socketFail = (message: string): void => {
    socket.close();
    fail(ctx, message, 2);
  };

  // -I: an address is bound; anything else is a device (SO_BINDTODEVICE).
  let device: string | undefined;
  let boundSource: string | null = null;
  const via = options.interfaceOrAddress;
  if (via !== null) {
    if ((family === 4 && isIpv4Literal(via)) || (family === 6 && isIpv6Literal(via))) {
      const bound = socket.bind(via);
      if (!bound.ok) return socketFail(`ping: bind: ${errnoMessage[bound.errno]}\n`);
      boundSource = via;
    } else {
      const bound = socket.setsockopt('SO_BINDTODEVICE', via);
      if (!bound.ok) return socketFail(`ping: SO_BINDTODEVICE ${via}: ${errnoMessage[bound.errno]}\n`);
      device = via;
    }
  }
  // iputils connects a UDP probe socket to learn the source address (and fails here without a route).
  // A broadcast route refuses the connect without SO_BROADCAST (EACCES): ping asks for -b.
  if (family === 4) {
    const refusal = broadcastRefusal(ctx, destination, device, boundSource);
    if (refusal === 'EACCES' && !options.broadcast) {
      return socketFail('ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n');
    }
    if (refusal === 'EACCES') ctx.stderr('WARNING: pinging broadcast address\n');
  }
  const routed = ctx.routeSource(destination, device);
  if ('errno' in routed) return socketFail(`ping: connect: ${errnoMessage[routed.errno]}\n`);
  const source = boundSource ?? routed.source;
  // ping4_run: with -I DEVICE, a source that is none of the device's addresses draws a warning
  // (iputils 20221126 in a namespace: `ping -I lo 10.200.2.2` routed out of vA).
  if (family === 4 && device !== undefined) {
    const ifindex = ctx.ifindex(device);
    if (!ctx.interfaceAddresses().some((a) => a.ifindex === ifindex && a.address === source)) {
      ctx.stderr(`ping: Warning: source address might be selected on device other than: ${device}\n`);
    }
  }
  // Linux routes 0.0.0.0 to the loopback address, and ping then pings the source it was given.
  if (family === 4 && destination === '0.0.0.0') destination = source;

  if (options.ttl !== null) {
    const set = options.ttl === 0 ? { ok: false as const, errno: 'EINVAL' as Errno } : socket.setsockopt('IP_TTL', options.ttl);
    if (!set.ok) return socketFail(`ping: cannot set unicast time-to-live: ${errnoMessage[set.errno]}\n`);
  }

  if (options.pmtudisc !== null) socket.setsockopt('IP_MTU_DISCOVER', options.pmtudisc);

  // pr_addr: a host typed as an address is printed numeric (ping4_run sets opt_numeric), a name's
  // answers with the /etc/hosts name of their address (getnameinfo), as `name (address)`.
  const isLiteral = isIpv4Literal(target) || isIpv6Literal(target);
  const namer = options.numeric || isLiteral ? null : addressNamer(ctx, { address: destination, name: target });
  const nameOf = (address: string): string => {
    const name = namer?.(address) ?? null;
    return name === null ? address : `${name} (${address})`;
  };

  const size = options.size;
  if (!rcvbufHoldsPreload(size, options.preload)) ctx.stderr('ping: WARNING: probably, rcvbuf is not enough to hold preload\n');
  if (family === 4) {
    const from = via !== null ? `from ${source} ${device ?? ''}: ` : '';
    ctx.stdout(`PING ${hostname} (${destination}) ${from}${size}(${size + 28}) bytes of data.\n`);
  } else {
    const from = via !== null ? `from ${source} ${device ?? ''}: ` : '';
    ctx.stdout(`PING ${hostname}(${nameOf(destination)}) ${from}${size} data bytes\n`);
  }
  const intervalMs = options.intervalNs / NS_PER_MS;
  if (intervalMs >= Math.trunc(INT_MAX / options.preload)) return socketFail(`ping: illegal preload and/or interval: ${intervalMs}\n`);

  const id = echoIdentifier(ctx);
  const timing = size >= 16;
  const interval = options.intervalNs;
  const preload = options.preload;
  const flood = options.flood && !options.quiet;
  const sentAt = new Map<number, number>();
  const received = new Set<number>();
  let transmitted = 0;
  let replies = 0;
  let repeats = 0;
  let errors = 0;
  let pipesize = 1;
  /** The highest sequence answered (by a reply or an ICMP error): what is in flight is after it. */
  let acked = 0;
  let tmin = Number.MAX_SAFE_INTEGER;
  let tmax = 0;
  let tsum = 0;
  let tsum2 = 0;
  /** iputils' rtt: 8 × an exponentially weighted RTT average in µs (the summary's ewma). */
  let rttEwma8 = 0;
  let startTime = 0;
  /** cur_time: when the token bucket last let a probe go (null before the first). */
  let lastSendTime: number | null = null;
  /** The token bucket's credit in ns (iputils: ms). */
  let tokens = 0;
  let finished = false;
  let wakeTimer: { cancel(): void } | null = null;
  let exitTimer: { cancel(): void } | null = null;

  /** -D: `[seconds.microseconds] ` of virtual time before reply and error lines. */
  const stamp = (): string => {
    if (!options.timestamps) return '';
    const now = ctx.now();
    return `[${Math.floor(now / NS_PER_S)}.${String(Math.floor((now % NS_PER_S) / NS_PER_US)).padStart(6, '0')}] `;
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    wakeTimer?.cancel();
    exitTimer?.cancel();
    let text = `\n--- ${hostname} ping statistics ---\n`;
    text += `${transmitted} packets transmitted, ${replies} received`;
    if (repeats) text += `, +${repeats} duplicates`;
    if (errors) text += `, +${errors} errors`;
    const elapsedUs = Math.floor(((lastSendTime ?? startTime) - startTime) / NS_PER_US);
    if (transmitted) {
      const loss = ((transmitted - replies) * 100) / transmitted;
      text += `, ${formatG(Math.fround(loss))}% packet loss`;
      text += `, time ${Math.floor((elapsedUs + 500) / 1000)}ms`;
    }
    text += '\n';
    let comma = '';
    if (replies && timing) {
      const total = replies + repeats;
      const tavg = Math.floor(tsum / total);
      const tvar =
        tsum < INT_MAX ? Math.floor((tsum2 - Math.floor((tsum * tsum) / total)) / total) : Math.floor(tsum2 / total) - tavg * tavg;
      const tmdev = Math.floor(Math.sqrt(Math.max(0, tvar)));
      text += `rtt min/avg/max/mdev = ${millis(tmin)}/${millis(tavg)}/${millis(tmax)}/${millis(tmdev)} ms`;
      comma = ', ';
    }
    if (pipesize > 1) {
      text += `${comma}pipe ${pipesize}`;
      comma = ', ';
    }
    if (replies && (interval === 0 || options.flood) && transmitted > 1) {
      const ipg = Math.floor(elapsedUs / (transmitted - 1));
      const ewma = Math.trunc(rttEwma8 / 8);
      text += `${comma}ipg/ewma ${millis(ipg)}/${millis(ewma)} ms`;
    }
    text += '\n';
    ctx.stdout(text);
    const status = replies === 0 || (options.deadlineNs > 0 && options.count > 0 && replies < options.count) ? 1 : 0;
    stop(status);
  };

  /** iputils acknowledge(): the pipe size, and the highest sequence answered. */
  const acknowledge = (sequence: number): void => {
    const diff = (transmitted - sequence) & 0xffff;
    if (diff > 0x7fff) return;
    if (diff + 1 > pipesize) pipesize = diff + 1;
    if (((sequence - acked) << 16) >> 16 > 0 || ((transmitted - acked) & 0xffff) > 0x7fff) acked = sequence;
  };

  /** in_flight(): probes sent after the highest one answered. */
  const inFlight = (): number => {
    const diff = (transmitted - acked) & 0xffff;
    return diff <= 0x7fff ? diff : transmitted - replies - errors;
  };

  const checkDone = (): void => {
    if (options.count && replies + errors >= options.count) finish();
    else if (options.deadlineNs && errors) finish();
  };

  /** schedule_exit(): once -c probes are out, wait for their answers at most this long. */
  const scheduleExit = (): void => {
    if (exitTimer || options.deadlineNs) return;
    let wait = options.lingerNs;
    if (replies) wait = Math.max(2 * tmax * NS_PER_US, interval);
    // setitimer(2) with a zero it_value disarms: after replies in no time, only the last answer ends it.
    if (wait === 0) return;
    exitTimer = ctx.setTimer(wait, finish);
  };

  const sendingDone = (): boolean => options.count > 0 && transmitted >= options.count && !options.deadlineNs;

  /** Send one probe; a hard error still counts as sent (iputils "pretends" it was). */
  const sendProbe = (now: number): boolean => {
    if (transmitted === 0) startTime = now;
    const sequence = (transmitted + 1) & 0xffff;
    if (options.outstanding && transmitted > 0 && !received.has(transmitted & 0xffff)) {
      ctx.stdout(`${stamp()}no answer yet for icmp_seq=${transmitted & 0xffff}\n`);
    }
    const result = socket.sendEcho(destination, id, sequence, echoPayload(size, now, options.pattern));
    transmitted++;
    sentAt.set(sequence, now);
    received.delete(sequence);
    if (result.ok) {
      if (flood) ctx.stdout('.');
      return true;
    }
    if (result.localErrorMtu !== undefined) {
      // receive_error_msg: a local error from the error queue counts as an error of this probe
      // (not under -q, which returns before nerrors++); ping6's text says `mtu: N`, ping4's `mtu=N`.
      if (options.quiet) return false;
      errors++;
      if (flood) ctx.stdout('E');
      else ctx.stderr(`ping: local error: message too long, ${family === 6 ? 'mtu: ' : 'mtu='}${result.localErrorMtu}\n`);
    }
    // Any other failed send (a route lookup refused it: unreachable, prohibit, no route) leaves the
    // error queue empty, so receive_error_msg returns -1 and pinger() prints nothing, not even
    // flood's 'E': the probe counts as sent and is lost (iputils 20221126 in a namespace, a
    // `prohibit` or `unreachable` route added while ping runs).
    return false;
  };

  /**
   * pinger(): send if the token bucket allows, and say in how many ns to call again (0 or less:
   * at once). Tokens accrue with time, at most interval × preload; a probe costs an interval.
   */
  const pinger = (now: number): number => {
    if (sendingDone()) return NS_PER_S;
    if (lastSendTime === null) tokens = interval * (preload - 1);
    else {
      let credit = now - lastSendTime;
      // An unlimited flood waits for a reply, but not longer than MININTERVAL.
      if (interval === 0 && credit < MININTERVAL_NS && inFlight() >= preload) return MININTERVAL_NS - credit;
      credit = Math.min(credit + tokens, interval * preload);
      if (credit < interval) return interval - credit;
      tokens = credit - interval;
    }
    lastSendTime = now;
    if (sendProbe(now)) return interval - tokens;
    tokens = 0;
    return Math.max(interval, MININTERVAL_NS);
  };

  /**
   * One turn of iputils' main loop: probes while pinger says "now", then the wait until the next
   * turn — a wait shorter than 10 ms (and than the interval) is 10 ms while replies are expected.
   */
  const pump = (): void => {
    wakeTimer?.cancel();
    wakeTimer = null;
    // The loop's exit checks come first (a send error counted in the last turn ends it here).
    checkDone();
    if (finished) return;
    if (interval === 0 && lastSendTime === ctx.now() && !sendingDone()) {
      // A reply (or error) that came back in the instant its probe left: the loop's turn takes time.
      wakeTimer = ctx.setTimer(LOOP_TURN_NS, pump);
      return;
    }
    let next: number;
    do {
      next = pinger(ctx.now());
      if (sendingDone()) scheduleExit();
    } while (next <= 0);
    if (sendingDone()) {
      // Only a send error can complete -c without a message arriving: the next turn (after
      // recvmsg's timeout) sees it.
      if (options.count && replies + errors >= options.count) wakeTimer = ctx.setTimer(Math.max(interval, MININTERVAL_NS), pump);
      return;
    }
    let wait = next;
    if (next < Math.max(interval, MININTERVAL_NS) && next <= MININTERVAL_NS && inFlight() > 0) wait = MININTERVAL_NS;
    wakeTimer = ctx.setTimer(wait, pump);
  };

  const isReply = (m: IcmpMessage): boolean => (family === 4 ? m.type === 0 : m.type === 129);
  const isError = (m: IcmpMessage): boolean => (family === 4 ? [3, 11, 12].includes(m.type) : [1, 2, 3, 4].includes(m.type));
  /** ICMP_REDIRECT and ICMP_SOURCE_QUENCH: printed from the raw socket, never counted. */
  const isNotice = (m: IcmpMessage): boolean => family === 4 && (m.type === 5 || m.type === 4);

  socket.onMessage((message) => {
    if (finished || message.id !== id) return;
    const sequence = message.sequence;
    if (isReply(message)) {
      const sent = sentAt.get(sequence);
      if (sent === undefined) return;
      // gather_statistics: the RTT counts (duplicates too) before the duplicate check.
      const rttUs = Math.floor((message.receivedAt - sent) / NS_PER_US);
      acknowledge(sequence);
      if (timing) {
        tsum += rttUs;
        tsum2 += rttUs * rttUs;
        if (rttUs < tmin) tmin = rttUs;
        if (rttUs > tmax) tmax = rttUs;
        rttEwma8 = rttEwma8 === 0 ? rttUs * 8 : rttEwma8 + rttUs - Math.trunc(rttEwma8 / 8);
      }
      const duplicate = received.has(sequence);
      if (duplicate) repeats++;
      else {
        replies++;
        received.add(sequence);
      }
      if (flood) ctx.stdout('\b \b');
      else if (!options.quiet) {
        let line = `${message.payload.length + 8} bytes from ${nameOf(message.from)}: icmp_seq=${sequence}${options.verbose ? ` ident=${id}` : ''} ttl=${message.ttl}`;
        if (timing) line += ` time=${formatRtt(rttUs)} ms`;
        if (duplicate) line += ' (DUP!)';
        ctx.stdout(`${stamp()}${line}\n`);
      }
      checkDone();
      pumpAfterReceive();
      return;
    }
    if (isNotice(message)) {
      // ping4_parse_reply: a redirect or source quench quoting our request is no error (the kernel
      // queues none for it); the raw socket's copy is printed as `From X: icmp_seq=N …`, whatever
      // the sequence, and not counted.
      if (!options.quiet && !flood) {
        ctx.stdout(`${stamp()}From ${nameOf(message.from)}: icmp_seq=${sequence} ${icmp4ErrorText(message.type, message.code, message.info)}\n`);
        if (options.verbose) ctx.stdout(quotedHeaderDump(message.payload));
      }
      pumpAfterReceive();
      return;
    }
    if (isError(message)) {
      if (!sentAt.has(sequence)) return;
      errors++;
      acknowledge(sequence);
      if (flood) ctx.stdout('\bE');
      else if (!options.quiet) {
        // ping4_receive_error_msg: the error queue's ee_type, ee_code and ee_info.
        const text =
          family === 4 ? icmp4ErrorText(message.type, message.code, message.info) : icmp6ErrorText(message.type, message.code, message.type === 2 ? message.info : undefined);
        ctx.stdout(`${stamp()}From ${nameOf(message.from)} icmp_seq=${sequence} ${text}\n`);
      }
      checkDone();
      pumpAfterReceive();
    }
  });

  /** After what arrived at this instant is read (a batch, as recvmsg drains the socket), pinger runs. */
  let pumpPending = false;
  function pumpAfterReceive(): void {
    if (finished || pumpPending) return;
    pumpPending = true;
    ctx.setTimer(0, () => {
      pumpPending = false;
      pump();
    });
  }

  ctx.onInterrupt(finish);
  if (options.deadlineNs) ctx.setTimer(options.deadlineNs, finish);
  pump();
};
