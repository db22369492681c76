/**
 * The name lookups ping and traceroute make through the node's resolver (resolver.ts, glibc 2.36
 * with `hosts: files`): getaddrinfo for the host the user typed, and getnameinfo for an address
 * they print.
 *
 * - `lookupHost`: getaddrinfo(name, NULL, hints) with the family asked for (AF_UNSPEC without -4/-6),
 *   SOCK_DGRAM/IPPROTO_UDP and AI_CANONNAME, as iputils' ping asks; the first answer and its canonical
 *   name (the name of the first /etc/hosts line that matched: `ping other` prints `PING other`, a
 *   name typed in another case prints the file's). traceroute 2.1.2's getaddr() asks with no
 *   socket type and takes the first IPv4 answer when no family was given (DEF_AF), else the first.
 *   A failure is gai_strerror's text (`Name or service not known`; ping's -4/-6 with a name whose
 *   lines are all of the other family: `Address family for hostname not supported`).
 * - `addressNamer`: getnameinfo without NI_NUMERICHOST, through gethostbyaddr's files backend:
 *   the name of the first /etc/hosts line with that address, or null when none has it (getnameinfo
 *   then gives the numeric text, which ping prints alone and traceroute as `addr (addr)`).
 *
 * A node started without /etc/hosts (no `hosts:` in its topology) keeps the stand-in a Debian
 * /etc/hosts gives every machine: ProcessContext.resolve knows `localhost` and the node's own name,
 * and the destination's address is printed with the name typed. Leaves out DNS and IDN.
 */
import type { ProcessContext } from '@netloom/stack';
import { parseHostsAddress, parseHostsFile } from '@netloom/wire/hosts-file';
import { addressText, EAI, type AddrInfoHints, getAddrInfo, IPPROTO_UDP, resolverHostOf, SOCK_DGRAM } from './resolver.js';

export interface ResolvedHost {
  family: 4 | 6;
  /** The address, as inet_ntop writes it. */
  address: string;
  /** ai_canonname: what ping prints as the host's name. */
  canonName: string;
}

export type HostLookup = { ok: true; host: ResolvedHost } | { ok: false; message: string };

const HOSTS = '/etc/hosts';

/** getaddrinfo for ping (`prefer` unset) or traceroute (`prefer` 4: its DEF_AF when no family is given). */
export function lookupHost(ctx: ProcessContext, name: string, family: 4 | 6 | null, options: { prefer?: 4 } = {}): HostLookup {
  if (ctx.readFile(HOSTS) === null) {
    const address = ctx.resolve(name, family ?? undefined);
    if (address === null) return { ok: false, message: 'Name or service not known' };
    return { ok: true, host: { family: address.includes(':') ? 6 : 4, address, canonName: name } };
  }
  const hints: AddrInfoHints = options.prefer === undefined ? { family: family ?? 0, socktype: SOCK_DGRAM, protocol: IPPROTO_UDP, canonName: true } : { family: family ?? 0, canonName: true };
  const host = resolverHostOf(ctx);
  const result = getAddrInfo(host, name, hints);
  if (!result.ok) {
    // iputils' ping (20221126 in a namespace) says the name's lines are of the other family.
    const otherFamily = options.prefer === undefined && family !== null && result.error === EAI.NONAME && getAddrInfo(host, name, { ...hints, family: 0 }).ok;
    return { ok: false, message: otherFamily ? EAI.ADDRFAMILY.text : result.error.text };
  }
  const first = result.answers[0]!;
  const chosen = (family === null && options.prefer !== undefined ? result.answers.find((a) => a.family === options.prefer) : undefined) ?? first;
  return { ok: true, host: { family: chosen.family, address: addressText(chosen.address), canonName: first.canonName ?? name } };
}

/**
 * getnameinfo for the addresses one program prints: the name of the first /etc/hosts line with the
 * address, or null when no line has it. The file is read once, when the program starts printing
 * (a run's answers all see the same file). `typed` is the stand-in for a node without /etc/hosts:
 * the destination, printed with the name the user typed for it.
 */
export function addressNamer(ctx: ProcessContext, typed?: { address: string; name: string }): (address: string) => string | null {
  const text = ctx.readFile(HOSTS);
  if (text === null) return (address) => (typed !== undefined && typed.address === address && typed.name !== address ? typed.name : null);
  const { entries } = parseHostsFile(text);
  return (address) => {
    const key = parseHostsAddress(address);
    if (key === null) return null;
    const line = entries.find((e) => e.address.family === key.family && e.address.value === key.value);
    return line === undefined || line.name === address ? null : line.name;
  };
}
