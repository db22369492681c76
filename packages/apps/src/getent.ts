/**
 * `getent`: the ahosts databases of glibc's getent (nss/getent.c ahosts_keys_int), answered by the
 * node's resolver (resolver.ts):
 *
 *   getent ahosts [NAME…]      getaddrinfo(NAME, NULL, AF_UNSPEC, AI_V4MAPPED|AI_ADDRCONFIG|AI_CANONNAME)
 *   getent ahostsv4 [NAME…]    the same with AF_INET
 *   getent ahostsv6 [NAME…]    the same with AF_INET6
 *
 * One line per answer, `printf("%s%-*s %-6s %s\n", addr, 15 - strlen(addr), scope, socktype,
 * canonname)`: the address padded to 15 columns (a scoped one with `%IFINDEX`), STREAM, DGRAM or RAW,
 * and the canonical name on the first answer only, so the others end in spaces:
 *
 *   fec0::1         STREAM rockon
 *   fec0::1         DGRAM
 *   fec0::1         RAW
 *
 *   getent hosts [KEY…]        gethostbyaddr for an address, else gethostbyname2 AF_INET6 then AF_INET
 *
 * `hosts` prints `%-15s %s` per address with the canonical name and the aliases. A name's matching
 * /etc/hosts lines of one family are merged as the files backend merges them: the first line's name
 * and aliases, then each further line's aliases and its name unless it is the first's; an address
 * takes the first line that has it.
 * Without a NAME, the IPv4 lines of /etc/hosts are listed as gethostent gives them (`%-15s %s` and
 * the aliases), for `hosts` and the ahosts databases alike.
 * Exit status 0, or 2 when a NAME is not found (its lines are simply missing, as in glibc).
 * Another database prints `Unknown database: DB` (glibc's getent knows passwd, group, … too: a node
 * has none of them); no database prints `getent: wrong number of arguments`; both exit 1.
 */
import type { Program } from '@netloom/stack';
import { hostsLookup, parseHostsAddress, parseHostsFile, type HostsEntry } from '@netloom/wire/hosts-file';
import { addressText, getAddrInfo, resolverHostOf, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, type AddrInfo } from './resolver.js';

const DATABASES: Readonly<Record<string, 0 | 4 | 6 | 'hosts'>> = { ahosts: 0, ahostsv4: 4, ahostsv6: 6, hosts: 'hosts' };
const TRY = "Try `getent --help' or `getent --usage' for more information.\n";

const SOCKET_TYPE_NAMES: Readonly<Record<number, string>> = { [SOCK_STREAM]: 'STREAM', [SOCK_DGRAM]: 'DGRAM', [SOCK_RAW]: 'RAW' };

/** One line of `getent ahosts` output. */
export function ahostsLine(answer: AddrInfo): string {
  const address = addressText(answer.address);
  const scope = answer.address.family === 6 && answer.address.scopeId !== undefined ? `%${answer.address.scopeId}` : '';
  const pad = Math.max(0, 15 - address.length - scope.length);
  const type = SOCKET_TYPE_NAMES[answer.socktype] ?? String(answer.socktype);
  return `${address}${pad > 0 ? scope.padEnd(pad) : scope} ${type.padEnd(6)} ${answer.canonName ?? ''}\n`;
}

/** print_hosts: one line per address, the canonical name and the aliases. */
function hostsLines(entries: readonly HostsEntry[]): string {
  const [first] = entries;
  if (first === undefined) return '';
  const names = [first.name, ...first.aliases];
  for (const e of entries.slice(1)) names.push(...e.aliases, ...(e.name !== first.name ? [e.name] : []));
  return entries.map((e) => `${addressText(e.address).padEnd(15)} ${names.join(' ')}\n`).join('');
}

/** `getent hosts KEY`: gethostbyaddr of an address, else gethostbyname2 (AF_INET6, then AF_INET). */
function hostsKey(entries: readonly HostsEntry[], key: string): string {
  const address = parseHostsAddress(key);
  if (address !== null) {
    const line = entries.find((e) => e.address.family === address.family && e.address.value === address.value);
    return line === undefined ? '' : `${addressText(line.address).padEnd(15)} ${[line.name, ...line.aliases].join(' ')}\n`;
  }
  const matches = hostsLookup(entries, key);
  const v6 = matches.filter((e) => e.address.family === 6);
  return hostsLines(v6.length > 0 ? v6 : matches.filter((e) => e.address.family === 4));
}

export const getent: Program = (ctx) => {
  const [, database, ...keys] = ctx.argv;
  if (database === undefined) {
    ctx.stderr('getent: wrong number of arguments\n');
    ctx.stdout(TRY);
    ctx.exit(1);
    return;
  }
  const family = DATABASES[database];
  if (family === undefined) {
    ctx.stderr(`Unknown database: ${database}\n`);
    ctx.stdout(TRY);
    ctx.exit(1);
    return;
  }
  const host = resolverHostOf(ctx);
  if (keys.length === 0) {
    // gethostent: the files backend enumerates the IPv4 lines, whichever ahosts database.
    for (const entry of parseHostsFile(host.readFile('/etc/hosts') ?? '').entries) {
      if (entry.address.family !== 4) continue;
      ctx.stdout(`${addressText(entry.address).padEnd(15)} ${[entry.name, ...entry.aliases].join(' ')}\n`);
    }
    ctx.exit(0);
    return;
  }
  let status = 0;
  if (family === 'hosts') {
    const { entries } = parseHostsFile(host.readFile('/etc/hosts') ?? '');
    for (const key of keys) {
      const lines = hostsKey(entries, key);
      if (lines === '') status = 2;
      else if (!ctx.stdout(lines).ok) return ctx.exit(1);
    }
    ctx.exit(status);
    return;
  }
  for (const key of keys) {
    const result = getAddrInfo(host, key, { family, canonName: true, v4Mapped: true, addrConfig: true });
    if (!result.ok) {
      status = 2;
      continue;
    }
    for (const answer of result.answers) {
      const written = ctx.stdout(ahostsLine(answer));
      if (!written.ok) {
        ctx.exit(1);
        return;
      }
    }
  }
  ctx.exit(status);
};
