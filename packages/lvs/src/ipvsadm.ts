/**
 * `ipvsadm` (ipvsadm 1.26 with libipvs) over one node's Ipvs: `ipvsadm(argv, ipvs, now)` returns
 * what the real tool prints and its exit status, with no node behind it (the datapath registers it as
 * the node's shell command).
 *
 * Parsing follows ipvsadm.c with popt: the first option must be a command (else `Try \`ipvsadm -h'
 * …`, status 255); short options cluster (`-Ln`, `-t10.0.0.1:80`), long ones take `=value` or the
 * next word; -p's timeout is optional; words left over are --set's three timeouts or `unexpected
 * argument`. Then generic_opt_check's command/option table, the port-zero and one-packet checks, the
 * default scheduler (wlc) and forwarding method (-g), and the port of -g/-i real servers forced to
 * the service's. Errors from the model print libipvs's ipvs_strerror text (status 255); parse
 * errors fail() with status 2. Addresses are inet_aton's (`10.1` is 10.0.0.1) or IPv6 (in brackets
 * with a port); host and service names resolve through `resolveHost` and a small /etc/services.
 *
 * Listing: -L/-l (with -n, --stats, --rate, --exact, --thresholds, --persistent-conn, --nosort;
 * -t/-u/-f for one service), -L -c (from /proc/net/ip_vs_conn's text), --timeout, --daemon; -S
 * writes rules -R reads back (stdin). Services sort by libipvs's ipvs_cmp_services (fwmark, family,
 * protocol, address as a 32-bit difference — so 10.0.0.1 sorts after 192.168.0.1 as in the real
 * tool — then port), servers by ipvs_cmp_dests.
 * Differences: the sync daemon options of ipvsadm 1.28 (--sync-maxlen, --mcast-group, --mcast-port,
 * --mcast-ttl) and its -L --daemon line (maxlen, group, port, ttl) are taken in; -S writes
 * one-packet services as ` -o` (ipvsadm 1.28+), which -R accepts, where 1.26 wrote ` ops`. Bounds: 1024 services and 1024 real servers per service (then ENOMEM,
 * "Memory allocation problem").
 */
import { CONN_TAB_SIZE } from './connection-table.js';
import { formatAddress, inet4, inet6, parseAddress, type InetAddress } from './inet-address.js';
import { IPVS_VERSION, type Ipvs, type IpvsResult } from './ipvs.js';
import { connectionStateName, protocolName, secondsLeft, virtualAddressOf } from './proc-net.js';
import { DEFAULT_SCHEDULER } from './schedulers/scheduler-registry.js';
import {
  DEFAULT_PERSISTENT_TIMEOUT_S,
  FORWARDING_NAMES,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SVC_F_ONEPACKET,
  type ForwardingMethod,
  type RealServer,
  type RealServerOptions,
  type ServiceKey,
  type VirtualService,
} from './virtual-service.js';
import { parseIpv6Number } from '@netloom/wire';

export interface IpvsadmResult {
  stdout: string;
  stderr: string;
  status: number;
}

export interface IpvsadmOptions {
  /** What `ipvsadm -R` reads: the text, or the command's standard input, read only by -R (none: end of file). */
  stdin?: string | (() => string | null);
  /** gethostbyname: a host name's IPv4 address, or null. */
  resolveHost?: (name: string) => number | null;
  /** gethostbyaddr: an address's name, or null (then the number is shown). */
  resolveAddress?: (address: InetAddress) => string | null;
}

const MAX_TIMEOUT = 86400 * 31;
const INT_MAX = 2147483647;
const IPVSADM_VERSION = 'v1.26 2008/5/15';
const SCHEDULERS = 'rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq';
const DEF_MCAST_IFN = 'eth0';

/** Commands, in ipvsadm.c's order (CMD_ADD = 1 … CMD_ZERO = 14). */
const CMD = { ADD: 1, EDIT: 2, DEL: 3, FLUSH: 4, LIST: 5, ADDDEST: 6, DELDEST: 7, EDITDEST: 8, TIMEOUT: 9, STARTDAEMON: 10, STOPDAEMON: 11, RESTORE: 12, SAVE: 13, ZERO: 14 } as const;
const CMD_NAMES = ['add-service', 'edit-service', 'delete-service', 'flush', 'list', 'add-server', 'delete-server', 'edit-server', 'set', 'start-daemon', 'stop-daemon', 'restore', 'save', 'zero'];

/** Options, as the bits of ipvsadm.c (OPT_NUMERIC = bit 0 …). */
const OPT_NAMES = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  // ipvsadm 1.28's sync daemon options
  'mcast-group',
  'mcast-port',
  'mcast-ttl',
  'sync-maxlen',
] as const;
type OptName = (typeof OPT_NAMES)[number];
const OPT = Object.fromEntries(OPT_NAMES.map((name, i) => [name, 1 << i])) as Record<OptName, number>;

/** commands_v_options: '+' required, 'x' illegal, '1' one of, ' ' optional; one row per command. */
const COMMANDS_V_OPTIONS = [
  'xx+   xxxxxxxxxxxxxxx xxxx',
  'xx+   xxxxxxxxxxxxxxx xxxx',
  'xx+xxxxxxxxxxxxxxxxxxxxxxx',
  'xxxxxxxxxxxxxxxxxxxxxxxxxx',
  ' 11xxxxxxxxx11       xxxxx',
  'xx+xxx+    xxxxxxxxxxxxxxx',
  'xx+xxx+xxxxxxxxxxxxxxxxxxx',
  'xx+xxx+    xxxxxxxxxxxxxxx',
  'xxxxxxxxxxxxxxxxxxxxxxxxxx',
  'xxxxxxxxxxx xxxxxxx xx    ',
  'xxxxxxxxxxxxxxxxxxx xxxxxx',
  'xxxxxxxxxxxxxxxxxxxxxxxxxx',
  ' xxxxxxxxxxxxxxxxxxxxxxxxx',
  'xx xxxxxxxxxxxxxxxxxxxxxxx',
];

/** Printing format flags. */
const FMT = { NUMERIC: 1, RULE: 2, STATS: 4, RATE: 8, THRESHOLDS: 0x10, PERSISTENTCONN: 0x20, NOSORT: 0x40, EXACT: 0x80 } as const;

/** getservbyport/getservbyname over netbase's /etc/services, for the ports LVS setups use. */
const SERVICES: readonly [string, number, 'tcp' | 'udp' | 'both'][] = [
  ['ftp-data', 20, 'tcp'],
  ['ftp', 21, 'tcp'],
  ['ssh', 22, 'tcp'],
  ['telnet', 23, 'tcp'],
  ['smtp', 25, 'tcp'],
  ['domain', 53, 'both'],
  ['bootps', 67, 'udp'],
  ['bootpc', 68, 'udp'],
  ['tftp', 69, 'udp'],
  ['http', 80, 'tcp'],
  ['pop3', 110, 'tcp'],
  ['ntp', 123, 'udp'],
  ['imap2', 143, 'tcp'],
  ['snmp', 161, 'udp'],
  ['ldap', 389, 'tcp'],
  ['https', 443, 'tcp'],
  ['syslog', 514, 'udp'],
  ['imaps', 993, 'tcp'],
  ['pop3s', 995, 'tcp'],
  ['mysql', 3306, 'tcp'],
  ['http-alt', 8080, 'tcp'],
];

function portName(port: number, protocol: number): string | null {
  const proto = protocol === IPPROTO_TCP ? 'tcp' : protocol === IPPROTO_UDP ? 'udp' : null;
  if (proto === null) return null;
  return SERVICES.find(([, p, on]) => p === port && (on === proto || on === 'both'))?.[0] ?? null;
}

function portOfName(name: string, protocol: number): number {
  const proto = protocol === IPPROTO_TCP ? 'tcp' : protocol === IPPROTO_UDP ? 'udp' : null;
  if (proto === null) return -1;
  return SERVICES.find(([n, , on]) => n === name && (on === proto || on === 'both'))?.[1] ?? -1;
}

/** libipvs's ipvs_strerror for the operation that failed. */
function ipvsStrerror(command: number, error: Exclude<IpvsResult, 'ok'>): string {
  const byCommand: Partial<Record<number, Partial<Record<string, string>>>> = {
    [CMD.ADD]: { EEXIST: 'Service already exists', ENOENT: 'Scheduler or persistence engine not found' },
    [CMD.EDIT]: { ESRCH: 'No such service', ENOENT: 'Scheduler or persistence engine not found' },
    [CMD.DEL]: { ESRCH: 'No such service' },
    [CMD.ZERO]: { ESRCH: 'No such service' },
    [CMD.ADDDEST]: { ESRCH: 'Service not defined', EEXIST: 'Destination already exists' },
    [CMD.EDITDEST]: { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
    [CMD.DELDEST]: { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
    [CMD.STARTDAEMON]: { EEXIST: 'Daemon has already run' },
    [CMD.STOPDAEMON]: { ESRCH: 'No daemon is running' },
    [CMD.LIST]: { ESRCH: 'No such service' },
  };
  const generic: Record<string, string> = {
    EPERM: 'Permission denied (you must be root)',
    EINVAL: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
    ENOPROTOOPT: 'Protocol not available',
    ENOMEM: 'Memory allocation problem',
    EOPNOTSUPP: 'Operation not supported with IPv6',
    EAFNOSUPPORT: 'Operation not supported with specified address family',
    EMSGSIZE: 'Module is wrong version',
    // strerror() for what the table does not name.
    EEXIST: 'File exists',
    ENOENT: 'No such file or directory',
    ESRCH: 'No such process',
    ERANGE: 'Numerical result out of range',
    ENODEV: 'No such device',
  };
  return byCommand[command]?.[error] ?? generic[error]!;
}

/** fail(): message on stderr, the status given; thrown to leave the parse from anywhere. */
class Exit extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {
    super(text);
  }
}

const fail = (status: number, message: string): never => {
  throw new Exit(status, `${message}\n`);
};

/** inet_aton: a, a.b, a.b.c or a.b.c.d, each part decimal, octal (0…) or hex (0x…). */
export function inetAton(text: string): number | null {
  const parts = text.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = part.length === 1 ? 0 : parseInt(part.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = parseInt(part, 10);
    else return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  const room = 4 - values.length;
  if (last >= 2 ** (8 * room)) return null;
  let address = 0;
  values.forEach((v, i) => (address += v * 2 ** (8 * (3 - i))));
  return (address + last) >>> 0;
}

/** strtol(s, &end, 10) taken whole, within [min, max], else -1 (string_to_number). */
function stringToNumber(text: string, min: number, max: number): number {
  if (!/^[ \t\n]*[+-]?[0-9]+$/.test(text)) return -1;
  const value = Number(text.trim());
  return value >= min && value <= max ? value : -1;
}

interface ServiceSpec {
  family: 4 | 6;
  protocol: number;
  address: InetAddress;
  port: number;
  fwmark: number;
  scheduler: string;
  persistent: boolean;
  timeout: number;
  /** IPv4 mask or IPv6 prefix length (svc.netmask). */
  netmask: number;
  onePacket: boolean;
}

/** What -r, -g/-i/-m, -w, -x and -y give. */
type DestSpec = RealServerOptions;

interface CommandEntry {
  cmd: number;
  svc: ServiceSpec;
  dest: DestSpec;
  timeouts: [number, number, number];
  daemon: { state: 'master' | 'backup' | null; mcastInterface: string; syncId: number; syncMaxlen: number; mcastGroup?: InetAddress; mcastPort: number; mcastTtl: number };
}

/** One popt option: names, whether it takes an argument (optional for -p), and its tag. */
interface PoptOption {
  long: string;
  short?: string;
  arg: 'none' | 'required' | 'optional';
  tag: string;
}

const POPT_TABLE: readonly PoptOption[] = [
  { long: 'add-service', short: 'A', arg: 'none', tag: 'A' },
  { long: 'edit-service', short: 'E', arg: 'none', tag: 'E' },
  { long: 'delete-service', short: 'D', arg: 'none', tag: 'D' },
  { long: 'clear', short: 'C', arg: 'none', tag: 'C' },
  { long: 'list', short: 'L', arg: 'none', tag: 'L' },
  { long: 'list', short: 'l', arg: 'none', tag: 'L' },
  { long: 'zero', short: 'Z', arg: 'none', tag: 'Z' },
  { long: 'add-server', short: 'a', arg: 'none', tag: 'a' },
  { long: 'edit-server', short: 'e', arg: 'none', tag: 'e' },
  { long: 'delete-server', short: 'd', arg: 'none', tag: 'd' },
  { long: 'set', arg: 'none', tag: 'set' },
  { long: 'help', short: 'h', arg: 'none', tag: 'h' },
  { long: 'version', short: 'v', arg: 'none', tag: 'v' },
  { long: 'restore', short: 'R', arg: 'none', tag: 'R' },
  { long: 'save', short: 'S', arg: 'none', tag: 'S' },
  { long: 'start-daemon', arg: 'required', tag: 'start-daemon' },
  { long: 'stop-daemon', arg: 'required', tag: 'stop-daemon' },
  { long: 'tcp-service', short: 't', arg: 'required', tag: 't' },
  { long: 'udp-service', short: 'u', arg: 'required', tag: 'u' },
  { long: 'fwmark-service', short: 'f', arg: 'required', tag: 'f' },
  { long: 'scheduler', short: 's', arg: 'required', tag: 's' },
  { long: 'persistent', short: 'p', arg: 'optional', tag: 'p' },
  { long: 'netmask', short: 'M', arg: 'required', tag: 'M' },
  { long: 'real-server', short: 'r', arg: 'required', tag: 'r' },
  { long: 'masquerading', short: 'm', arg: 'none', tag: 'm' },
  { long: 'ipip', short: 'i', arg: 'none', tag: 'i' },
  { long: 'gatewaying', short: 'g', arg: 'none', tag: 'g' },
  { long: 'weight', short: 'w', arg: 'required', tag: 'w' },
  { long: 'u-threshold', short: 'x', arg: 'required', tag: 'x' },
  { long: 'l-threshold', short: 'y', arg: 'required', tag: 'y' },
  { long: 'numeric', short: 'n', arg: 'none', tag: 'n' },
  { long: 'connection', short: 'c', arg: 'none', tag: 'c' },
  { long: 'mcast-interface', arg: 'required', tag: 'mcast-interface' },
  { long: 'syncid', arg: 'required', tag: 'syncid' },
  { long: 'sync-maxlen', arg: 'required', tag: 'sync-maxlen' },
  { long: 'mcast-group', arg: 'required', tag: 'mcast-group' },
  { long: 'mcast-port', arg: 'required', tag: 'mcast-port' },
  { long: 'mcast-ttl', arg: 'required', tag: 'mcast-ttl' },
  { long: 'timeout', arg: 'none', tag: 'timeout' },
  { long: 'daemon', arg: 'none', tag: 'daemon' },
  { long: 'stats', arg: 'none', tag: 'stats' },
  { long: 'rate', arg: 'none', tag: 'rate' },
  { long: 'thresholds', arg: 'none', tag: 'thresholds' },
  { long: 'persistent-conn', arg: 'none', tag: 'persistent-conn' },
  { long: 'nosort', arg: 'none', tag: 'nosort' },
  { long: 'sort', arg: 'none', tag: 'sort' },
  { long: 'exact', short: 'X', arg: 'none', tag: 'X' },
  { long: 'ipv6', short: '6', arg: 'none', tag: '6' },
  { long: 'ops', short: 'o', arg: 'none', tag: 'o' },
];

type PoptEvent = { tag: string; arg: string | undefined } | { error: 'unknown option' | 'missing argument'; option: string };

/** popt's walk over argv: options in order, the other words kept as leftover arguments. */
class PoptContext {
  private index = 1;
  private cluster: string | null = null;
  readonly leftover: string[] = [];
  private onlyArgs = false;

  constructor(private readonly argv: readonly string[]) {}

  next(): PoptEvent | null {
    if (this.cluster !== null && this.cluster !== '') return this.shortOption();
    this.cluster = null;
    while (this.index < this.argv.length) {
      const word = this.argv[this.index++]!;
      if (this.onlyArgs || word === '-' || !word.startsWith('-')) {
        this.leftover.push(word);
        continue;
      }
      if (word === '--') {
        this.onlyArgs = true;
        continue;
      }
      if (word.startsWith('--')) {
        const eq = word.indexOf('=');
        const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
        const option = POPT_TABLE.find((o) => o.long === name);
        if (option === undefined) return { error: 'unknown option', option: eq < 0 ? word : word.slice(0, eq) };
        if (option.arg === 'none') return { tag: option.tag, arg: undefined };
        if (eq >= 0) return { tag: option.tag, arg: word.slice(eq + 1) };
        return this.argumentFor(option, word);
      }
      this.cluster = word.slice(1);
      return this.shortOption();
    }
    return null;
  }

  private shortOption(): PoptEvent {
    const letter = this.cluster!.charAt(0);
    const rest = this.cluster!.slice(1);
    const option = POPT_TABLE.find((o) => o.short === letter);
    if (option === undefined) {
      this.cluster = null;
      return { error: 'unknown option', option: `-${letter}` };
    }
    if (option.arg === 'none') {
      this.cluster = rest;
      return { tag: option.tag, arg: undefined };
    }
    this.cluster = null;
    if (rest !== '') return { tag: option.tag, arg: rest };
    return this.argumentFor(option, `-${letter}`);
  }

  private argumentFor(option: PoptOption, given: string): PoptEvent {
    const next = this.argv[this.index];
    if (option.arg === 'optional') {
      if (next === undefined || next.startsWith('-')) return { tag: option.tag, arg: undefined };
      this.index++;
      return { tag: option.tag, arg: next };
    }
    if (next === undefined) return { error: 'missing argument', option: given };
    this.index++;
    return { tag: option.tag, arg: next };
  }

  /** poptGetArg. */
  nextArg(): string | undefined {
    // Remaining words after the options are leftover too.
    while (this.index < this.argv.length) this.leftover.push(this.argv[this.index++]!);
    return this.leftover.shift();
  }
}

/** Run ipvsadm with `argv` (argv[0] is the program name as typed). */
export function ipvsadm(argv: readonly string[], ipvs: Ipvs, now: number, options: IpvsadmOptions = {}): IpvsadmResult {
  const out = { stdout: '', stderr: '', status: 0 };
  const program = argv[0] ?? 'ipvsadm';
  const session = new IpvsadmSession(ipvs, now, options, out);
  try {
    if (argv.length <= 1) {
      session.listAll(0);
      return out;
    }
    out.status = session.processOptions(argv, false);
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    out.stderr += e.text.replaceAll('%PROGRAM%', program);
    out.status = e.status;
  }
  return out;
}

class IpvsadmSession {
  constructor(
    private readonly ipvs: Ipvs,
    private readonly now: number,
    private readonly options: IpvsadmOptions,
    private readonly out: IpvsadmResult,
  ) {}

  private print(text: string): void {
    this.out.stdout += text;
  }

  /** process_options: the status main() returns (0, or -1 as 255). */
  processOptions(argv: readonly string[], readingStdin: boolean): number {
    const ce: CommandEntry = {
      cmd: 0,
      svc: { family: 4, protocol: 0, address: inet4(0), port: 0, fwmark: 0, scheduler: '', persistent: false, timeout: 0, netmask: 0xffffffff, onePacket: false },
      dest: { address: inet4(0), port: 0, forwarding: 'droute', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
      timeouts: [0, 0, 0],
      daemon: { state: null, mcastInterface: '', syncId: 0, syncMaxlen: 0, mcastPort: 0, mcastTtl: 0 },
    };
    const parsed = this.parseOptions(argv, ce);
    if (parsed === null) return 255;
    const { options, format } = parsed;
    genericOptCheck(ce.cmd, options);
    const svc = ce.svc;
    if (ce.cmd === CMD.ADD || ce.cmd === CMD.EDIT) {
      if (svc.fwmark === 0 && svc.port === 0 && !svc.persistent) fail(2, 'Zero port specified for non-persistent service');
      if (svc.onePacket && svc.fwmark === 0 && svc.protocol !== IPPROTO_UDP) fail(2, 'One-Packet Scheduling is only for UDP virtual services');
      if (svc.scheduler === '') svc.scheduler = DEFAULT_SCHEDULER;
    }
    if (ce.cmd === CMD.STARTDAEMON && ce.daemon.mcastInterface === '') ce.daemon.mcastInterface = DEF_MCAST_IFN;
    if ((ce.cmd === CMD.ADDDEST || ce.cmd === CMD.EDITDEST) && svc.fwmark === 0 && (ce.dest.forwarding === 'tunnel' || ce.dest.forwarding === 'droute')) {
      ce.dest.port = svc.port;
    }
    switch (ce.cmd) {
      case CMD.LIST:
        if ((options & (OPT.connection | OPT.timeout | OPT.daemon)) !== 0 && (options & (OPT.stats | OPT['persistent-conn'] | OPT.rate | OPT.thresholds)) !== 0) {
          fail(2, 'options conflicts in the list command');
        }
        if ((options & OPT.connection) !== 0) this.listConnections(format);
        else if ((options & OPT['service-address']) !== 0) this.listService(ce.svc, format);
        else if ((options & OPT.timeout) !== 0) this.print(`Timeout (tcp tcpfin udp): ${this.ipvs.timeouts.tcp[1]} ${this.ipvs.timeouts.tcp[4]} ${this.ipvs.timeouts.udp}\n`);
        else if ((options & OPT.daemon) !== 0) this.listDaemon();
        else this.listAll(format);
        return 0;
      case CMD.RESTORE:
        return this.restore(argv, readingStdin);
      case CMD.SAVE:
        this.listAll(format | FMT.RULE);
        return 0;
    }
    const result = this.apply(ce);
    if (result === 'ok') return 0;
    this.out.stderr += `${ipvsStrerror(ce.cmd, result)}\n`;
    return 255;
  }

  /** The kernel side of each command (ip_vs_ctl.c through libipvs). */
  private apply(ce: CommandEntry): IpvsResult {
    const ipvs = this.ipvs;
    const key = serviceKey(ce.svc);
    const options = () => ({
      scheduler: ce.svc.scheduler,
      persistentTimeout: ce.svc.persistent ? ce.svc.timeout : undefined,
      netmask: ce.svc.netmask,
      onePacket: ce.svc.onePacket,
    });
    switch (ce.cmd) {
      case CMD.FLUSH:
        ipvs.flush();
        return 'ok';
      case CMD.ADD:
        return ipvs.addService(key, options());
      case CMD.EDIT:
        return ipvs.editService(key, options());
      case CMD.DEL:
        return ipvs.deleteService(key);
      case CMD.ZERO:
        return ce.svc.fwmark === 0 && ce.svc.protocol === 0 ? ipvs.zero() : ipvs.zero(key);
      case CMD.ADDDEST:
      case CMD.EDITDEST: {
        return ce.cmd === CMD.ADDDEST ? ipvs.addDestination(key, ce.dest) : ipvs.editDestination(key, ce.dest);
      }
      case CMD.DELDEST:
        return ipvs.deleteDestination(key, ce.dest.address, ce.dest.port);
      case CMD.TIMEOUT:
        ipvs.timeouts.set(...ce.timeouts);
        return 'ok';
      case CMD.STARTDAEMON:
        return ipvs.startDaemon({ ...ce.daemon, state: ce.daemon.state! });
      case CMD.STOPDAEMON:
        return ipvs.stopDaemon(ce.daemon.state!);
    }
    return 'EINVAL';
  }

  /** parse_options: null when popt reported an error after the command (printed, status 255). */
  private parseOptions(argv: readonly string[], ce: CommandEntry): { options: number; format: number } | null {
    const popt = new PoptContext(argv);
    let options = 0;
    let format = 0;
    const setOption = (option: number): void => {
      if ((options & option) !== 0) fail(2, `multiple '${OPT_NAMES[Math.log2(option)]}' options specified`);
      options |= option;
    };
    const setCommand = (cmd: number): void => {
      if (ce.cmd !== 0) fail(2, 'multiple commands specified');
      ce.cmd = cmd;
    };
    const tryhelp = (): never => fail(255, "Try `%PROGRAM% -h' or '%PROGRAM% --help' for more information.");
    const first = popt.next();
    if (first === null || 'error' in first) return tryhelp();
    const daemonState = (arg: string | undefined, message: string): 'master' | 'backup' => {
      if (arg === 'master' || arg === 'backup') return arg;
      return fail(2, message);
    };
    switch (first.tag) {
      case 'A':
        setCommand(CMD.ADD);
        break;
      case 'E':
        setCommand(CMD.EDIT);
        break;
      case 'D':
        setCommand(CMD.DEL);
        break;
      case 'a':
        setCommand(CMD.ADDDEST);
        break;
      case 'e':
        setCommand(CMD.EDITDEST);
        break;
      case 'd':
        setCommand(CMD.DELDEST);
        break;
      case 'C':
        setCommand(CMD.FLUSH);
        break;
      case 'L':
        setCommand(CMD.LIST);
        break;
      case 'Z':
        setCommand(CMD.ZERO);
        break;
      case 'set':
        setCommand(CMD.TIMEOUT);
        break;
      case 'R':
        setCommand(CMD.RESTORE);
        break;
      case 'S':
        setCommand(CMD.SAVE);
        break;
      case 'start-daemon':
        setCommand(CMD.STARTDAEMON);
        ce.daemon.state = daemonState(first.arg, 'illegal start-daemon parameter specified');
        break;
      case 'stop-daemon':
        setCommand(CMD.STOPDAEMON);
        ce.daemon.state = daemonState(first.arg, 'illegal start_daemon specified');
        break;
      case 'h':
        this.print(usage('%PROGRAM%').replaceAll('%PROGRAM%', argv[0] ?? 'ipvsadm'));
        throw new Exit(0, '');
      case 'v':
        this.print(versionLine());
        throw new Exit(0, '');
      default:
        return tryhelp();
    }
    for (let event = popt.next(); event !== null; event = popt.next()) {
      if ('error' in event) {
        this.out.stderr += `${event.option}: ${event.error}\n`;
        return null;
      }
      const arg = event.arg ?? '';
      const svc = ce.svc;
      switch (event.tag) {
        case 't':
        case 'u': {
          setOption(OPT['service-address']);
          svc.protocol = event.tag === 't' ? IPPROTO_TCP : IPPROTO_UDP;
          const parsed = this.parseService(arg, svc.protocol);
          if (parsed === null) fail(2, 'illegal virtual server address[:port] specified');
          svc.family = parsed!.address.family;
          svc.address = parsed!.address;
          if (parsed!.family6) svc.netmask = 128;
          if (parsed!.port !== undefined) svc.port = parsed!.port;
          break;
        }
        case 'f':
          setOption(OPT['service-address']);
          svc.family = 4;
          svc.protocol = IPPROTO_TCP;
          svc.fwmark = parseFwmark(arg);
          break;
        case 's':
          setOption(OPT.scheduler);
          svc.scheduler = arg.slice(0, 15);
          break;
        case 'p':
          setOption(OPT.persistent);
          svc.persistent = true;
          svc.timeout = event.arg === undefined ? DEFAULT_PERSISTENT_TIMEOUT_S : parseTimeout(arg, 1, MAX_TIMEOUT);
          break;
        case 'M':
          setOption(OPT.netmask);
          if (svc.family !== 6) {
            const mask = inetAton(arg) ?? this.options.resolveHost?.(arg) ?? null;
            if (mask === null) fail(2, 'illegal virtual server persistent mask specified');
            svc.netmask = mask!;
          } else {
            svc.netmask = atoi(arg);
            if (svc.netmask < 1 || svc.netmask > 128) fail(2, 'illegal ipv6 netmask specified');
          }
          break;
        case 'r': {
          setOption(OPT['real-server']);
          const parsed = this.parseService(arg, svc.protocol);
          if (parsed === null) fail(2, 'illegal real server address[:port] specified');
          ce.dest.address = parsed!.address;
          ce.dest.port = parsed!.port ?? svc.port;
          break;
        }
        case 'i':
          setOption(OPT['forwarding-method']);
          ce.dest.forwarding = 'tunnel';
          break;
        case 'g':
          setOption(OPT['forwarding-method']);
          ce.dest.forwarding = 'droute';
          break;
        case 'm':
          setOption(OPT['forwarding-method']);
          ce.dest.forwarding = 'masq';
          break;
        case 'w':
          setOption(OPT.weight);
          ce.dest.weight = stringToNumber(arg, 0, 65535);
          if (ce.dest.weight === -1) fail(2, 'illegal weight specified');
          break;
        case 'x':
          setOption(OPT['u-threshold']);
          ce.dest.upperThreshold = stringToNumber(arg, 0, INT_MAX);
          if (ce.dest.upperThreshold === -1) fail(2, 'illegal u_threshold specified');
          break;
        case 'y':
          setOption(OPT['l-threshold']);
          ce.dest.lowerThreshold = stringToNumber(arg, 0, INT_MAX);
          if (ce.dest.lowerThreshold === -1) fail(2, 'illegal l_threshold specified');
          break;
        case 'c':
          setOption(OPT.connection);
          break;
        case 'n':
          setOption(OPT.numeric);
          format |= FMT.NUMERIC;
          break;
        case 'mcast-interface':
          setOption(OPT['mcast-interface']);
          ce.daemon.mcastInterface = arg.slice(0, 15);
          break;
        case 'syncid':
          setOption(OPT.syncid);
          ce.daemon.syncId = stringToNumber(arg, 0, 255);
          if (ce.daemon.syncId === -1) fail(2, 'illegal syncid specified');
          break;
        case 'sync-maxlen':
          setOption(OPT['sync-maxlen']);
          ce.daemon.syncMaxlen = stringToNumber(arg, 1, 65535 - 20 - 8);
          if (ce.daemon.syncMaxlen === -1) fail(2, 'illegal sync-maxlen specified');
          break;
        case 'mcast-group': {
          setOption(OPT['mcast-group']);
          const group = parseAddress(arg);
          const isV6 = arg.includes(':');
          const isGroup = group !== null && (group.family === 4 ? group.v4 >>> 28 === 0xe : group.v6 >> 120n === 0xffn);
          if (group === null || !isGroup || (group.family === 6) !== isV6) fail(2, `invalid ${isV6 ? 'IPv6' : 'IPv4'} mcast-group \`${arg}'`);
          ce.daemon.mcastGroup = group!;
          break;
        }
        case 'mcast-port':
          setOption(OPT['mcast-port']);
          ce.daemon.mcastPort = stringToNumber(arg, 1, 65535);
          if (ce.daemon.mcastPort === -1) fail(2, 'illegal mcast-port specified');
          break;
        case 'mcast-ttl':
          setOption(OPT['mcast-ttl']);
          ce.daemon.mcastTtl = stringToNumber(arg, 1, 255);
          if (ce.daemon.mcastTtl === -1) fail(2, 'illegal mcast-ttl specified');
          break;
        case 'timeout':
          setOption(OPT.timeout);
          break;
        case 'daemon':
          setOption(OPT.daemon);
          break;
        case 'stats':
          setOption(OPT.stats);
          format |= FMT.STATS;
          break;
        case 'rate':
          setOption(OPT.rate);
          format |= FMT.RATE;
          break;
        case 'thresholds':
          setOption(OPT.thresholds);
          format |= FMT.THRESHOLDS;
          break;
        case 'persistent-conn':
          setOption(OPT['persistent-conn']);
          format |= FMT.PERSISTENTCONN;
          break;
        case 'nosort':
          setOption(OPT.nosort);
          format |= FMT.NOSORT;
          break;
        case 'sort':
          break;
        case 'X':
          setOption(OPT.exact);
          format |= FMT.EXACT;
          break;
        case '6':
          if (svc.fwmark !== 0) {
            svc.family = 6;
            svc.netmask = 128;
          } else {
            fail(2, '-6 used before -f\n');
          }
          break;
        case 'o':
          setOption(OPT.ops);
          svc.onePacket = true;
          break;
        default:
          // A command after the first: set_command's complaint.
          fail(2, 'multiple commands specified');
      }
    }
    if (ce.cmd === CMD.TIMEOUT) {
      const a = popt.nextArg();
      const b = a === undefined ? undefined : popt.nextArg();
      const c = b === undefined ? undefined : popt.nextArg();
      if (a === undefined || b === undefined || c === undefined) fail(2, '--set option requires 3 timeout values');
      ce.timeouts = [parseTimeout(a!, 0, MAX_TIMEOUT), parseTimeout(b!, 0, MAX_TIMEOUT), parseTimeout(c!, 0, MAX_TIMEOUT)];
    }
    const extra = popt.nextArg();
    if (extra !== undefined) fail(2, `unexpected argument ${extra}`);
    return { options, format };
  }

  /** parse_service: null for SERVICE_NONE; the port when one was given. */
  private parseService(text: string, protocol: number): { address: InetAddress; port: number | undefined; family6: boolean } | null {
    if (text === '' || /^[0-9]+$/.test(text)) return null;
    let buf = text;
    let portText: string | undefined;
    if (buf.startsWith('[')) {
      const close = buf.indexOf(']');
      if (close < 0) return null;
      if (buf.charAt(close + 1) !== ':') return null;
      portText = buf.slice(close + 2);
      buf = buf.slice(1, close);
    }
    let address: InetAddress;
    let family6 = false;
    const v6 = buf.includes(':') ? parseIpv6Number(buf) : null;
    if (v6 !== null) {
      address = inet6(v6);
      family6 = true;
    } else {
      if (portText === undefined) {
        const colon = buf.lastIndexOf(':');
        if (colon >= 0) {
          portText = buf.slice(colon + 1);
          buf = buf.slice(0, colon);
        }
      } else {
        return null;
      }
      const v4 = inetAton(buf) ?? this.options.resolveHost?.(buf) ?? null;
      if (v4 === null) return null;
      address = inet4(v4);
    }
    if (portText === undefined) return { address, port: undefined, family6 };
    let port = stringToNumber(portText, 0, 65535);
    if (port === -1) port = portOfName(portText, protocol);
    if (port === -1) return null;
    return { address, port, family6 };
  }

  private restore(argv: readonly string[], readingStdin: boolean): number {
    if (readingStdin) fail(255, "Try `%PROGRAM% -h' or '%PROGRAM% --help' for more information.");
    let result = 0;
    const stdin = this.options.stdin;
    const lines = ((typeof stdin === 'function' ? stdin() : stdin) ?? '').split('\n');
    if (lines.length > MAX_RESTORE_LINES) fail(1, 'ipvsadm: too many lines to restore');
    for (const line of lines) {
      // config_stream_read: words between spaces, tabs and CRs; the word `ipvsadm` is left out, so a
      // line may be written as the command it stands for. `#` starts no comment there (its check
      // looks at the separator after a word, never a `#`): Debian's ipvsadm-restore drops those lines.
      const words = line.split(/[ \t\r]+/).filter((w) => w !== '' && w !== 'ipvsadm');
      if (words.length === 0) continue;
      result = this.processOptions([argv[0] ?? 'ipvsadm', ...words], true);
    }
    return result;
  }

  // ---- listing ----

  private addrPort(address: InetAddress, port: number, protocol: number, format: number): string {
    const open = address.family === 4 ? '' : '[';
    const close = address.family === 4 ? '' : ']';
    if ((format & FMT.NUMERIC) !== 0) return `${open}${formatAddress(address)}${close}:${port}`;
    const host = this.options.resolveAddress?.(address) ?? formatAddress(address);
    return `${open}${host}${close}:${portName(port, protocol) ?? String(port)}`;
  }

  listAll(format: number): void {
    if ((format & FMT.RULE) === 0) this.print(`IP Virtual Server version ${IPVS_VERSION} (size=${CONN_TAB_SIZE})\n`);
    let services = this.ipvs.listServices();
    if ((format & FMT.NOSORT) === 0) services = [...services].sort(compareServices);
    this.printTitle(format);
    for (const service of services) this.printService(service, format);
  }

  private listService(spec: ServiceSpec, format: number): void {
    const service = this.ipvs.findService(serviceKey(spec));
    if (service === undefined) throw new Exit(1, `${ipvsStrerror(CMD.LIST, 'ESRCH')}\n`);
    this.printTitle(format);
    this.printService(service, format);
  }

  private printTitle(format: number): void {
    const col = (name: string): string => name.padStart(8);
    if ((format & FMT.STATS) !== 0) {
      this.print(`${'Prot LocalAddress:Port'.padEnd(33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map(col).join(' ')}\n  -> RemoteAddress:Port\n`);
    } else if ((format & FMT.RATE) !== 0) {
      this.print(`${'Prot LocalAddress:Port'.padEnd(33)} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map(col).join(' ')}\n  -> RemoteAddress:Port\n`);
    } else if ((format & FMT.THRESHOLDS) !== 0) {
      this.print(`${'Prot LocalAddress:Port'.padEnd(33)} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((s) => s.padEnd(10)).join(' ')}\n  -> RemoteAddress:Port\n`);
    } else if ((format & FMT.PERSISTENTCONN) !== 0) {
      this.print(`${'Prot LocalAddress:Port'.padEnd(33)} ${'Weight'.padEnd(9)} ${'PersistConn'.padEnd(11)} ${'ActiveConn'.padEnd(10)} ${'InActConn'.padEnd(10)}\n  -> RemoteAddress:Port\n`);
    } else if ((format & FMT.RULE) === 0) {
      this.print('Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n');
    }
  }

  private printService(service: VirtualService, format: number): void {
    this.ipvs.tick(this.now);
    const key = service.key;
    const protocol = key.kind === 'fwmark' ? IPPROTO_TCP : service.protocol;
    let name: string;
    if (key.kind === 'fwmark') {
      if ((format & FMT.RULE) !== 0) name = key.family === 6 ? `-f ${key.fwmark} -6` : `-f ${key.fwmark}`;
      else name = key.family === 6 ? `FWM  ${key.fwmark} IPv6` : `FWM  ${key.fwmark}`;
    } else {
      const vname = this.addrPort(key.address, key.port, protocol, format);
      if ((format & FMT.RULE) !== 0) name = `${key.kind === 'tcp' ? '-t' : '-u'} ${vname}`;
      else {
        name = `${key.kind === 'tcp' ? 'TCP' : 'UDP'}  ${vname}`;
        if (service.family !== 6) name = name.slice(0, 33);
      }
    }
    const stats = service.stats;
    if ((format & FMT.RULE) !== 0) {
      let line = `-A ${name} -s ${service.scheduler.name}`;
      if (service.isPersistent) {
        line += ` -p ${service.timeout}`;
        if (service.family === 4 && service.netmask !== 0xffffffff) line += ` -M ${formatAddress(inet4(service.netmask))}`;
        if (service.family === 6 && service.netmask !== 128) line += ` -M ${service.netmask}`;
      }
      if ((service.flags & SVC_F_ONEPACKET) !== 0) line += ' -o';
      this.print(`${line}\n`);
    } else if ((format & FMT.STATS) !== 0) {
      this.print(`${name.padEnd(33)}${[stats.conns, stats.inpkts, stats.outpkts, stats.inbytes, stats.outbytes].map((n) => largeNumber(n, format)).join('')}\n`);
    } else if ((format & FMT.RATE) !== 0) {
      const r = stats.rates();
      this.print(`${name.padEnd(33)}${[r.cps, r.inpps, r.outpps, r.inbps, r.outbps].map((n) => largeNumber(n, format)).join('')}\n`);
    } else {
      let line = `${name} ${service.scheduler.name}`;
      if (service.isPersistent) {
        line += ` persistent ${service.timeout}`;
        if (service.family === 4 && service.netmask !== 0xffffffff) line += ` mask ${formatAddress(inet4(service.netmask))}`;
        if (service.family === 6 && service.netmask !== 128) line += ` mask ${service.netmask}`;
        if ((service.flags & SVC_F_ONEPACKET) !== 0) line += ' ops';
      }
      this.print(`${line}\n`);
    }
    let dests: RealServer[] = service.destinations;
    if ((format & FMT.NOSORT) === 0) dests = [...dests].sort(compareDestinations);
    for (const dest of dests) {
      let dname = this.addrPort(dest.address, dest.port, protocol, format);
      if ((format & FMT.RULE) === 0 && service.family !== 6) dname = dname.slice(0, 28);
      const s = dest.stats;
      if ((format & FMT.RULE) !== 0) {
        this.print(`-a ${name} -r ${dname} ${forwardingSwitch(dest.forwarding)} -w ${dest.weight}\n`);
      } else if ((format & FMT.STATS) !== 0) {
        this.print(`  -> ${dname.padEnd(28)}${[s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes].map((n) => largeNumber(n, format)).join('')}\n`);
      } else if ((format & FMT.RATE) !== 0) {
        const r = s.rates();
        this.print(`  -> ${dname.padEnd(28)} ${String(r.cps).padStart(8)} ${String(r.inpps).padStart(8)} ${String(r.outpps).padStart(8)}${largeNumber(r.inbps, format)}${largeNumber(r.outbps, format)}\n`);
      } else if ((format & FMT.THRESHOLDS) !== 0) {
        this.print(`  -> ${dname.padEnd(28)} ${[dest.upperThreshold, dest.lowerThreshold, dest.activeConns, dest.inactConns].map((n) => String(n).padEnd(10)).join(' ')}\n`);
      } else if ((format & FMT.PERSISTENTCONN) !== 0) {
        this.print(`  -> ${dname.padEnd(28)} ${String(dest.weight).padEnd(9)} ${String(dest.persistConns).padEnd(11)} ${String(dest.activeConns).padEnd(10)} ${String(dest.inactConns).padEnd(10)}\n`);
      } else {
        this.print(`  -> ${dname.padEnd(28)} ${FORWARDING_NAMES[dest.forwarding].padEnd(7)} ${String(dest.weight).padEnd(6)} ${String(dest.activeConns).padEnd(10)} ${String(dest.inactConns).padEnd(10)}\n`);
      }
    }
  }

  /** list_conn over /proc/net/ip_vs_conn's entries. */
  private listConnections(format: number): void {
    this.ipvs.tick(this.now);
    this.print('IPVS connection entries\n');
    this.print(`pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} destination\n`);
    for (const conn of this.ipvs.connections.all()) {
      const protocolText = protocolName(conn.protocol);
      const proto = protocolText === 'TCP' ? IPPROTO_TCP : protocolText === 'UDP' ? IPPROTO_UDP : 0;
      const vaddr = virtualAddressOf(conn);
      const expires = secondsLeft(conn, this.now);
      const expire = `${String(Math.floor(expires / 60)).padStart(2, '0')}:${String(expires % 60).padStart(2, '0')}`;
      this.print(
        `${protocolText.padEnd(3)} ${expire.padEnd(6)} ${connectionStateName(conn).padEnd(11)} ${this.addrPort(conn.caddr, conn.cport, proto, format).padEnd(18)} ` +
          `${this.addrPort(vaddr, conn.vport, proto, format).padEnd(18)} ${this.addrPort(conn.daddr, conn.dport, proto, format)}\n`,
      );
    }
  }

  private listDaemon(): void {
    // ipvsadm 1.28+'s list_daemon over the kernel's IPVS_DAEMON_ATTR_* (master first).
    for (const state of ['master', 'backup'] as const) {
      const d = this.ipvs.daemons.find((daemon) => daemon.state === state);
      if (d === undefined) continue;
      this.print(`${state} sync daemon (mcast=${d.mcastInterface}, syncid=${d.syncId}, maxlen=${d.syncMaxlen}, group=${formatAddress(d.mcastGroup)}, port=${d.mcastPort}, ttl=${d.mcastTtl})\n`);
    }
  }

}

/** Lines -R reads at most. */
const MAX_RESTORE_LINES = 65536;

function atoi(text: string): number {
  const m = /^[ \t\n]*([+-]?[0-9]+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

function parseTimeout(text: string, min: number, max: number): number {
  const value = stringToNumber(text, min, max);
  if (value === -1) fail(2, `invalid timeout value \`${text}' specified`);
  return value;
}

function parseFwmark(text: string): number {
  const m = /^[ \t\n]*([+-]?[0-9]+)$/.exec(text);
  const value = m === null ? NaN : Number(m[1]);
  if (!Number.isFinite(value) || value <= 0 || value > 0xffffffff) fail(2, `invalid fwmark value \`${text}' specified`);
  return value;
}

function serviceKey(spec: ServiceSpec): ServiceKey {
  if (spec.fwmark !== 0) return { kind: 'fwmark', family: spec.family, fwmark: spec.fwmark };
  return { kind: spec.protocol === IPPROTO_UDP ? 'udp' : 'tcp', address: spec.address, port: spec.port };
}

function genericOptCheck(command: number, options: number): void {
  const row = COMMANDS_V_OPTIONS[command - 1]!;
  let last = -1;
  for (let j = 0; j < OPT_NAMES.length; j++) {
    const rule = row[j];
    if ((options & (1 << j)) === 0) {
      if (rule === '+') fail(2, `You need to supply the '${OPT_NAMES[j]}' option for the '${CMD_NAMES[command - 1]}' command`);
    } else {
      if (rule === 'x') fail(2, `Illegal '${OPT_NAMES[j]}' option with the '${CMD_NAMES[command - 1]}' command`);
      if (rule === '1') {
        if (last < 0) {
          last = j;
          continue;
        }
        fail(2, `The option '${OPT_NAMES[j]}' conflicts with the '${OPT_NAMES[last]}' option in the '${CMD_NAMES[command - 1]}' command`);
      }
    }
  }
}

/** print_largenum. */
function largeNumber(n: number, format: number): string {
  if ((format & FMT.EXACT) !== 0) {
    const text = String(n);
    return text.padStart(text.length <= 8 ? 9 : text.length + 1);
  }
  if (n < 1e8) return String(n).padStart(9);
  if (n < 1e9) return `${String(Math.floor(n / 1e3)).padStart(8)}K`;
  if (n < 1e11) return `${String(Math.floor(n / 1e6)).padStart(8)}M`;
  if (n < 1e14) return `${String(Math.floor(n / 1e9)).padStart(8)}G`;
  return `${String(Math.floor(n / 1e12)).padStart(8)}T`;
}

function forwardingSwitch(method: ForwardingMethod): string {
  return method === 'masq' ? '-m' : method === 'tunnel' ? '-i' : '-g';
}

/** The 32-bit words of an address, for libipvs's comparisons. */
function words(address: InetAddress): number[] {
  if (address.family === 4) return [address.v4];
  const a = address.v6;
  return [Number(a >> 96n), Number((a >> 64n) & 0xffffffffn), Number((a >> 32n) & 0xffffffffn), Number(a & 0xffffffffn)];
}

/** `int r = ntohl(a) - ntohl(b)`: the unsigned difference read as a signed int. */
function addressDifference(a: InetAddress, b: InetAddress): number {
  const wa = words(a);
  const wb = words(b);
  let r = 0;
  for (let i = 0; r === 0 && i < wa.length; i++) r = (wa[i]! - (wb[i] ?? 0)) | 0;
  return r;
}

/** ipvs_cmp_services: the order `ipvsadm -L` lists services in (also the TUI's, through the runtime). */
export function compareServices(a: VirtualService, b: VirtualService): number {
  const fa = a.key.kind === 'fwmark' ? a.key.fwmark : 0;
  const fb = b.key.kind === 'fwmark' ? b.key.fwmark : 0;
  let r = (fa - fb) | 0;
  if (r !== 0) return r;
  r = (a.family === 4 ? 2 : 10) - (b.family === 4 ? 2 : 10);
  if (r !== 0) return r;
  const pa = a.key.kind === 'fwmark' ? IPPROTO_TCP : a.protocol;
  const pb = b.key.kind === 'fwmark' ? IPPROTO_TCP : b.protocol;
  r = pa - pb;
  if (r !== 0) return r;
  if (a.key.kind !== 'fwmark' && b.key.kind !== 'fwmark') {
    r = addressDifference(a.key.address, b.key.address);
    if (r !== 0) return r;
    return a.key.port - b.key.port;
  }
  return 0;
}

/** ipvs_cmp_dests: the order `ipvsadm -L` lists a service's real servers in. */
export function compareDestinations(a: RealServer, b: RealServer): number {
  const r = addressDifference(a.address, b.address);
  return r !== 0 ? r : a.port - b.port;
}

function versionLine(): string {
  return `ipvsadm ${IPVSADM_VERSION} (compiled with popt and IPVS v${IPVS_VERSION})\n`;
}

function usage(program: string): string {
  const p = program;
  return (
    versionLine() +
    'Usage:\n' +
    `  ${p} -A|E -t|u|f service-address [-s scheduler] [-p [timeout]] [-M netmask]\n` +
    `  ${p} -D -t|u|f service-address\n` +
    `  ${p} -C\n` +
    `  ${p} -R\n` +
    `  ${p} -S [-n]\n` +
    `  ${p} -a|e -t|u|f service-address -r server-address [options]\n` +
    `  ${p} -d -t|u|f service-address -r server-address\n` +
    `  ${p} -L|l [options]\n` +
    `  ${p} -Z [-t|u|f service-address]\n` +
    `  ${p} --set tcp tcpfin udp\n` +
    `  ${p} --start-daemon state [--mcast-interface interface] [--syncid sid]\n` +
    `  ${p} --stop-daemon state\n` +
    `  ${p} -h\n\n` +
    'Commands:\n' +
    'Either long or short options are allowed.\n' +
    '  --add-service     -A        add virtual service with options\n' +
    '  --edit-service    -E        edit virtual service with options\n' +
    '  --delete-service  -D        delete virtual service\n' +
    '  --clear           -C        clear the whole table\n' +
    '  --restore         -R        restore rules from stdin\n' +
    '  --save            -S        save rules to stdout\n' +
    '  --add-server      -a        add real server with options\n' +
    '  --edit-server     -e        edit real server with options\n' +
    '  --delete-server   -d        delete real server\n' +
    '  --list            -L|-l     list the table\n' +
    '  --zero            -Z        zero counters in a service or all services\n' +
    '  --set tcp tcpfin udp        set connection timeout values\n' +
    '  --start-daemon              start connection sync daemon\n' +
    '  --stop-daemon               stop connection sync daemon\n' +
    '  --help            -h        display this help message\n\n' +
    'Options:\n' +
    '  --tcp-service  -t service-address   service-address is host[:port]\n' +
    '  --udp-service  -u service-address   service-address is host[:port]\n' +
    '  --fwmark-service  -f fwmark         fwmark is an integer greater than zero\n' +
    '  --ipv6         -6                   fwmark entry uses IPv6\n' +
    `  --scheduler    -s scheduler         one of ${SCHEDULERS},\n` +
    `                                      the default scheduler is ${DEFAULT_SCHEDULER}.\n` +
    '  --persistent   -p [timeout]         persistent service\n' +
    '  --netmask      -M netmask           persistent granularity mask\n' +
    '  --real-server  -r server-address    server-address is host (and port)\n' +
    '  --gatewaying   -g                   gatewaying (direct routing) (default)\n' +
    '  --ipip         -i                   ipip encapsulation (tunneling)\n' +
    '  --masquerading -m                   masquerading (NAT)\n' +
    '  --weight       -w weight            capacity of real server\n' +
    '  --u-threshold  -x uthreshold        upper threshold of connections\n' +
    '  --l-threshold  -y lthreshold        lower threshold of connections\n' +
    '  --mcast-interface interface         multicast interface for connection sync\n' +
    '  --syncid sid                        syncid for connection sync (default=255)\n' +
    '  --sync-maxlen length                Max sync message length (default=1472)\n' +
    '  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)\n' +
    '  --mcast-port port                   UDP port (default=8848)\n' +
    '  --mcast-ttl ttl                     Multicast TTL (default=1)\n' +
    '  --connection   -c                   output of current IPVS connections\n' +
    '  --timeout                           output of timeout (tcp tcpfin udp)\n' +
    '  --daemon                            output of daemon information\n' +
    '  --stats                             output of statistics information\n' +
    '  --rate                              output of rate information\n' +
    '  --exact                             expand numbers (display exact values)\n' +
    '  --thresholds                        output of thresholds information\n' +
    '  --persistent-conn                   output of persistent connection info\n' +
    '  --nosort                            disable sorting output of service/server entries\n' +
    '  --sort                              does nothing, for backwards compatibility\n' +
    '  --ops          -o                   one-packet scheduling\n' +
    '  --numeric      -n                   numeric output of addresses and ports\n'
  );
}
