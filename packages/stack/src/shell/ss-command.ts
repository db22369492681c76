/**
 * `ss` (iproute2 6.1) over the node's socket tables: TCP and UDP sockets of both families, with
 * -t -u -a -l -n -p -4 -6 -H, -f inet|inet6, -A tcp|udp|inet|all, and the state filters
 * (`state established`, `exclude listening`, the groups connected/synchronized/bucket/big/all).
 *
 * Follows ss.c: the filter defaults (filter_db_set, filter_af_set, filter_merge_defaults: TCP alone
 * lists connected sockets — not LISTEN, TIME-WAIT or SYN-RECV — UDP alone only connected ones, -a
 * everything, -l listeners and unconnected UDP), UDP before TCP, the Netid column only when more
 * than one socket table is asked for and the State column only when more than one state is,
 * `*` for port 0, service names from /etc/services (services.ts) unless -n or the port is in
 * ip_local_port_range, IPv6 addresses in brackets, SO_BINDTODEVICE as `addr%dev`, `users:(("nc",pid=12,fd=3))`
 * with -p, and the compact rendering ss uses when its output is not a terminal (render_calc_width:
 * each column as wide as its widest cell, the last row's last cell not counted). Sockets are listed
 * IPv4 before IPv6 and listeners first, as the kernel's dump walks its listening hash first.
 *
 * Leaves out: -o -e -m -i -s -r -K -E -b -Z -O -D -F -N and the other socket kinds (unix, raw,
 * packet, netlink…) — refused with a message; filter expressions (`dport = :80`), refused; the
 * terminal-width layout (a node's output is never a terminal). The model's IPv6 sockets hold their
 * own port space (IPV6_V6ONLY), so a wildcard prints `[::]`, never the `*` of a dual-stack socket.
 */
import { formatIpv6, parseIpv6 } from '@netloom/wire';
import type { InetSocketInfo, SocketListing, SocketProcess, TcpSocketInfo, UdpSocketInfo } from '../tcp/socket-info.js';
import type { CommandOutput } from './net-tools.js';
import { serviceName } from './services.js';

const USAGE = `Usage: ss [ OPTIONS ]
       ss [ OPTIONS ] [ FILTER ]
   -h, --help          this message
   -V, --version       output version information
   -n, --numeric       don't resolve service names
   -r, --resolve       resolve host names
   -a, --all           display all sockets
   -l, --listening     display listening sockets
   -o, --options       show timer information
   -e, --extended      show detailed socket information
   -m, --memory        show socket memory usage
   -p, --processes     show process using socket
   -T, --threads       show thread using socket
   -i, --info          show internal TCP information
       --tipcinfo      show internal tipc socket information
   -s, --summary       show socket usage summary
       --tos           show tos and priority information
       --cgroup        show cgroup information
   -b, --bpf           show bpf filter socket information
   -E, --events        continually display sockets as they are destroyed
   -Z, --context       display task SELinux security contexts
   -z, --contexts      display task and socket SELinux security contexts
   -N, --net           switch to the specified network namespace name

   -4, --ipv4          display only IP version 4 sockets
   -6, --ipv6          display only IP version 6 sockets
   -0, --packet        display PACKET sockets
   -t, --tcp           display only TCP sockets
   -M, --mptcp         display only MPTCP sockets
   -S, --sctp          display only SCTP sockets
   -u, --udp           display only UDP sockets
   -d, --dccp          display only DCCP sockets
   -w, --raw           display only RAW sockets
   -x, --unix          display only Unix domain sockets
       --tipc          display only TIPC sockets
       --vsock         display only vsock sockets
       --xdp           display only XDP sockets
   -f, --family=FAMILY display sockets of type FAMILY
       FAMILY := {inet|inet6|link|unix|netlink|vsock|tipc|xdp|help}

   -K, --kill          forcibly close sockets, display what was closed
   -H, --no-header     Suppress header line
   -O, --oneline       socket's data printed on a single line
       --inet-sockopt  show various inet socket options

   -A, --query=QUERY, --socket=QUERY
       QUERY := {all|inet|tcp|mptcp|udp|raw|unix|unix_dgram|unix_stream|unix_seqpacket|packet|packet_raw|packet_dgram|netlink|dccp|sctp|vsock_stream|vsock_dgram|tipc|xdp}[,QUERY]

   -D, --diag=FILE     Dump raw information about TCP sockets to FILE
   -F, --filter=FILE   read filter information from FILE
       FILTER := [ state STATE-FILTER ] [ EXPRESSION ]
       STATE-FILTER := {all|connected|synchronized|bucket|big|TCP-STATES}
         TCP-STATES := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|closed|close-wait|last-ack|listening|closing}
          connected := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}
       synchronized := {established|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}
             bucket := {syn-recv|time-wait}
                big := {established|syn-sent|fin-wait-{1,2}|closed|close-wait|last-ack|listening|closing}
`;

const VERSION = 'ss utility, iproute2-6.1.0\n';

// ss.c's SS_* state numbers.
const SS_ESTABLISHED = 1;
const SS_SYN_SENT = 2;
const SS_SYN_RECV = 3;
const SS_TIME_WAIT = 6;
const SS_CLOSE = 7;
const SS_LISTEN = 10;
const SS_MAX = 12;
const SS_ALL = (1 << SS_MAX) - 1;
const SS_CONN = SS_ALL & ~((1 << SS_LISTEN) | (1 << SS_CLOSE) | (1 << SS_TIME_WAIT) | (1 << SS_SYN_RECV));

/** The state names ss prints (sstate_name), by SS_* number. */
const STATE_NAMES = ['UNKNOWN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'] as const;
/** The names `state` accepts (sstate_namel). */
const STATE_WORDS = ['unknown', 'established', 'syn-sent', 'syn-recv', 'fin-wait-1', 'fin-wait-2', 'time-wait', 'unconnected', 'close-wait', 'last-ack', 'listening', 'closing'];

// ss.c's socket tables (the *_DB enum) and address families.
const TCP_DB = 0;
const MPTCP_DB = 1;
const DCCP_DB = 2;
const UDP_DB = 3;
const RAW_DB = 4;
const SCTP_DB = 11;
const INET_DBM = (1 << TCP_DB) | (1 << MPTCP_DB) | (1 << UDP_DB) | (1 << DCCP_DB) | (1 << SCTP_DB) | (1 << RAW_DB);
/** default_dbs[].states of the inet tables; the others (unix, packet, …) are not modelled. */
const DB_STATES: Readonly<Record<number, number>> = { [TCP_DB]: SS_CONN, [MPTCP_DB]: SS_CONN, [DCCP_DB]: SS_CONN, [UDP_DB]: 1 << SS_ESTABLISHED, [RAW_DB]: 1 << SS_ESTABLISHED, [SCTP_DB]: SS_CONN };
/** filter_db_parse's names for the inet tables, in its table's order. */
const DB_NAMES: Readonly<Record<string, readonly number[]>> = {
  all: [UDP_DB, DCCP_DB, TCP_DB, MPTCP_DB, RAW_DB, SCTP_DB],
  inet: [UDP_DB, DCCP_DB, TCP_DB, MPTCP_DB, SCTP_DB, RAW_DB],
  udp: [UDP_DB],
  dccp: [DCCP_DB],
  tcp: [TCP_DB],
  mptcp: [MPTCP_DB],
  sctp: [SCTP_DB],
  raw: [RAW_DB],
};
const AF_INET = 1;
const AF_INET6 = 2;

/** ss's long options in its table's order (getopt_long matches unambiguous prefixes). */
const LONG_OPTIONS: readonly (readonly [string, string, boolean])[] = [
  ['numeric', 'n', false], ['resolve', 'r', false], ['options', 'o', false], ['extended', 'e', false], ['memory', 'm', false],
  ['info', 'i', false], ['processes', 'p', false], ['threads', 'T', false], ['bpf', 'b', false], ['events', 'E', false],
  ['dccp', 'd', false], ['tcp', 't', false], ['sctp', 'S', false], ['udp', 'u', false], ['raw', 'w', false], ['unix', 'x', false],
  ['tipc', 'tipc', false], ['vsock', 'vsock', false], ['all', 'a', false], ['listening', 'l', false], ['ipv4', '4', false],
  ['ipv6', '6', false], ['packet', '0', false], ['family', 'f', true], ['socket', 'A', true], ['query', 'A', true],
  ['summary', 's', false], ['diag', 'D', true], ['filter', 'F', true], ['version', 'V', false], ['help', 'h', false],
  ['context', 'Z', false], ['contexts', 'z', false], ['net', 'N', true], ['tipcinfo', 'tipcinfo', false], ['tos', 'tos', false],
  ['cgroup', 'cgroup', false], ['kill', 'K', false], ['no-header', 'H', false], ['xdp', 'xdp', false], ['mptcp', 'M', false],
  ['oneline', 'O', false], ['inet-sockopt', 'inet-sockopt', false],
];
/** getopt's short options: the letter and whether it takes an argument. */
const SHORT_OPTIONS = 'dhaletuwxnro460spbEf:mMiA:D:F:vVzZN:KHSOT';

/** What the options asked for. */
interface SsRequest {
  dbs: number;
  states: number;
  families: number;
  numeric: boolean;
  processes: boolean;
  header: boolean;
}

const fail = (stderr: string, status = 255): CommandOutput => ({ stdout: '', stderr, status });
const usageError = (message: string): CommandOutput => fail(`${message}${USAGE}`);

/** scan_state: a state name or group as a bit mask, or null. */
function scanState(word: string): number | null {
  const w = word.toLowerCase();
  if (w === 'close' || w === 'closed') return 1 << SS_CLOSE;
  if (w === 'syn-rcv') return 1 << SS_SYN_RECV;
  if (w === 'all') return SS_ALL;
  if (w === 'connected') return SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN));
  if (w === 'synchronized') return SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN) | (1 << SS_SYN_SENT));
  if (w === 'bucket') return (1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT);
  if (w === 'big') return SS_ALL & ~((1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT));
  const i = STATE_WORDS.indexOf(w);
  return i >= 0 ? 1 << i : null;
}

/** One option as getopt_long returns it: the short letter (or long name) and its argument. */
type Parsed = { option: string; argument?: string } | { error: CommandOutput };

/** getopt_long over argv, permuting as GNU getopt does: the options, then the remaining words. */
function getopt(argv: readonly string[]): { options: { option: string; argument?: string }[]; rest: string[] } | { error: CommandOutput } {
  const options: { option: string; argument?: string }[] = [];
  const rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const exact = LONG_OPTIONS.find(([n]) => n === name);
      const candidates = exact !== undefined ? [exact] : LONG_OPTIONS.filter(([n]) => n.startsWith(name));
      const distinct = new Set(candidates.map(([, letter]) => letter));
      if (candidates.length === 0) return { error: usageError(`ss: unrecognized option '${arg}'\n`) };
      if (distinct.size > 1) return { error: usageError(`ss: option '${arg}' is ambiguous; possibilities:${candidates.map(([n]) => ` '--${n}'`).join('')}\n`) };
      const [long, letter, takesArgument] = candidates[0]!;
      if (takesArgument) {
        const argument = inline ?? argv[++i];
        if (argument === undefined) return { error: usageError(`ss: option '--${long}' requires an argument\n`) };
        options.push({ option: letter, argument });
      } else {
        if (inline !== undefined) return { error: usageError(`ss: option '--${long}' doesn't allow an argument\n`) };
        options.push({ option: letter });
      }
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      rest.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      const at = SHORT_OPTIONS.indexOf(letter);
      if (at < 0 || letter === ':') return { error: usageError(`ss: invalid option -- '${letter}'\n`) };
      if (SHORT_OPTIONS[at + 1] !== ':') {
        options.push({ option: letter });
        continue;
      }
      const argument = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
      if (argument === undefined) return { error: usageError(`ss: option requires an argument -- '${letter}'\n`) };
      options.push({ option: letter, argument });
      break;
    }
  }
  return { options, rest };
}

/** main()'s option loop and filter set-up, for the options the model has. */
function parseRequest(argv: readonly string[]): SsRequest | { done: CommandOutput } {
  const parsed = getopt(argv);
  if ('error' in parsed) return { done: parsed.error };
  const request: SsRequest = { dbs: 0, states: 0, families: 0, numeric: false, processes: false, header: true };
  let doDefault = true;
  let stateFilter = 0;
  let sawQuery = false;
  const setDb = (db: number): void => {
    request.states |= DB_STATES[db] ?? 0;
    request.dbs |= 1 << db;
    doDefault = false;
  };
  const setFamily = (family: number): void => {
    request.states |= SS_CONN;
    request.families |= 1 << family;
    doDefault = false;
  };
  for (const { option, argument } of parsed.options) {
    switch (option) {
      case 'n':
        request.numeric = true;
        break;
      case 'p':
        request.processes = true;
        break;
      case 't':
        setDb(TCP_DB);
        break;
      case 'u':
        setDb(UDP_DB);
        break;
      case 'a':
        stateFilter = SS_ALL;
        break;
      case 'l':
        stateFilter = (1 << SS_LISTEN) | (1 << SS_CLOSE);
        break;
      case '4':
        setFamily(AF_INET);
        break;
      case '6':
        setFamily(AF_INET6);
        break;
      case 'H':
        request.header = false;
        break;
      case 'f':
        if (argument === 'inet') setFamily(AF_INET);
        else if (argument === 'inet6') setFamily(AF_INET6);
        else if (argument === 'help') return { done: { stdout: USAGE, stderr: '', status: 0 } };
        else if (['link', 'unix', 'netlink', 'tipc', 'vsock', 'xdp'].includes(argument ?? '')) return { done: notModelled(`-f ${argument ?? ''}`) };
        else return { done: usageError(`ss: "${argument ?? ''}" is invalid family\n`) };
        break;
      case 'A': {
        if (!sawQuery) {
          request.dbs = 0;
          stateFilter = stateFilter || SS_CONN;
          sawQuery = true;
          doDefault = false;
        }
        for (const name of (argument ?? '').split(',')) {
          const dbs = DB_NAMES[name.startsWith('!') ? name.slice(1) : name];
          if (dbs === undefined) {
            if (/^!?(unix|unix_dgram|unix_stream|unix_seqpacket|u_str|u_dgr|u_seq|packet|packet_raw|p_raw|packet_dgram|p_dgr|netlink|vsock|vsock_stream|v_str|vsock_dgram|v_dgr|tipc|xdp)$/.test(name)) return { done: notModelled(`-A ${name}`) };
            return { done: usageError(`ss: "${name}" is illegal socket table id\n`) };
          }
          for (const db of dbs) {
            if (name.startsWith('!')) request.dbs &= ~(1 << db);
            else setDb(db);
          }
        }
        break;
      }
      case 'h':
        return { done: { stdout: USAGE, stderr: '', status: 0 } };
      case 'v':
      case 'V':
        return { done: { stdout: VERSION, stderr: '', status: 0 } };
      default:
        return { done: notModelled(option.length === 1 ? `-${option}` : `--${option}`) };
    }
  }
  const rest = parsed.rest;
  let sawStates = false;
  while (rest.length > 0 && (rest[0] === 'state' || rest[0] === 'exclude' || rest[0] === 'excl')) {
    const keyword = rest.shift()!;
    const word = rest.shift();
    if (word === undefined) return { done: fail('Command line is not complete. Try option "help"\n') };
    const bits = scanState(word);
    if (bits === null) return { done: fail(`ss: wrong state name: ${word}\n`) };
    if (keyword === 'state') {
      if (!sawStates) stateFilter = 0;
      stateFilter |= bits;
    } else {
      if (!sawStates) stateFilter = SS_ALL;
      stateFilter &= ~bits;
    }
    sawStates = true;
  }
  if (rest.length > 0) return { done: fail(`ss: filter expressions are not available here: ${rest.join(' ')}\n`, 1) };
  if (doDefault) {
    stateFilter = stateFilter || SS_CONN;
    for (const db of DB_NAMES.all!) setDb(db);
  }
  if (stateFilter) request.states = stateFilter;
  // filter_merge_defaults: a table asked for without a family gets both; a family without a table gets every inet table.
  if (request.dbs !== 0 && request.families === 0) request.families = (1 << AF_INET) | (1 << AF_INET6);
  if (request.families !== 0 && (request.dbs & INET_DBM) === 0) request.dbs |= INET_DBM;
  if (request.dbs === 0) return { done: { stdout: '', stderr: 'ss: no socket tables to show with such filter.\n', status: 0 } };
  if (request.states === 0) return { done: { stdout: '', stderr: 'ss: no socket states to show with such filter.\n', status: 0 } };
  return request;
}

function notModelled(what: string): CommandOutput {
  return fail(`ss: ${what} is not available here: netloom lists TCP and UDP sockets (-t -u -a -l -n -p -4 -6 -H, state filters)\n`, 1);
}

const isSingleBit = (mask: number): boolean => (mask & (mask - 1)) === 0;

/** A socket as ss prints it, whichever its table. */
interface ListedSocket {
  netid: 'tcp' | 'udp';
  state: number;
  info: TcpSocketInfo | UdpSocketInfo;
}

const TCP_STATE_NUMBERS: Readonly<Record<TcpSocketInfo['state'], number>> = {
  ESTAB: 1,
  'SYN-SENT': 2,
  'SYN-RECV': 3,
  'FIN-WAIT-1': 4,
  'FIN-WAIT-2': 5,
  'TIME-WAIT': 6,
  CLOSE: 7,
  'CLOSE-WAIT': 8,
  'LAST-ACK': 9,
  LISTEN: 10,
  CLOSING: 11,
};

/** IPv4 before IPv6, and TCP listeners first within a family (the kernel walks its listening hash first). */
export function dumpOrder<T extends { family: 4 | 6 }>(sockets: readonly T[], isListener: (socket: T) => boolean): T[] {
  const rank = (s: T): number => (s.family === 4 ? 0 : 2) + (isListener(s) ? 0 : 1);
  return sockets
    .map((socket, index) => ({ socket, index }))
    .sort((a, b) => rank(a.socket) - rank(b.socket) || a.index - b.index)
    .map((entry) => entry.socket);
}

/** The address text as inet_ntop prints it (IPv6 compressed). */
export function addressText(family: 4 | 6, address: string): string {
  if (family === 4) return address;
  const bytes = parseIpv6(address);
  return bytes === null ? address : formatIpv6(bytes);
}

/** ip_local_port_range, whose ports ss does not look up (is_ephemeral). */
export const EPHEMERAL_PORTS = { low: 32768, high: 60999 } as const;

/** resolve_service: `*` for port 0, else the service name unless numeric or ephemeral. */
export function portText(port: number, protocol: 'tcp' | 'udp', numeric: boolean): string {
  if (port === 0) return '*';
  if (numeric || (port >= EPHEMERAL_PORTS.low && port <= EPHEMERAL_PORTS.high)) return String(port);
  return serviceName(port, protocol) ?? String(port);
}

/** inet_addr_print's host part: bracketed IPv6, `*` for a dual-stack socket's wildcard. */
function hostText(info: InetSocketInfo, address: string): string {
  if (info.family === 4) return address;
  const text = addressText(6, address);
  return text === '::' && info.dualStack === true ? '*' : `[${text}]`;
}

function usersText(process: SocketProcess | undefined): string {
  if (process === undefined) return '';
  return ` users:(("${process.name.slice(0, 15)}",pid=${process.pid},fd=${process.fd}))`;
}

// ------------------------------------------------------------------ the compact renderer

interface Column {
  header: string;
  /** Printed before the cell when it is not the first of its line. */
  delimiter: string;
  rightAligned: boolean;
}

const COL_NETID = 0;
const COL_STATE = 1;
const COL_EXT = 9;
const COLUMNS: readonly Column[] = [
  { header: 'Netid', delimiter: '', rightAligned: false },
  { header: 'State', delimiter: ' ', rightAligned: false },
  { header: 'Recv-Q', delimiter: ' ', rightAligned: false },
  { header: 'Send-Q', delimiter: ' ', rightAligned: false },
  { header: 'Local Address:', delimiter: ' ', rightAligned: true },
  { header: 'Port', delimiter: '', rightAligned: false },
  { header: 'Peer Address:', delimiter: ' ', rightAligned: true },
  { header: 'Port', delimiter: '', rightAligned: false },
  { header: 'Process', delimiter: '', rightAligned: false },
  { header: '', delimiter: '', rightAligned: false },
];

/** A cell of the output buffer: its column and whether it was flushed (counted in the column's width). */
interface Cell {
  column: number;
  text: string;
  counted: boolean;
}

/** A line of cells: the header or a socket. */
interface Row {
  cells: string[];
  header: boolean;
}

/**
 * render_calc_width (compact: output not a terminal) and render: rows of cells, one per enabled
 * column. ss flushes a cell — counts it in its column's width — when it moves to the next one, so
 * the cell it is in when rendering is not counted: a last socket row ends at its Process cell
 * (uncounted, no extension cell), a lone header at its empty extension cell.
 */
function render(rows: readonly Row[], disabled: ReadonlySet<number>): string {
  const enabled = COLUMNS.map((_, i) => i).filter((i) => !disabled.has(i));
  const cells: Cell[] = [];
  rows.forEach((row, r) => {
    const last = r === rows.length - 1;
    const columns = last && !row.header ? enabled.filter((c) => c !== COL_EXT) : enabled;
    columns.forEach((column, k) => cells.push({ column, text: row.cells[column] ?? '', counted: !(last && k === columns.length - 1) }));
  });
  if (cells.length === 0) return '';
  const maxLength = COLUMNS.map(() => 0);
  for (const cell of cells) if (cell.counted) maxLength[cell.column] = Math.max(maxLength[cell.column]!, cell.text.length);
  const width = COLUMNS.map(() => 0);
  let first = true;
  for (const i of enabled) {
    const length = maxLength[i]!;
    width[i] = !first && length > 0 ? length + COLUMNS[i]!.delimiter.length : length;
    if (width[i]! > 0) first = false;
  }
  let out = '';
  let lineStarted = false;
  for (const cell of cells) {
    const column = COLUMNS[cell.column]!;
    const w = width[cell.column]!;
    let printed = 0;
    if (lineStarted) {
      out += column.delimiter;
      printed = column.delimiter.length;
    }
    lineStarted = true;
    if (w > 0 && column.rightAligned) {
      const spaces = w - cell.text.length - printed;
      if (spaces > 0) {
        out += ' '.repeat(spaces);
        printed += spaces;
      }
    }
    out += cell.text;
    printed += cell.text.length;
    if (w > 0 && !column.rightAligned && w - printed > 0) out += ' '.repeat(w - printed);
    if (cell.column === COL_EXT) {
      out += '\n';
      lineStarted = false;
    }
  }
  if (lineStarted) out += '\n';
  return out;
}

/** The cells of one socket (inet_stats_print). */
function socketRow(socket: ListedSocket, request: SsRequest): Row {
  const { info, netid } = socket;
  const local = `${hostText(info, info.local.address)}${info.boundDevice !== undefined ? `%${info.boundDevice}` : ''}:`;
  const cells = [
    netid,
    STATE_NAMES[socket.state]!,
    String(info.recvQ).padEnd(6),
    String(info.sendQ).padEnd(6),
    local,
    portText(info.local.port, netid, request.numeric),
    `${hostText(info, info.remote.address)}:`,
    portText(info.remote.port, netid, request.numeric),
    request.processes ? usersText(info.process) : '',
    '',
  ];
  return { cells, header: false };
}

/** `ss ARGS` over the node's sockets. */
export function runSs(argv: readonly string[], listing: SocketListing): CommandOutput {
  const request = parseRequest(argv);
  if ('done' in request) return request.done;
  const familyWanted = (family: 4 | 6): boolean => (request.families & (1 << (family === 4 ? AF_INET : AF_INET6))) !== 0;
  const sockets: ListedSocket[] = [];
  if (request.dbs & (1 << UDP_DB)) {
    for (const info of dumpOrder(listing.udp(), () => false)) {
      const state = info.connected ? SS_ESTABLISHED : SS_CLOSE;
      if (familyWanted(info.family) && request.states & (1 << state)) sockets.push({ netid: 'udp', state, info });
    }
  }
  if (request.dbs & (1 << TCP_DB)) {
    for (const info of dumpOrder(listing.tcp(), (s) => s.state === 'LISTEN')) {
      const state = TCP_STATE_NUMBERS[info.state];
      if (familyWanted(info.family) && request.states & (1 << state)) sockets.push({ netid: 'tcp', state, info });
    }
  }
  const disabled = new Set<number>();
  if (isSingleBit(request.dbs)) disabled.add(COL_NETID);
  if (isSingleBit(request.states)) disabled.add(COL_STATE);
  const rows: Row[] = [];
  if (request.header) rows.push({ cells: COLUMNS.map((c) => c.header), header: true });
  for (const socket of sockets) rows.push(socketRow(socket, request));
  return { stdout: render(rows, disabled), stderr: '', status: 0 };
}
