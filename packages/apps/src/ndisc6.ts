/**
 * ndisc6 and rdisc6 (the ndisc6 package, 1.0.5 as Debian 12 ships it; src/ndisc.c, built twice):
 * ndisc6 ADDRESS IFACE solicits a neighbour and prints the link-layer address its advertisement
 * carries; rdisc6 [ADDRESS] IFACE solicits routers (ff02::2 by default) and prints each router
 * advertisement field by field.
 *
 * Covers the options -1 (first response), -d (send nothing, only listen), -h, -m (every response
 * until the wait ends), -n (numeric target), -q (only the link-layer address / the prefixes), -r N
 * attempts (default 3), -s SOURCE (bound; `Cannot assign requested address` when not ours), -V,
 * -v, -w MS per attempt (default 1000 for ndisc6, 4000 for rdisc6), with their long forms; their
 * checks (strtoul with base 0, at most UINT_MAX, else the `Try "ndisc6 -h"` line, status 2) and
 * glibc's getopt messages. The order of the checks is the tool's: the interface
 * (`eth9: No such device`), the source, the target (gai_strerror's text), then `Soliciting NAME
 * (ADDRESS) on IFACE...`. Each attempt sends one solicitation out of the interface with hop limit
 * 255 (ndisc6: a neighbour solicitation to the target's solicited-node group with our MAC as
 * source link-layer address option; rdisc6: a router solicitation without options) and waits;
 * an answer counts when it came in on that interface with hop limit 255 and is the awaited type
 * (ndisc6: an advertisement for the target with a target link-layer address option). Without a
 * response an attempt prints `Timed out.`, and after the last `No response.` (status 2); a send
 * that fails prints `Sending ICMPv6 packet: ERROR` (status 1). rdisc6 prints every field the way
 * parseadv does, with the prefix information, MTU and source link-layer address options in the
 * order they came. Leaves out: the route information, RDNSS and DNSSL options (an `ra:` block sends
 * none), DNS (a name comes from the node's /etc/hosts; one it lacks is `Name or service not known`,
 * as the other programs here say), and messages the stack's own NDP parser rejects (Linux's raw
 * socket would pass them on).
 */
import type { Icmp6RawMessage, Icmp6RawSocket, ProcessContext, Program } from '@netloom/stack';
import { errnoMessage } from '@netloom/stack';
import { formatIpv6Number, ipv6ToBytes, type NdpOption, type NdpRepr } from '@netloom/wire';
import { getopt, glibcMessage } from './getopt.js';
import { EAI, getAddrInfo, resolverHostOf, SOCK_DGRAM } from './resolver.js';
import { isIpv4Literal, isIpv6Literal } from './address-text.js';

const MS = 1_000_000;
const UINT_MAX = 0xffffffff;
const ICMPV6_ROUTER_ADVERTISEMENT = 134;
const ICMPV6_NEIGHBOUR_ADVERTISEMENT = 136;
/** ff02::1:ff00:0/104, the solicited-node multicast prefix (RFC 4291 §2.7.1). */
const SOLICITED_NODE_PREFIX = 0xff02_0000_0000_0000_0000_0001_ff00_0000n;
/** sethoplimit (fd, 255): NDP's hop limit, which receivers check (RFC 4861 §7.1). */
const NDP_HOP_LIMIT = 255;

/** What differs between the two builds of ndisc.c. */
interface Flavour {
  /** The awaited advertisement's ICMPv6 type (ICMP6_FILTER passes only it). */
  advertisementType: number;
  /** nd_delay_ms. */
  waitMs: number;
  /** ndisc_default has NDISC_SINGLE. */
  single: boolean;
  usage: string;
  dataName: string;
  /** rdisc6 takes the address as optional (ff02::2). */
  defaultTarget?: string;
  solicitation(target: Uint8Array, mac: Uint8Array | null): { to: bigint; message: NdpRepr };
  /** parseadv: the lines to print for an advertisement, or null when it is not an answer. */
  parse(message: NdpRepr, target: Uint8Array, verbose: boolean): string | null;
}

const OPTIONS = {
  short: '1dhmnqr:s:Vvw:',
  long: [
    { name: 'single', argument: 'none', key: '1' },
    { name: 'no-solicit', argument: 'none', key: 'd' },
    { name: 'help', argument: 'none', key: 'h' },
    { name: 'multiple', argument: 'none', key: 'm' },
    { name: 'numeric', argument: 'none', key: 'n' },
    { name: 'quiet', argument: 'none', key: 'q' },
    { name: 'retry', argument: 'required', key: 'r' },
    { name: 'source', argument: 'required', key: 's' },
    { name: 'version', argument: 'none', key: 'V' },
    { name: 'verbose', argument: 'none', key: 'v' },
    { name: 'wait', argument: 'required', key: 'w' },
  ],
} as const;

/** usage (): 1.0.5's text says `(default: 1000)` for rdisc6 too. */
const HELP_OPTIONS = (dataName: string): string =>
  [
    '',
    '  -1, --single     display first response and exit',
    "  -d, --no-solicit don't send any solicitation messages",
    '  -h, --help       display this help and exit',
    '  -m, --multiple   wait and display all responses',
    "  -n, --numeric    don't resolve host names",
    `  -q, --quiet      only print the ${dataName} (mainly for scripts)`,
    '  -r, --retry      maximum number of attempts (default: 3)',
    '  -s, --source     specify source IPv6 address',
    '  -V, --version    display program version and exit',
    '  -v, --verbose    verbose display (this is the default)',
    '  -w, --wait       how long to wait for a response [ms] (default: 1000)',
    '',
    '',
  ].join('\n');

const VERSION = [
  'ndisc6: IPv6 Neighbor/Router Discovery userland tool 1.0.5 ($Rev$)',
  'Written by Remi Denis-Courmont',
  '',
  'Copyright (C) 2004-2007 Remi Denis-Courmont',
  'This is free software; see the source for copying conditions.',
  'There is NO warranty; not even for MERCHANTABILITY or',
  'FITNESS FOR A PARTICULAR PURPOSE.',
  '',
  '',
].join('\n');

/** printmacaddress: `%02X` bytes joined by colons. */
function macText(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** `%12u (0x%08x) second(s)` or the infinite form (print32time). */
function seconds32(v: number): string {
  if (v === UINT_MAX) return '    infinite (0xffffffff)';
  return `${String(v).padStart(12)} (0x${v.toString(16).padStart(8, '0')}) ${v === 1 ? 'second' : 'seconds'}`;
}

function milliseconds32(v: number): string {
  if (v === 0) return ' unspecified (0x00000000)';
  return `${String(v).padStart(12)} (0x${v.toString(16).padStart(8, '0')}) ${v === 1 ? 'millisecond' : 'milliseconds'}`;
}

const yesNo = (flag: boolean): string => (flag ? 'Yes' : 'No').padStart(3);
/** pref_i2n. */
const PREFERENCE_TEXT = { medium: 'medium', high: 'high', reserved: 'medium (invalid)', low: 'low' } as const;

function prefixLines(option: Extract<NdpOption, { kind: 'prefixInformation' }>, verbose: boolean): string[] {
  const text = `${formatIpv6Number(bytesToBigint(option.prefix))}/${option.prefixLength}`;
  if (!verbose) return [text];
  return [
    ` Prefix                   : ${text}`,
    `  On-link                 :          ${yesNo(option.onLink)}`,
    `  Autonomous address conf.:          ${yesNo(option.autonomous)}`,
    `  Valid time              : ${seconds32(option.validLifetime)}`,
    `  Pref. time              : ${seconds32(option.preferredLifetime)}`,
  ];
}

function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

const NDISC6: Flavour = {
  advertisementType: ICMPV6_NEIGHBOUR_ADVERTISEMENT,
  waitMs: 1000,
  single: true,
  usage: 'Usage: %s [options] <IPv6 address> <interface>\nLooks up an on-link IPv6 node link-layer address (Neighbor Discovery)\n',
  dataName: 'link-layer address',
  solicitation: (target, mac) => ({
    to: SOLICITED_NODE_PREFIX | (bytesToBigint(target) & 0xffffffn),
    message: { kind: 'neighbourSolicitation', target, options: mac === null ? [] : [{ kind: 'sourceLinkLayerAddress', address: mac }] },
  }),
  parse: (message, target, verbose) => {
    if (message.kind !== 'neighbourAdvertisement' || !sameBytes(message.target, target)) return null;
    const option = message.options.find((o) => o.kind === 'targetLinkLayerAddress');
    if (option?.kind !== 'targetLinkLayerAddress') return null;
    return `${verbose ? 'Target link-layer address: ' : ''}${macText(option.address)}\n`;
  },
};

const RDISC6: Flavour = {
  advertisementType: ICMPV6_ROUTER_ADVERTISEMENT,
  waitMs: 4000,
  single: false,
  usage: 'Usage: %s [options] [IPv6 address] <interface>\nSolicits on-link IPv6 routers (Router Discovery)\n',
  dataName: 'advertized prefixes',
  defaultTarget: 'ff02::2',
  solicitation: (target) => ({ to: bytesToBigint(target), message: { kind: 'routerSolicitation', options: [] } }),
  parse: (message, _target, verbose) => {
    if (message.kind !== 'routerAdvertisement') return null;
    const lines: string[] = [];
    if (verbose) {
      const hop = message.currentHopLimit;
      lines.push(
        '',
        `Hop limit                 :    ${hop !== 0 ? `      ${String(hop).padStart(3)}` : 'undefined'} (      0x${hop.toString(16).padStart(2, '0')})`,
        `Stateful address conf.    :          ${yesNo(message.managed)}`,
        `Stateful other conf.      :          ${yesNo(message.otherConfiguration)}`,
        `Mobile home agent         :          ${yesNo(message.homeAgent)}`,
        `Router preference         :       ${PREFERENCE_TEXT[message.preference].padStart(6)}`,
        `Neighbor discovery proxy  :          ${yesNo(message.proxy)}`,
        `Router lifetime           : ${seconds32(message.routerLifetime)}`,
        `Reachable time            : ${milliseconds32(message.reachableTime)}`,
        `Retransmit time           : ${milliseconds32(message.retransmitTimer)}`,
      );
    }
    for (const option of message.options) {
      if (option.kind === 'prefixInformation') lines.push(...prefixLines(option, verbose));
      else if (!verbose) continue;
      else if (option.kind === 'sourceLinkLayerAddress') lines.push(` Source link-layer address: ${macText(option.address)}`);
      else if (option.kind === 'mtu') lines.push(` MTU                      :        ${String(option.mtu).padStart(5)} ${option.mtu === 1 ? 'byte' : 'bytes'} (${option.mtu >= 1280 ? 'valid' : 'invalid'})`);
    }
    return lines.map((l) => `${l}\n`).join('');
  },
};

/** strtoul (optarg, &end, 0) with `*end || l > UINT_MAX` refused: null when refused. */
function parseUnsigned(text: string): number | null {
  if (text === '') return 0;
  const match = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (match === null) return null;
  const digits = match[2]!;
  const value = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const signed = match[1] === '-' && value !== 0n ? (1n << 64n) - value : value;
  return signed > BigInt(UINT_MAX) ? null : Number(signed);
}

function discovery(program: string, flavour: Flavour): Program {
  return (ctx: ProcessContext) => {
    const name = ctx.argv[0] ?? program;
    const quickUsage = (): void => {
      ctx.stderr(`Try "${name} -h" for more information.\n`);
      ctx.exit(2);
    };
    const parsed = getopt(ctx.argv, OPTIONS);
    if (!parsed.ok) {
      ctx.stderr(`${glibcMessage(name, parsed.error)}\n`);
      return quickUsage();
    }
    let single = flavour.single;
    let verbose = true;
    let numeric = false;
    let solicit = true;
    let retry = 3;
    let waitMs = flavour.waitMs;
    let sourceName: string | undefined;
    for (const option of parsed.options) {
      switch (option.key) {
        case '1':
          single = true;
          break;
        case 'd':
          solicit = false;
          break;
        case 'h':
          ctx.stdout(flavour.usage.replace('%s', name) + HELP_OPTIONS(flavour.dataName));
          return ctx.exit(0);
        case 'm':
          single = false;
          break;
        case 'n':
          numeric = true;
          break;
        case 'q':
          verbose = false;
          break;
        case 'v':
          verbose = true;
          break;
        case 'V':
          ctx.stdout(VERSION);
          return ctx.exit(0);
        case 's':
          sourceName = option.value ?? '';
          break;
        case 'r':
        case 'w': {
          const value = parseUnsigned(option.value ?? '');
          if (value === null) return quickUsage();
          if (option.key === 'r') retry = value;
          else waitMs = value;
          break;
        }
      }
    }
    const operands = parsed.operands;
    let targetName = operands[0];
    let ifname = operands[1];
    if (targetName === undefined) return quickUsage();
    if (flavour.defaultTarget !== undefined && ifname === undefined) {
      ifname = targetName;
      targetName = flavour.defaultTarget;
    } else if (operands.length !== 2 || ifname === undefined) return quickUsage();

    const fail = (text: string): void => {
      ctx.stderr(text);
      ctx.exit(1);
    };
    const ifindex = ctx.ifindex(ifname);
    if (ifindex === 0) return fail(`${ifname}: ${errnoMessage.ENODEV}\n`);
    const opened = ctx.icmp6RawSocket();
    if ('errno' in opened) return fail(`Raw IPv6 socket: ${errnoMessage[opened.errno]}\n`);
    const socket: Icmp6RawSocket = opened;
    socket.setFilter([flavour.advertisementType]);
    socket.setsockopt('IPV6_MULTICAST_HOPS', NDP_HOP_LIMIT);
    socket.setsockopt('IPV6_UNICAST_HOPS', NDP_HOP_LIMIT);
    const resolve = (text: string): bigint | string => {
      if (numeric && !isIpv6Literal(text.split('%')[0] ?? '')) return isIpv4Literal(text) ? EAI.ADDRFAMILY.text : EAI.NONAME.text;
      const answer = getAddrInfo(resolverHostOf(ctx), text, { family: 6, socktype: SOCK_DGRAM });
      if (!answer.ok) return answer.error.text;
      const address = answer.answers[0]!.address;
      return typeof address.value === 'bigint' ? address.value : EAI.ADDRFAMILY.text;
    };
    if (sourceName !== undefined) {
      const source = resolve(sourceName);
      if (typeof source === 'string') return fail(`${sourceName}: ${source}\n`);
      const bound = socket.bind(formatIpv6Number(source));
      if (!bound.ok) return fail(`${sourceName}: ${errnoMessage[bound.errno]}\n`);
    }
    const resolved = resolve(targetName);
    if (typeof resolved === 'string') return fail(`${targetName}: ${resolved}\n`);
    const target = ipv6ToBytes(resolved);
    if (verbose) ctx.stdout(`Soliciting ${targetName} (${formatIpv6Number(resolved)}) on ${ifname}...\n`);

    const mac = ctx.hardwareAddress(ifname);
    const macBytes = mac === null ? null : Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
    const { to, message } = flavour.solicitation(target, macBytes);
    let responses = 0;
    let attemptsLeft = retry;
    let deadline: { cancel(): void } | null = null;

    const attempt = (): void => {
      if (attemptsLeft === 0) {
        if (verbose) ctx.stdout('No response.\n');
        return ctx.exit(2);
      }
      if (solicit) {
        const sent = socket.sendNdp(ifname, formatIpv6Number(to), message);
        if (!sent.ok) return fail(`Sending ICMPv6 packet: ${errnoMessage[sent.errno]}\n`);
      }
      attemptsLeft--;
      responses = 0;
      deadline = ctx.setTimer(waitMs * MS, () => {
        deadline = null;
        if (responses > 0) return ctx.exit(0);
        if (verbose) ctx.stdout('Timed out.\n');
        attempt();
      });
    };
    socket.onMessage((received: Icmp6RawMessage) => {
      if (deadline === null || received.hopLimit !== NDP_HOP_LIMIT || received.ifindex !== ifindex) return;
      const text = flavour.parse(received.message, target, verbose);
      if (text === null) return;
      ctx.stdout(verbose ? `${text} from ${received.from}\n` : text);
      responses++;
      if (single) {
        (deadline as { cancel(): void }).cancel();
        deadline = null;
        ctx.exit(0);
      }
    });
    attempt();
  };
}

export const ndisc6: Program = discovery('ndisc6', NDISC6);
export const rdisc6: Program = discovery('rdisc6', RDISC6);
