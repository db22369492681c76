/**
 * What every `ip` subcommand shares: iproute2's argument helpers and their exact error texts and
 * exit statuses (lib/utils.c: NEXT_ARG, invarg, duparg, duparg2, get_prefix, get_addr, get_u32,
 * matches), and the name tables of /etc/iproute2 (rt_scopes, rt_protos, rt_dsfield) and rtnetlink
 * route types. Parse errors end the command through IpExit, caught by the `ip` entry point.
 */
import { type Iproute2Prefix, parseIproute2Ipv4, parseIproute2Prefix, ipv6Network, parseIpv6Number, type Ipv6Number } from '@netloom/wire';
import type { Kernel } from '../kernel.js';
import type { IpContext } from './ip-context.js';
import type { IpFamily } from './ip-options.js';
import type { RouteType } from '../routing-api.js';

/** Ends an `ip` command with a status after printing `message` on stderr (iproute2's exit()). */
export class IpExit {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

/** iproute2 `matches(arg, pattern)`: arg is a non-empty prefix of pattern. */
export function matches(arg: string, pattern: string): boolean {
  return arg.length > 0 && arg.length <= pattern.length && pattern.startsWith(arg);
}

/** A cursor over argv with NEXT_ARG. */
export class Args {
  private index = 0;
  constructor(private readonly argv: readonly string[]) {}
  get done(): boolean {
    return this.index >= this.argv.length;
  }
  get current(): string {
    return this.argv[this.index] ?? '';
  }
  get remaining(): string[] {
    return this.argv.slice(this.index);
  }
  advance(): void {
    this.index++;
  }
  /** NEXT_ARG(): move on, failing when the line ends. */
  next(): string {
    this.index++;
    if (this.index >= this.argv.length) throw new IpExit(255, 'Command line is not complete. Try option "help"');
    return this.argv[this.index]!;
  }
  peekNext(): string | undefined {
    return this.argv[this.index + 1];
  }
}

export function invarg(message: string, arg: string): never {
  throw new IpExit(255, `Error: argument "${arg}" is wrong: ${message}`);
}

export function duparg(key: string, arg: string): never {
  throw new IpExit(255, `Error: duplicate "${key}": "${arg}" is the second value.`);
}

export function duparg2(key: string, arg: string): never {
  throw new IpExit(255, `Error: either "${key}" is duplicate, or "${arg}" is a garbage.`);
}

export function familyName(family: 4 | 6 | 0): string {
  return family === 4 ? 'inet' : family === 6 ? 'inet6' : 'any valid';
}

/** get_addr_1 under a non-IP family (-0, -M, -B): an IPv4 text is refused by name. */
function refuseInetUnder(family: IpFamily, arg: string, what: 'prefix' | 'address'): asserts family is 0 | 4 | 6 {
  if (typeof family === 'string') throw new IpExit(1, `Error: "${arg}" may be inet ${what}, but it is not allowed in this context.`);
}

export function getPrefix(arg: string, family: IpFamily): Iproute2Prefix {
  refuseInetUnder(family, arg, 'prefix');
  const prefix = family === 6 || arg.includes(':') ? null : parseIproute2Prefix(arg);
  if (!prefix) throw new IpExit(1, `Error: ${familyName(family)} prefix is expected rather than "${arg}".`);
  return prefix;
}

export function getAddr(arg: string, family: IpFamily): number {
  refuseInetUnder(family, arg, 'address');
  const address = family === 6 || arg.includes(':') ? null : parseIproute2Ipv4(arg);
  if (address === null) throw new IpExit(1, `Error: ${familyName(family)} address is expected rather than "${arg}".`);
  return address;
}

/** An IPv6 prefix as get_prefix gives it (the address as written; `ipv6Network` masks it). */
export interface ParsedPrefix6 {
  address: Ipv6Number;
  prefixLength: number;
  /** A `/LEN` (or `default`) was given; without it the prefix is a /128. */
  lengthGiven: boolean;
}

/** A prefix of either family: get_prefix_1 picks inet6 for a text with ':' (or under -6). */
export type AnyPrefix = ({ family: 4 } & Iproute2Prefix) | ({ family: 6 } & ParsedPrefix6);

/** get_prefix_1 for AF_INET6 text (inet_pton, then /LEN with get_unsigned base 0, at most 128). */
export function parsePrefix6(arg: string): ParsedPrefix6 | null {
  if (arg === 'default' || arg === 'any' || arg === 'all') return { address: 0n, prefixLength: 0, lengthGiven: true };
  const slash = arg.indexOf('/');
  const address = parseIpv6Number(slash < 0 ? arg : arg.slice(0, slash));
  if (address === null) return null;
  if (slash < 0) return { address, prefixLength: 128, lengthGiven: false };
  const length = parseUnsigned(arg.slice(slash + 1));
  if (length === null || length > 128) return null;
  return { address, prefixLength: length, lengthGiven: true };
}

/** get_prefix for either family: -6 or a ':' makes it IPv6, else IPv4 as getPrefix. */
export function getPrefixAny(arg: string, family: IpFamily): AnyPrefix {
  refuseInetUnder(family, arg, 'prefix');
  if (family === 6 || (family === 0 && arg.includes(':'))) {
    const prefix = family === 6 || arg.includes(':') ? parsePrefix6(arg) : null;
    if (!prefix) throw new IpExit(1, `Error: ${familyName(family)} prefix is expected rather than "${arg}".`);
    return { family: 6, ...prefix };
  }
  return { family: 4, ...getPrefix(arg, family) };
}

/** get_addr for AF_INET6 (or an unspecified family with IPv6 text). */
export function getAddr6(arg: string, family: IpFamily): Ipv6Number {
  refuseInetUnder(family, arg, 'address');
  const address = family === 4 ? null : parseIpv6Number(arg);
  if (address === null) throw new IpExit(1, `Error: ${familyName(family)} address is expected rather than "${arg}".`);
  return address;
}

/** The network of a parsed IPv6 prefix. */
export function prefix6Network(prefix: ParsedPrefix6): Ipv6Number {
  return ipv6Network(prefix.address, prefix.prefixLength);
}

/** rtnl_rttable_a2n: a table name from rt_tables or a number. */
export function parseTable(kernel: Kernel, arg: string): number | null {
  const named = kernel.tableIdByName(arg);
  if (named !== null) return named;
  return parseUnsigned(arg);
}

/** ll_name_to_index for `dev`/`iif`/`oif`: iproute2 refuses a missing device before asking the kernel. */
export function requireDevice(ctx: IpContext, name: string): void {
  if (!ctx.kernel.device(name)) throw new IpExit(1, `Cannot find device "${name}"`);
}

/** get_u32 / get_unsigned with base 0 (decimal, 0x hex, 0 octal). */
export function parseUnsigned(arg: string, max = 0xffffffff): number | null {
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(arg)) value = parseInt(arg.slice(2), 16);
  else if (/^0[0-7]*$/.test(arg)) value = arg.length > 1 ? parseInt(arg.slice(1), 8) : 0;
  else if (/^[1-9][0-9]*$/.test(arg)) value = Number(arg);
  else return null;
  return value <= max ? value : null;
}

export const SCOPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'global'],
  [200, 'site'],
  [253, 'link'],
  [254, 'host'],
  [255, 'nowhere'],
]);

export function scopeName(scope: number): string {
  return SCOPE_NAMES.get(scope) ?? String(scope);
}

/** rtnl_rtscope_a2n: names, "universe", or a number. */
export function parseScope(arg: string): number | null {
  if (arg === 'universe') return 0;
  for (const [n, name] of SCOPE_NAMES) if (name === arg) return n;
  return parseUnsigned(arg, 255);
}

export const PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'unspec'],
  [1, 'redirect'],
  [2, 'kernel'],
  [3, 'boot'],
  [4, 'static'],
  [8, 'gated'],
  [9, 'ra'],
  [10, 'mrt'],
  [11, 'zebra'],
  [12, 'bird'],
  [13, 'dnrouted'],
  [14, 'xorp'],
  [15, 'ntk'],
  [16, 'dhcp'],
  [18, 'keepalived'],
  [42, 'babel'],
  [99, 'openr'],
  [186, 'bgp'],
  [187, 'isis'],
  [188, 'ospf'],
  [189, 'rip'],
  [192, 'eigrp'],
]);

export function protocolName(protocol: number): string {
  return PROTOCOL_NAMES.get(protocol) ?? String(protocol);
}

export function parseProtocol(arg: string): number | null {
  for (const [n, name] of PROTOCOL_NAMES) if (name === arg) return n;
  return parseUnsigned(arg, 255);
}

/** rtnl_rtntype_a2n names (plus nat/xresolve, which the kernel rejects). */
export const ROUTE_TYPE_NAMES: readonly string[] = [
  'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve',
];

export function parseRouteType(arg: string): RouteType | 'nat' | 'xresolve' | null {
  return ROUTE_TYPE_NAMES.includes(arg) ? (arg as RouteType | 'nat' | 'xresolve') : null;
}

/** rt_dsfield names. */
const DSFIELD_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'default'],
  [0x10, 'lowdelay'],
  [0x08, 'throughput'],
  [0x04, 'reliability'],
]);

/** rtnl_dsfield_a2n: a name or a hex number (base 16, as iproute2 reads TOS). */
export function parseDsfield(arg: string): number | null {
  for (const [n, name] of DSFIELD_NAMES) if (name === arg) return n;
  const text = arg.startsWith('0x') || arg.startsWith('0X') ? arg.slice(2) : arg;
  if (!/^[0-9a-fA-F]+$/.test(text)) return null;
  const v = parseInt(text, 16);
  return v <= 255 ? v : null;
}

/** rtnl_dsfield_n2a: 0x%02x (names are not used for output). */
export function dsfieldName(tos: number): string {
  return `0x${tos.toString(16).padStart(2, '0')}`;
}

const IP_PROTOCOL_NAMES: ReadonlyMap<string, number> = new Map([
  ['icmp', 1],
  ['igmp', 2],
  ['tcp', 6],
  ['udp', 17],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['ipv6-icmp', 58],
  ['sctp', 132],
  ['udplite', 136],
]);

/** inet_proto_a2n. */
export function parseIpProtocol(arg: string): number | null {
  const named = IP_PROTOCOL_NAMES.get(arg);
  if (named !== undefined) return named;
  return parseUnsigned(arg, 255);
}

export function ipProtocolName(proto: number): string {
  for (const [name, n] of IP_PROTOCOL_NAMES) if (n === proto) return name;
  return `ipproto-${proto}`;
}

/** A MAC as ip prints it. */
export function formatMac(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return null;
  return new Uint8Array(parts.map((p) => parseInt(p, 16)));
}
