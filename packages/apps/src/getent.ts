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
 * Without a NAME, the IPv4 lines of /etc/hosts are listed as gethostent gives them (`%-15s %s` and
 * the aliases).
 * Exit status 0, or 2 when a NAME is not found (its lines are simply missing, as in glibc).
 * Another database prints `Unknown database: DB` (glibc's getent knows passwd, group, … too: a node
 * has none of them); no database prints `getent: wrong number of arguments`; both exit 1.
 */
import type { Program } from '@netloom/stack';
import { parseHostsFile } from '@netloom/wire/hosts-file';
import { addressText, getAddrInfo, resolverHostOf, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, type AddrInfo } from './resolver.js';

const DATABASES: Readonly<Record<string, 0 | 4 | 6>> = { ahosts: 0, ahostsv4: 4, ahostsv6: 6 };
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
