/**
 * `gaitest NAME`: seed 003's test program — getaddrinfo(NAME, "", {ai_protocol = IPPROTO_TCP}) and,
 * for each answer in the order the resolver sorted them (RFC 6724 §6 over gai.conf; resolver.ts),
 *
 *   printf("family:%2d socktype:%2d protocol:%3d addr:%s(%d)\n", ai_family, ai_socktype,
 *          ai_protocol, getnameinfo(…, NI_NUMERICHOST), ai_addrlen);
 *
 *   family:10 socktype: 1 protocol:  6 addr:fec0::1(28)
 *   family: 2 socktype: 1 protocol:  6 addr:10.0.0.1(16)
 *
 * A name that does not resolve prints glibc's error(3) line `gaitest: getaddrinfo(-2): Name or
 * service not known` and exits 1. Unlike the seed's program (which passes a NULL name on), a
 * missing NAME is a usage error (exit 2).
 */
import type { Program } from '@netloom/stack';
import { addressText, getAddrInfo, IPPROTO_TCP, resolverHostOf } from './resolver.js';

const AF_INET = 2;
const AF_INET6 = 10;

export const gaitest: Program = (ctx) => {
  const name = ctx.argv[1];
  if (name === undefined || ctx.argv.length > 2) {
    ctx.stderr('Usage: gaitest NAME\n');
    ctx.exit(2);
    return;
  }
  const result = getAddrInfo(resolverHostOf(ctx), name, { family: 0, protocol: IPPROTO_TCP, service: true });
  if (!result.ok) {
    ctx.stderr(`gaitest: getaddrinfo(${result.error.code}): ${result.error.text}\n`);
    ctx.exit(1);
    return;
  }
  for (const answer of result.answers) {
    const scope = answer.address.family === 6 && answer.address.scopeId !== undefined ? `%${ctx.ifname(answer.address.scopeId) ?? answer.address.scopeId}` : '';
    const family = answer.family === 6 ? AF_INET6 : AF_INET;
    const length = answer.family === 6 ? 28 : 16;
    const line = `family:${String(family).padStart(2)} socktype:${String(answer.socktype).padStart(2)} protocol:${String(answer.protocol).padStart(3)} addr:${addressText(answer.address)}${scope}(${length})\n`;
    if (!ctx.stdout(line).ok) {
      ctx.exit(1);
      return;
    }
  }
  ctx.exit(0);
};
