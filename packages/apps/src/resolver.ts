/**
 * A node's resolver: getaddrinfo(3) as glibc 2.36 does it for a host configured with
 * `hosts: files` in nsswitch.conf (a node has no DNS): numeric hosts (inet_aton, or inet_pton with
 * a `%zone` as an interface name or index), else the node's /etc/hosts (wire's hosts-file.ts);
 * AI_ADDRCONFIG (families narrowed to the one the node has addresses of, when it has only one:
 * any IPv4 address but 127.0.0.1, any IPv6 address but ::1, as __check_pf counts them);
 * AI_V4MAPPED for AF_INET6 (IPv4 answers as ::ffff:a.b.c.d when there is no IPv6 one); one answer
 * per address and socket type (SOCK_STREAM/tcp, SOCK_DGRAM/udp, SOCK_RAW; only those the hints
 * allow); the canonical name on the first answer; and, with more than one answer, the RFC 6724
 * destination sort (destination-sort.ts) over /etc/gai.conf's tables.
 *
 * The source of each answer is what glibc learns from a UDP socket connect()ed to it and
 * getsockname(): the node's kernel answers (ResolverHost.connectSource), and the source's flags
 * and prefix length come from the node's address list (RTM_GETADDR, as __check_pf reads it).
 * Leaves out DNS, nscd, IDN, services (the port is 0) and AI_PASSIVE/AI_NUMERICHOST.
 */
import { parseIpv6, formatIpv4, formatIpv6 } from '@netloom/wire';
import { DEFAULT_GAI_POLICY, ipv4Mapped, parseGaiConf, type GaiPolicy } from '@netloom/wire/gai-conf';
import { hostsLookup, inetAton, parseHostsFile, type HostsAddress } from '@netloom/wire/hosts-file';
import type { Errno, ProcessContext } from '@netloom/stack';
import { sortDestinations, type SortCandidate, type SourceFacts } from './destination-sort.js';

/** A destination: an address, and for a scoped IPv6 literal (`fe80::1%eth0`) its interface index. */
export type Destination = HostsAddress & { scopeId?: number };

/** One address of the node, as RTM_GETADDR lists it. */
export interface NodeAddress {
  address: HostsAddress;
  prefixLength: number;
  ifindex: number;
  /** IFA_F_DEPRECATED or IFA_F_OPTIMISTIC. */
  deprecated: boolean;
  /** IFA_F_HOMEADDRESS. */
  home: boolean;
}

/** What the resolver needs from its node. */
export interface ResolverHost {
  /** A file's text, or null when it does not exist. */
  readFile(path: string): string | null;
  /** Every address of the node (both families). */
  addresses(): readonly NodeAddress[];
  /** The local address of a UDP socket connect()ed to `dst` (getsockname), or why connect() failed. */
  connectSource(dst: Destination): { source: HostsAddress } | { errno: Errno };
  /** if_nametoindex: 0 when there is no such interface. */
  ifindex(name: string): number;
}

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** gaih_inet_typeproto: what an answer may be, in glibc's order (SCTP, DCCP and UDP-Lite left out). */
const SOCKET_TYPES: readonly { socktype: number; protocol: number; anyProtocol: boolean }[] = [
  { socktype: SOCK_STREAM, protocol: IPPROTO_TCP, anyProtocol: false },
  { socktype: SOCK_DGRAM, protocol: IPPROTO_UDP, anyProtocol: false },
  { socktype: SOCK_RAW, protocol: 0, anyProtocol: true },
];

export interface AddrInfoHints {
  /** 0 (AF_UNSPEC), 4 (AF_INET) or 6 (AF_INET6). */
  family: 0 | 4 | 6;
  socktype?: number;
  protocol?: number;
  /** A service was given (even ""): SOCK_RAW, which has no services, is left out. */
  service?: boolean;
  canonName?: boolean;
  v4Mapped?: boolean;
  addrConfig?: boolean;
}

export interface AddrInfo {
  family: 4 | 6;
  socktype: number;
  protocol: number;
  address: Destination;
  canonName: string | null;
}

/** The EAI_* codes getaddrinfo returns here, with gai_strerror's text. */
export const EAI = {
  NONAME: { code: -2, text: 'Name or service not known' },
  ADDRFAMILY: { code: -9, text: 'Address family for hostname not supported' },
  SOCKTYPE: { code: -7, text: 'ai_socktype not supported' },
} as const;
export type GaiError = (typeof EAI)[keyof typeof EAI];

export type GetAddrInfoResult = { ok: true; answers: AddrInfo[] } | { ok: false; error: GaiError };

/** At most this many addresses of one name are answered (a bound on what a hosts file can ask for). */
export const MAX_ANSWER_ADDRESSES = 1024;

/** inet_ntop's text of an address (and `%N` for a scoped one, as getnameinfo with NI_NUMERICHOST would add the name). */
export function addressText(address: HostsAddress): string {
  if (address.family === 4) return formatIpv4(address.value);
  const bytes = new Uint8Array(16);
  let v = address.value;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return formatIpv6(bytes);
}

function numericHost(name: string, host: ResolverHost): Destination | null | 'badZone' {
  const v4 = /^[0-9a-fA-FxX.]+$/.test(name) ? inetAton(name) : null;
  if (v4 !== null) return { family: 4, value: v4 };
  const percent = name.indexOf('%');
  const text = percent < 0 ? name : name.slice(0, percent);
  const bytes = parseIpv6(text);
  if (bytes === null) return null;
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  if (percent < 0) return { family: 6, value };
  const zone = name.slice(percent + 1);
  // __inet6_scopeid_pton: an interface name, else a decimal index.
  const index = host.ifindex(zone) || (/^[0-9]+$/.test(zone) ? Number(zone) : 0);
  return index > 0 && index <= 0xffffffff ? { family: 6, value, scopeId: index } : 'badZone';
}

/** __check_pf's seen_ipv4 / seen_ipv6. */
function familiesSeen(addresses: readonly NodeAddress[]): { v4: boolean; v6: boolean } {
  let v4 = false;
  let v6 = false;
  for (const a of addresses) {
    if (a.address.family === 4 && a.address.value !== 0x7f000001) v4 = true;
    if (a.address.family === 6 && a.address.value !== 1n) v6 = true;
  }
  return { v4, v6 };
}

/** The node's gai.conf tables (glibc's defaults when the file is missing). */
export function gaiPolicyOf(host: ResolverHost): GaiPolicy {
  const text = host.readFile('/etc/gai.conf');
  return text === null ? DEFAULT_GAI_POLICY : parseGaiConf(text).policy;
}

/** What glibc learns of the source of `dst`: connect + getsockname, then the source looked up in the address list. */
function sourceFacts(dst: Destination, host: ResolverHost, addresses: readonly NodeAddress[]): SourceFacts | undefined {
  const connected = host.connectSource(dst);
  if ('errno' in connected) return undefined;
  const source = connected.source;
  // Special case of glibc for lo: any 127/8 source is looked up as 127.0.0.1.
  const key = source.family === 4 ? ((source.value >>> 24) === 127 ? 0x7f000001 : source.value) : source.value;
  const found = addresses.find((a) => a.address.family === source.family && a.address.value === key);
  return { source, deprecated: found?.deprecated ?? false, home: found?.home ?? false, prefixLength: found?.prefixLength ?? 0 };
}

/** getaddrinfo(name, service, hints). Never throws. */
export function getAddrInfo(host: ResolverHost, name: string, hints: AddrInfoHints): GetAddrInfoResult {
  const addresses = host.addresses();
  let family = hints.family;
  if (hints.addrConfig) {
    const seen = familiesSeen(addresses);
    if (family === 0 && (seen.v4 || seen.v6) && seen.v4 !== seen.v6) family = seen.v4 ? 4 : 6;
    else if ((family === 4 && !seen.v4) || (family === 6 && !seen.v6)) return { ok: false, error: EAI.NONAME };
  }
  const types = SOCKET_TYPES.filter(
    (t) => (hints.socktype === undefined || hints.socktype === 0 || hints.socktype === t.socktype) && (hints.protocol === undefined || hints.protocol === 0 || hints.protocol === t.protocol || t.anyProtocol) && !(hints.service && t.anyProtocol),
  );
  if (types.length === 0) return { ok: false, error: EAI.SOCKTYPE };

  let found: Destination[];
  let canonName: string;
  const numeric = numericHost(name, host);
  if (numeric === 'badZone') return { ok: false, error: EAI.NONAME };
  if (numeric !== null) {
    canonName = name;
    if (family === 6 && numeric.family === 4) {
      if (!hints.v4Mapped) return { ok: false, error: EAI.ADDRFAMILY };
      found = [{ family: 6, value: ipv4Mapped(numeric.value) }];
    } else if (family === 4 && numeric.family === 6) {
      return { ok: false, error: EAI.ADDRFAMILY };
    } else found = [numeric];
  } else {
    const { entries } = parseHostsFile(host.readFile('/etc/hosts') ?? '');
    const matches = hostsLookup(entries, name);
    const ofFamily = (f: 4 | 6) => matches.filter((e) => e.address.family === f);
    let chosen = family === 0 ? matches : ofFamily(family);
    if (family === 6 && chosen.length === 0 && hints.v4Mapped) {
      chosen = ofFamily(4).map((e) => ({ ...e, address: { family: 6 as const, value: ipv4Mapped(e.address.value as number) } }));
    }
    if (chosen.length === 0) return { ok: false, error: EAI.NONAME };
    canonName = chosen[0]!.name;
    found = chosen.slice(0, MAX_ANSWER_ADDRESSES).map((e) => e.address);
  }

  const answers: (AddrInfo & SortCandidate)[] = [];
  for (const address of found) {
    for (const t of types) {
      answers.push({ family: address.family, socktype: t.socktype, protocol: t.protocol, address, canonName: null, destination: address, source: undefined });
    }
  }
  if (answers.length > 1) {
    let previous: Destination | null = null;
    let facts: SourceFacts | undefined;
    for (const answer of answers) {
      // glibc reuses the previous answer's source when the address is the same.
      if (previous === null || !sameDestination(previous, answer.address)) facts = sourceFacts(answer.address, host, addresses);
      answer.source = facts;
      previous = answer.address;
    }
  }
  const sorted = answers.length > 1 ? sortDestinations(answers, gaiPolicyOf(host)) : answers;
  return {
    ok: true,
    answers: sorted.map((a, i) => ({ family: a.family, socktype: a.socktype, protocol: a.protocol, address: a.address, canonName: i === 0 && hints.canonName ? canonName : null })),
  };
}

function sameDestination(a: Destination, b: Destination): boolean {
  return a.family === b.family && a.value === b.value && a.scopeId === b.scopeId;
}

/**
 * The resolver's view of a running program's node: files, the address list, and connect() as the
 * kernel answers it — a real UDP socket where the node has one for the family, else the kernel's
 * route and source choice (what ip6_datagram_connect asks for) with its scope check: a link-local
 * or link-scoped multicast destination needs an interface (EINVAL without one).
 */
export function resolverHostOf(ctx: ProcessContext): ResolverHost {
  return {
    readFile: (path) => ctx.readFile(path),
    addresses: () =>
      ctx.interfaceAddresses().map((a) => ({
        address: a.family === 4 ? { family: 4, value: inetAton(a.address)! } : { family: 6, value: ipv6ValueOf(a.address) },
        prefixLength: a.prefixLength,
        ifindex: a.ifindex,
        deprecated: a.deprecated,
        home: a.home,
      })),
    ifindex: (name) => ctx.ifindex(name),
    connectSource: (dst) => {
      const text = addressText(dst);
      const socket = ctx.udpSocket(dst.family);
      if (!('errno' in socket)) {
        try {
          if (dst.scopeId !== undefined) {
            const dev = ctx.ifname(dst.scopeId);
            const bound = dev === null ? { ok: false as const, errno: 'ENODEV' as Errno } : socket.setsockopt('SO_BINDTODEVICE', dev);
            if (!bound.ok) return { errno: bound.errno };
          }
          const connected = socket.connect(text, 0);
          if (!connected.ok) return { errno: connected.errno };
          const local = socket.localAddress();
          if (local === null) return { errno: 'EINVAL' };
          return { source: dst.family === 4 ? { family: 4, value: inetAton(local.address)! } : { family: 6, value: ipv6ValueOf(local.address) } };
        } finally {
          socket.close();
        }
      }
      if (socket.errno !== 'EAFNOSUPPORT' || dst.family !== 6) return { errno: socket.errno };
      const a = dst.value;
      const needsScope = a >> 118n === 0x3fan || (a >> 120n === 0xffn && ((a >> 112n) & 0xfn) <= 2n);
      const dev = dst.scopeId === undefined ? undefined : ctx.ifname(dst.scopeId) ?? undefined;
      if (needsScope && dev === undefined) return { errno: 'EINVAL' };
      const route = ctx.routeSource(text, dev);
      return 'errno' in route ? { errno: route.errno } : { source: { family: 6, value: ipv6ValueOf(route.source) } };
    },
  };
}

function ipv6ValueOf(text: string): bigint {
  const bytes = parseIpv6(text);
  let value = 0n;
  for (const b of bytes ?? []) value = (value << 8n) | BigInt(b);
  return value;
}
