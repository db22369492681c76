/**
 * The net-tools 2.10 commands over the same kernel: `route` (-n, -e, -ee, -C; add/del with -net,
 * -host, netmask, gw, metric, dev, reject, through the SIOCADDRT/SIOCDELRT semantics of
 * fib_frontend.c rtentry_to_fib_config) plus the BSD forms `route delete default` and
 * `route add default GW`; `netstat -r[n]` (its socket listing is netstat-sockets.ts); `ifconfig` (labels shown as their own interfaces, as
 * SIOCGIFCONF lists them) and `ifconfig DEV [inet] ADDR [netmask M] [broadcast B] [delete] [up|down]`.
 * The route cache shown by `route -C` is the kernel model's per-flow cache (Linux 2.4's layout, as in
 * seed 004). Counters are zero: the control plane does not count packets.
 */
import { broadcastOf, formatIpv4, maskPrefixLength, parseDottedQuad, prefixMask } from '@netloom/wire';
import type { IfAddress, Kernel, KernelResult, RouteCacheEntry } from '../kernel.js';
import type { RouteSpec } from '../kernel.js';
import type { Nanos } from '../node-host.js';
import { KERNEL_ERRNO_MESSAGE } from '../fib/errors.js';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, RTPROT_BOOT, type FibRoute } from '../fib/types.js';
import { formatMac } from './ip-util.js';
import { printIpStatistics, printTcpStatistics } from './netstat-statistics.js';
import { printInternetConnections, type NetstatSocketRequest } from './netstat-sockets.js';
import type { SocketListing } from '../tcp/socket-info.js';

export interface CommandOutput {
  stdout: string;
  stderr: string;
  status: number;
}

type Resolver = (address: number) => string | null;

const pad = (text: string, width: number): string => text.slice(0, 15).padEnd(width);

// ------------------------------------------------------------------ route / netstat -r

/** RTF_* flags of a main-table route as /proc/net/route reports them (fib_flag_trans). */
function routeFlags(route: FibRoute): { flags: string; reject: boolean } {
  const reject = route.type === 'unreachable' || route.type === 'prohibit';
  let flags = 'U';
  const gw = route.nexthops[0]?.gateway ?? 0;
  if (gw) flags += 'G';
  if (reject) flags = '!';
  if (route.prefixLength === 32) flags += 'H';
  return { flags, reject };
}

function mainRoutes(kernel: Kernel): FibRoute[] {
  return (kernel.table(RT_TABLE_MAIN)?.routes ?? []).filter((r) => r.type !== 'broadcast' && r.type !== 'multicast');
}

function name(address: number, numeric: boolean, resolve: Resolver, isDestination: boolean, isGateway: boolean): string {
  if (numeric) return formatIpv4(address);
  if (address === 0) return isDestination ? 'default' : isGateway ? '0.0.0.0' : '0.0.0.0';
  return resolve(address) ?? formatIpv4(address);
}

/** rprint_fib: ext 1 (route), 2 (netstat -r / route -e), 3 (route -ee). */
export function printFib(kernel: Kernel, ext: number, numeric: boolean, resolve: Resolver): string {
  let out = 'Kernel IP routing table\n';
  if (ext === 1) out += 'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n';
  if (ext === 2) out += 'Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n';
  if (ext >= 3) out += 'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n';
  for (const route of mainRoutes(kernel)) {
    const { flags, reject } = routeFlags(route);
    const dst = name(route.dst, numeric, resolve, true, false);
    const gw = name(route.nexthops[0]?.gateway ?? 0, numeric, resolve, false, true);
    const mask = formatIpv4(prefixMask(route.prefixLength));
    const iface = route.nexthops[0]?.dev || '*';
    const metric = route.priority;
    if (ext === 1) {
      out += reject
        ? `${pad(dst, 15)} -               ${pad(mask, 15)} ${flags.padEnd(5)} ${String(metric).padEnd(6)} -  ${String(0).padStart(7)} -\n`
        : `${pad(dst, 15)} ${pad(gw, 15)} ${pad(mask, 15)} ${flags.padEnd(5)} ${String(metric).padEnd(6)} ${'0'.padEnd(2)} ${'0'.padStart(7)} ${iface}\n`;
    } else if (ext === 2) {
      out += reject
        ? `${pad(dst, 15)} -               ${pad(mask, 15)} ${flags.padEnd(5)}     - -          - -\n`
        : `${pad(dst, 15)} ${pad(gw, 15)} ${pad(mask, 15)} ${flags.padEnd(5)} ${String(0).padStart(5)} ${'0'.padEnd(5)} ${String(0).padStart(6)} ${iface}\n`;
    } else {
      out += reject
        ? `${pad(dst, 15)} -               ${pad(mask, 15)} ${flags.padEnd(5)} ${String(metric).padEnd(6)} -  ${'0'.padStart(7)} -        -     -      -\n`
        : `${pad(dst, 15)} ${pad(gw, 15)} ${pad(mask, 15)} ${flags.padEnd(5)} ${String(metric).padEnd(6)} ${'0'.padEnd(3)} ${'0'.padStart(6)} ${iface.slice(0, 6).padEnd(6)}   ${'0'.padEnd(5)} ${'0'.padEnd(6)} 0\n`;
    }
  }
  return out;
}

/** Flags of a cache entry as net-tools prints RTCF_* bits. */
function cacheFlags(entry: RouteCacheEntry): string {
  let flags = '';
  if (entry.flags.doRedirect) flags += 'r';
  if (entry.flags.directSrc) flags += 'i';
  if (entry.flags.broadcast) flags += 'b';
  if (entry.flags.multicast) flags += 'm';
  if (entry.flags.local) flags += 'l';
  return flags;
}

/** rprint_cache (2.2+ layout). */
export function printCache(kernel: Kernel, ext: number, numeric: boolean, resolve: Resolver, now: Nanos): string {
  let out = 'Kernel IP routing cache\n';
  if (ext === 1) out += 'Source          Destination     Gateway         Flags Metric Ref    Use Iface\n';
  if (ext === 2) out += 'Source          Destination     Gateway         Flags   MSS Window  irtt Iface\n';
  if (ext >= 3) out += 'Source          Destination     Gateway         Flags Metric Ref    Use Iface    MSS   Window irtt  TOS HHRef HHUptod     SpecDst\n';
  const show = (a: number): string => (numeric ? formatIpv4(a) : a === 0 ? '*' : resolve(a) ?? formatIpv4(a));
  for (const entry of kernel.cacheEntries(now)) {
    const src = show(entry.src);
    const dst = show(entry.dst);
    const gw = show(entry.gateway || entry.dst);
    const flags = cacheFlags(entry);
    if (ext === 1) out += `${pad(src, 15)} ${pad(dst, 15)} ${pad(gw, 15)} ${flags.padEnd(5)} ${'0'.padEnd(6)} ${'0'.padEnd(2)} ${String(entry.use).padStart(7)} ${entry.dev}\n`;
    else if (ext === 2) out += `${pad(src, 15)} ${pad(dst, 15)} ${pad(gw, 15)} ${flags.padEnd(5)} ${String(0).padStart(5)} ${'0'.padEnd(5)} ${String(0).padStart(6)} ${entry.dev}\n`;
    else out += `${pad(src, 15)} ${pad(dst, 15)} ${pad(gw, 15)} ${flags.padEnd(5)} ${'0'.padEnd(6)} ${'0'.padEnd(3)} ${String(entry.use).padStart(6)} ${entry.dev.slice(0, 6).padEnd(6)}   ${'0'.padEnd(5)} ${'0'.padEnd(6)} ${'0'.padEnd(5)} ${'0'.padEnd(3)} ${'0'.padEnd(3)}   ${'0'.padEnd(3)} ${formatIpv4(0).padStart(15)}\n`;
  }
  return out;
}

const ROUTE_USAGE = `Usage: route [-nNvee] [-FC] [<AF>]           List kernel routing tables
       route [-v] [-FC] {add|del|flush} ...  Modify routing table for AF.

       route {-h|--help} [<AF>]              Detailed usage syntax for specified AF.
       route {-V|--version}                  Display version/author and exit.

        -v, --verbose            be verbose
        -n, --numeric            don't resolve names
        -e, --extend             display other/more information
        -F, --fib                display Forwarding Information Base (default)
        -C, --cache              display routing cache instead of FIB

  <AF>=Use -4, -6, '-A <af>' or '--<af>'; default: inet
  List of possible address families (which support routing):
    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) x25 (CCITT X.25) 
`;

export function runRoute(kernel: Kernel, argv: string[], now: Nanos, resolve: Resolver): CommandOutput {
  let numeric = false;
  let ext = 1;
  let cache = false;
  let fib = false;
  const rest: string[] = [];
  for (const arg of argv.slice(1)) {
    if (/^-[nNveFC46]+$/.test(arg)) {
      for (const f of arg.slice(1)) {
        if (f === 'n') numeric = true;
        else if (f === 'e') ext++;
        else if (f === 'C') cache = true;
        else if (f === 'F') fib = true;
      }
    } else if (arg === '--numeric') numeric = true;
    else if (arg === '--cache') cache = true;
    else if (arg === '-h' || arg === '--help') return { stdout: '', stderr: ROUTE_USAGE, status: 0 };
    else rest.push(arg);
  }
  if (rest.length === 0) {
    let stdout = '';
    if (fib || !cache) stdout += printFib(kernel, ext, numeric, resolve);
    if (cache) stdout += printCache(kernel, ext, numeric, resolve, now);
    return { stdout, stderr: '', status: 0 };
  }
  const verb = rest[0]!;
  if (verb === 'add' || verb === 'del' || verb === 'delete') return routeModify(kernel, verb === 'add', rest.slice(1), resolve);
  if (verb === 'flush') {
    kernel.flushCache();
    return { stdout: '', stderr: '', status: 0 };
  }
  return { stdout: '', stderr: ROUTE_USAGE, status: 4 };
}

const INET_ROUTE_USAGE = `Usage: inet_route [-vF] del {-host|-net} Target[/prefix] [gw Gw] [metric M] [[dev] If]
       inet_route [-vF] add {-host|-net} Target[/prefix] [gw Gw] [metric M]
                              [netmask N] [mss Mss] [window W] [irtt I]
                              [mod] [dyn] [reinstate] [[dev] If]
       inet_route [-vF] add {-host|-net} Target[/prefix] [metric M] reject
       inet_route [-FC] flush      NOT supported
`;

function resolveHost(text: string): number | null {
  return parseDottedQuad(text);
}

/** inet_setroute + rtentry_to_fib_config. */
function routeModify(kernel: Kernel, add: boolean, args: string[], _resolve: Resolver): CommandOutput {
  const usage = { stdout: '', stderr: INET_ROUTE_USAGE, status: 3 };
  const ioctl = add ? 'SIOCADDRT' : 'SIOCDELRT';
  let i = 0;
  let host = false;
  let net = false;
  if (args[i] === '-net') {
    net = true;
    i++;
  } else if (args[i] === '-host') {
    host = true;
    i++;
  }
  const targetText = args[i++];
  if (targetText === undefined) return usage;
  let dst: number;
  let prefixLength: number;
  if (targetText === 'default') {
    dst = 0;
    prefixLength = 0;
  } else {
    const [addrText, lenText] = targetText.split('/', 2);
    const address = resolveHost(addrText ?? '');
    if (address === null) return { stdout: '', stderr: `${targetText}: Unknown host\n`, status: 6 };
    dst = address;
    // -net without a netmask leaves the mask 0 (the kernel then refuses a non-zero network).
    prefixLength = lenText !== undefined ? Number(lenText) : net ? 0 : 32;
    if (lenText !== undefined && (!/^\d+$/.test(lenText) || prefixLength > 32)) return { stdout: '', stderr: `route: bogus netmask ${lenText}\n`, status: 4 };
  }
  let gateway = 0;
  let gatewayGiven = false;
  let metric = 0;
  let dev = '';
  let reject = false;
  let maskGiven = false;
  while (i < args.length) {
    const word = args[i++]!;
    const value = args[i];
    if (word === 'netmask') {
      if (value === undefined) return usage;
      const mask = parseDottedQuad(value);
      const len = mask === null ? null : maskPrefixLength(mask);
      if (len === null) return { stdout: '', stderr: `route: bogus netmask ${value}\n`, status: 4 };
      prefixLength = len;
      maskGiven = true;
      i++;
    } else if (word === 'gw' || word === 'gateway') {
      if (value === undefined) return usage;
      const gw = resolveHost(value);
      if (gw === null) return { stdout: '', stderr: `${value}: Unknown host\n`, status: 6 };
      gateway = gw;
      gatewayGiven = true;
      i++;
    } else if (word === 'metric') {
      if (value === undefined || !/^\d+$/.test(value)) return usage;
      metric = Number(value);
      i++;
    } else if (word === 'dev' || word === 'device') {
      if (value === undefined) return usage;
      dev = value;
      i++;
    } else if (word === 'reject') reject = true;
    else if (['mss', 'window', 'irtt', 'mod', 'dyn', 'reinstate'].includes(word)) {
      if (['mss', 'window', 'irtt'].includes(word)) i++;
    } else if (i === args.length) {
      // BSD `route add default GW`: a lone address is the gateway; otherwise the device.
      const gw = parseDottedQuad(word);
      if (gw !== null && !gatewayGiven && !kernel.device(word)) {
        gateway = gw;
        gatewayGiven = true;
      } else dev = word;
    } else return usage;
  }
  if (!host && prefixLength < 32 && (dst & ~prefixMask(prefixLength)) !== 0) {
    if (net && targetText.indexOf('/') < 0 && !maskGiven) return { stdout: '', stderr: `${ioctl}: ${KERNEL_ERRNO_MESSAGE.EINVAL}\n`, status: 7 };
    return { stdout: '', stderr: "route: netmask doesn't match route address\n" + INET_ROUTE_USAGE, status: 3 };
  }
  let prefsrc = 0;
  if (dev) {
    const colon = dev.indexOf(':');
    const base = colon >= 0 ? dev.slice(0, colon) : dev;
    if (!kernel.device(base)) return { stdout: '', stderr: `${ioctl}: ${KERNEL_ERRNO_MESSAGE.ENODEV}\n`, status: 7 };
    if (colon >= 0) {
      const ifa = kernel.addressesOf(base).find((a) => a.label === dev);
      if (!ifa) return { stdout: '', stderr: `${ioctl}: ${KERNEL_ERRNO_MESSAGE.ENODEV}\n`, status: 7 };
      prefsrc = ifa.address;
    }
    dev = base;
  }
  if (!add) {
    const result = kernel.deleteRoute({
      table: RT_TABLE_MAIN,
      dst,
      prefixLength,
      tos: 0,
      ...(metric ? { priority: metric } : {}),
      type: reject ? 'unreachable' : 'unicast',
      scope: RT_SCOPE_NOWHERE,
      ...(gateway ? { gateway } : {}),
      ...(dev ? { dev } : {}),
      ...(prefsrc ? { prefsrc } : {}),
    });
    if (!result.ok) return { stdout: '', stderr: `${ioctl}: ${KERNEL_ERRNO_MESSAGE[result.errno]}\n`, status: 7 };
    return { stdout: '', stderr: '', status: 0 };
  }
  let scope = reject ? RT_SCOPE_HOST : RT_SCOPE_NOWHERE;
  if (!reject && gatewayGiven && gateway && kernel.addressType(gateway) === 'unicast') scope = RT_SCOPE_UNIVERSE;
  if (scope === RT_SCOPE_NOWHERE) scope = RT_SCOPE_LINK;
  const spec: RouteSpec = {
    table: RT_TABLE_MAIN,
    dst,
    prefixLength,
    tos: 0,
    priority: metric,
    type: reject ? 'unreachable' : 'unicast',
    protocol: RTPROT_BOOT,
    scope,
    prefsrc,
    nexthops: reject ? [] : [{ gateway, dev, weight: 1, onlink: false }],
    multipath: false,
    mtu: 0,
    mtuLock: false,
  };
  const result = kernel.modifyRoute(spec, 'prepend');
  if (!result.ok) return { stdout: '', stderr: `${ioctl}: ${KERNEL_ERRNO_MESSAGE[result.errno]}\n`, status: 7 };
  return { stdout: '', stderr: '', status: 0 };
}

/** net-tools' usage(), printed after an option error (exit 3, E_OPTERR). */
const NETSTAT_USAGE = `usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}
       netstat [-vWnNcaeol] [<Socket> ...]
       netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }

        -r, --route              display routing table
        -i, --interfaces         display interface table
        -g, --groups             display multicast group memberships
        -s, --statistics         display networking statistics (like SNMP)
        -M, --masquerade         display masqueraded connections

        -v, --verbose            be verbose
        -W, --wide               don't truncate IP addresses
        -n, --numeric            don't resolve names
        --numeric-hosts          don't resolve host names
        --numeric-ports          don't resolve port names
        --numeric-users          don't resolve user names
        -N, --symbolic           resolve hardware names
        -e, --extend             display other/more information
        -p, --programs           display PID/Program name for sockets
        -o, --timers             display timers
        -c, --continuous         continuous listing

        -l, --listening          display listening server sockets
        -a, --all                display all sockets (default: connected)
        -F, --fib                display Forwarding Information Base (default)
        -C, --cache              display routing cache instead of FIB
        -Z, --context            display SELinux security context for sockets

  <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-S|--sctp} {-w|--raw}
           {-x|--unix} --ax25 --ipx --netrom
  <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet
  List of possible address families (which support routing):
    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) ipx (Novell IPX) 
    ddp (Appletalk DDP) x25 (CCITT X.25) 
`;

/** netstat 2.10's short options (getopt's string), for telling an unknown letter from one not modelled. */
const NETSTAT_LETTERS = 'ACFMacdeghilnNoprsStuUvVWw2fx64Z';

const NETSTAT_LONG: Readonly<Record<string, string>> = {
  '--route': 'r', '--statistics': 's', '--numeric': 'n', '--tcp': 't', '--udp': 'u', '--all': 'a', '--listening': 'l',
  '--programs': 'p', '--wide': 'W', '--inet': '4', '--inet6': '6', '--extend': 'e', '--verbose': 'v', '--cache': 'C',
  '--fib': 'F', '--unix': 'x', '--raw': 'w', '--numeric-hosts': 'n', '--numeric-ports': 'n',
};

/**
 * `netstat`: -r[n] (the routing table, -C its cache), -s (statistics), and the socket listing
 * (-t -u -a -l -n -p -W -4 -6 -A inet|inet6, netstat-sockets.ts).
 */
export function runNetstat(kernel: Kernel, argv: string[], now: Nanos, resolve: Resolver, sockets: SocketListing): CommandOutput {
  const letters = new Set<string>();
  const families = new Set<4 | 6>();
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-f' || arg === '-A' || arg.startsWith('-A') || arg.startsWith('--protocol=')) {
      const af = arg === '-f' || arg === '-A' ? argv[++i] ?? '' : arg.startsWith('-A') ? arg.slice(2) : arg.slice('--protocol='.length);
      for (const name of af.split(',')) {
        if (name === 'inet') families.add(4);
        else if (name === 'inet6') families.add(6);
      }
      continue;
    }
    const long = NETSTAT_LONG[arg];
    if (long !== undefined) letters.add(long);
    else if (arg.startsWith('--')) return { stdout: '', stderr: `netstat: unrecognized option '${arg}'\n${NETSTAT_USAGE}`, status: 3 };
    else if (/^-[a-zA-Z0-9]+$/.test(arg)) {
      for (const f of arg.slice(1)) {
        if (!NETSTAT_LETTERS.includes(f)) return { stdout: '', stderr: `netstat: invalid option -- '${f}'\n${NETSTAT_USAGE}`, status: 3 };
        letters.add(f);
      }
    }
  }
  if (letters.has('4')) families.add(4);
  if (letters.has('6')) families.add(6);
  const numeric = letters.has('n');
  if (letters.has('s')) {
    // -t, -u, -w choose sections (statistics.c's f_tcp, f_udp, f_raw); none of them: every one.
    const chosen = letters.has('t') || letters.has('u') || letters.has('w');
    let stdout = '';
    if (!chosen || letters.has('w')) stdout += printIpStatistics(kernel.ipStatistics(), kernel.sysctl('net.ipv4.conf.all.forwarding') !== 0);
    if (!chosen || letters.has('t')) stdout += printTcpStatistics(kernel.tcpStatistics());
    return { stdout, stderr: '', status: 0 };
  }
  if (letters.has('r')) {
    if (letters.has('C')) return { stdout: printCache(kernel, 2, numeric, resolve, now), stderr: '', status: 0 };
    return { stdout: printFib(kernel, 2, numeric, resolve), stderr: '', status: 0 };
  }
  const unmodelled = [...letters].find((f) => 'igMocUSweZNhVT'.includes(f));
  if (unmodelled !== undefined) return { stdout: '', stderr: `netstat: -${unmodelled} is not available here: netloom lists the routing table (-r), statistics (-s) and TCP/UDP sockets (-t -u -a -l -n -p -W -4 -6)\n`, status: 1 };
  const named = letters.has('t') || letters.has('u') || letters.has('x');
  const request: NetstatSocketRequest = {
    tcp: named ? letters.has('t') : true,
    udp: named ? letters.has('u') : true,
    all: letters.has('a'),
    listening: letters.has('l'),
    numeric,
    programs: letters.has('p'),
    wide: letters.has('W'),
    families: families.size > 0 ? families : new Set([4, 6]),
    unixSection: named ? letters.has('x') : families.size === 0,
  };
  return { stdout: printInternetConnections(sockets, request, resolve), stderr: '', status: 0 };
}

// ------------------------------------------------------------------ ifconfig

interface IfEntry {
  name: string;
  dev: string;
}

/** net-tools' nstrcmp: names compared chunk by chunk, digit runs numerically. */
function nstrcmp(a: string, b: string): number {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      if (Number(x) !== Number(y)) return Number(x) - Number(y);
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

/** Interfaces as ifconfig sees them: devices and labels (SIOCGIFCONF), sorted by name. */
function ifEntries(kernel: Kernel): IfEntry[] {
  const entries: IfEntry[] = [];
  for (const d of kernel.devices()) {
    entries.push({ name: d.name, dev: d.name });
    for (const a of d.addresses) {
      if (a.label !== d.name && !entries.some((e) => e.name === a.label)) entries.push({ name: a.label, dev: d.name });
    }
  }
  return entries.sort((x, y) => nstrcmp(x.name, y.name));
}

/** The IFF bits of the flags a device kind shows (if.h), as net-tools' ifconfig prints them. */
const IFF_BITS: Readonly<Record<string, number>> = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, POINTOPOINT: 0x10, RUNNING: 0x40, NOARP: 0x80, MULTICAST: 0x1000 };

/** ifconfig's flags: UP and RUNNING with the device kind's own (device-kinds.ts), in bit order. */
function ifFlags(kernel: Kernel, dev: string): { value: number; names: string[] } {
  const d = kernel.device(dev)!;
  const names = [...d.ops.flags];
  if (d.adminUp) names.push('UP');
  if (d.adminUp && d.carrier) names.push('RUNNING');
  const bits = names.flatMap((name) => (IFF_BITS[name] === undefined ? [] : [IFF_BITS[name]])).sort((a, b) => a - b);
  return { value: bits.reduce((sum, bit) => sum | bit, 0), names: bits.map((bit) => Object.keys(IFF_BITS).find((name) => IFF_BITS[name] === bit)!) };
}

/** net-tools' scaled byte count: one decimal (truncated), B/KB/MB/GB/TB in steps of 1000. */
function scaledBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let unit = 0;
  let divisor = 1;
  while (bytes >= divisor * 1000 && unit < units.length - 1) {
    divisor *= 1000;
    unit++;
  }
  const tenths = Math.floor((bytes * 10) / divisor);
  return `${Math.floor(tenths / 10)}.${tenths % 10} ${units[unit]}`;
}

function formatIfEntry(kernel: Kernel, entry: IfEntry): string {
  const d = kernel.device(entry.dev)!;
  const flags = ifFlags(kernel, entry.dev);
  let out = `${entry.name}: flags=${flags.value}<${flags.names.join(',')}>  mtu ${d.mtu}\n`;
  const ifa = kernel.addressesOf(entry.dev).find((a) => a.label === entry.name);
  if (ifa) {
    out += `        inet ${formatIpv4(ifa.address)}  netmask ${formatIpv4(prefixMask(ifa.prefixLength))}`;
    if (d.kind !== 'loopback') out += `  broadcast ${formatIpv4(ifa.broadcast)}`;
    out += '\n';
  }
  const isAlias = entry.name !== entry.dev;
  if (!isAlias) {
    for (const a6 of kernel.ipv6AddressesOf(entry.dev)) {
      const scopeId = a6.scope === 'host' ? '0x10<host>' : a6.scope === 'link' ? '0x20<link>' : '0x0<global>';
      out += `        inet6 ${a6.address}  prefixlen ${a6.prefixLength}  scopeid ${scopeId}\n`;
    }
  }
  if (d.kind === 'loopback') out += '        loop  txqueuelen 1000  (Local Loopback)\n';
  else out += `        ether ${formatMac(d.mac)}  txqueuelen 1000  (Ethernet)\n`;
  if (!isAlias) {
    const st = kernel.deviceStats(entry.dev);
    out += `        RX packets ${st.rxPackets}  bytes ${st.rxBytes} (${scaledBytes(st.rxBytes)})\n`;
    out += `        RX errors ${st.rxErrors}  dropped ${st.rxDropped}  overruns ${st.rxMissed}  frame 0\n`;
    out += `        TX packets ${st.txPackets}  bytes ${st.txBytes} (${scaledBytes(st.txBytes)})\n`;
    out += `        TX errors ${st.txErrors}  dropped ${st.txDropped} overruns 0  carrier ${st.txCarrier}  collisions ${st.txCollisions}\n`;
  }
  return out + '\n';
}

export function runIfconfig(kernel: Kernel, argv: string[]): CommandOutput {
  const args = argv.slice(1);
  let all = false;
  if (args[0] === '-a') {
    all = true;
    args.shift();
  }
  if (args.length === 0) {
    let stdout = '';
    for (const entry of ifEntries(kernel)) {
      const d = kernel.device(entry.dev)!;
      if (!all && !d.adminUp) continue;
      stdout += formatIfEntry(kernel, entry);
    }
    return { stdout, stderr: '', status: 0 };
  }
  const target = args[0]!;
  const colon = target.indexOf(':');
  const devName = colon >= 0 ? target.slice(0, colon) : target;
  if (!kernel.device(devName)) {
    if (args.length === 1) return { stdout: '', stderr: `${target}: error fetching interface information: Device not found\n`, status: 1 };
    return { stdout: '', stderr: `SIOCSIFADDR: No such device\n${target}: ERROR while getting interface flags: No such device\n`, status: 255 };
  }
  if (args.length === 1) {
    // A label without an address still answers SIOCGIFFLAGS (the colon part is ignored).
    const entry = ifEntries(kernel).find((e) => e.name === target) ?? { name: target, dev: devName };
    return { stdout: formatIfEntry(kernel, entry), stderr: '', status: 0 };
  }
  // Each setting is one ioctl on the first address carrying the label, in argument order
  // (devinet_ioctl: SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFBRDADDR, SIOCDIFADDR).
  const labelled = (): IfAddress | undefined => kernel.addressesOf(devName).find((a) => a.label === target);
  const reinsert = (old: IfAddress, changes: Partial<IfAddress>): KernelResult => {
    kernel.deleteAddress(devName, old.address, old.prefixLength, old.label);
    const next = { ...old, ...changes };
    return kernel.addAddress(devName, {
      address: next.address,
      prefixLength: next.prefixLength,
      broadcast: next.broadcast,
      label: next.label,
      scope: next.scope,
      noprefixroute: next.noprefixroute,
      metric: next.metric,
    });
  };
  const fail = (ioctl: string, message: string): CommandOutput => ({ stdout: '', stderr: `${ioctl}: ${message}\n`, status: 255 });
  const usageError = (word: string): CommandOutput => ({ stdout: '', stderr: `${word}: Unknown host\nifconfig: \`--help' gives usage information.\n`, status: 1 });
  let up: boolean | null = null;
  let del = false;
  /** ioctl failures ifconfig reports and passes over (its `goterr`). */
  let errors = '';
  for (let i = 1; i < args.length; i++) {
    const word = args[i]!;
    if (word === 'inet') continue;
    if (word === 'up') up = true;
    else if (word === 'down') up = false;
    else if (word === 'delete' || word === '-alias' || word === 'del') del = true;
    else if (word === 'netmask') {
      const value = args[++i];
      const mask = value === undefined ? null : parseDottedQuad(value);
      if (mask === null) return usageError(value ?? '');
      // devinet_ioctl looks for the address first, then refuses a non-contiguous mask (bad_mask);
      // ifconfig reports the failed ioctl and goes on with the next argument (exit 1 at the end).
      const ifa = labelled();
      const prefixLength = maskPrefixLength(mask);
      if (!ifa || prefixLength === null) {
        errors += `SIOCSIFNETMASK: ${ifa ? 'Invalid argument' : 'Cannot assign requested address'}\n`;
        continue;
      }
      if (ifa.prefixLength !== prefixLength) {
        const brd = ifa.broadcast === broadcastOf(ifa.address, ifa.prefixLength) && prefixLength < 31 ? broadcastOf(ifa.address, prefixLength) : ifa.broadcast;
        const r = reinsert(ifa, { prefixLength, broadcast: brd });
        if (!r.ok) return fail('SIOCSIFNETMASK', KERNEL_ERRNO_MESSAGE[r.errno]);
      }
    } else if (word === 'broadcast') {
      const value = args[++i];
      const b = value === undefined ? null : parseDottedQuad(value);
      if (b === null) return usageError(value ?? '');
      const ifa = labelled();
      if (!ifa) return fail('SIOCSIFBRDADDR', 'Cannot assign requested address');
      if (ifa.broadcast !== b) reinsert(ifa, { broadcast: b });
    } else if (word === 'mtu') {
      const value = args[++i];
      if (value === undefined || !/^\d+$/.test(value)) return { stdout: '', stderr: "ifconfig: `--help' gives usage information.\n", status: 1 };
      const r = kernel.setMtu(devName, Number(value));
      if (!r.ok) return fail('SIOCSIFMTU', KERNEL_ERRNO_MESSAGE[r.errno]);
    } else {
      const address = parseDottedQuad(word);
      if (address === null) return usageError(word);
      if (del || args.slice(i + 1).some((a) => a === 'delete' || a === '-alias')) {
        const ifa = kernel.addressesOf(devName).find((a) => a.address === address);
        if (!ifa) return fail('SIOCDIFADDR', 'Cannot assign requested address');
        kernel.deleteAddress(devName, address, ifa.prefixLength, ifa.label);
        del = true;
        continue;
      }
      const first = address >>> 24;
      const prefixLength = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
      const changes: Partial<IfAddress> = {
        address,
        prefixLength,
        broadcast: prefixLength < 31 ? broadcastOf(address, prefixLength) : 0,
        scope: first === 127 ? RT_SCOPE_HOST : 0,
      };
      const ifa = labelled();
      let r: KernelResult;
      if (!ifa) {
        r = kernel.addAddress(devName, { address, prefixLength, broadcast: changes.broadcast!, label: target, scope: changes.scope! });
      } else if (ifa.address === address) r = { ok: true };
      else r = reinsert(ifa, changes);
      if (!r.ok) return fail('SIOCSIFADDR', KERNEL_ERRNO_MESSAGE[r.errno]);
      // net-tools brings the interface up after setting an address.
      if (up === null) up = true;
    }
  }
  if (up === false && colon >= 0) {
    // SIOCSIFFLAGS without IFF_UP on a label deletes that address (devinet_ioctl).
    const ifa = kernel.addressesOf(devName).find((a) => a.label === target);
    if (!ifa) return { stdout: '', stderr: `SIOCSIFFLAGS: Cannot assign requested address\n`, status: 255 };
    kernel.deleteAddress(devName, ifa.address, ifa.prefixLength, ifa.label);
    return { stdout: '', stderr: '', status: 0 };
  }
  if (up !== null && colon < 0) kernel.setLinkUp(devName, up);
  return { stdout: '', stderr: errors, status: errors ? 1 : 0 };
}
