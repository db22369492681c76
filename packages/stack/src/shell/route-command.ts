/**
 * What `ip route` (ip-route.ts) and `ip -6 route` (ip6-route.ts) share, as iproute2 6.1's
 * ip/iproute.c shares it between the families: the modify subcommands by their prefixes
 * (add, change or chg, replace, prepend, append), the kernel's answer as the exit status
 * (2 and `RTNETLINK answers: …` or the extack's `Error: ….`), a word's value checked as it is read
 * (invarg's `Error: argument "X" is wrong: …`, status 255), the selectors of list and flush that
 * read alike (`table all|cache|ID`, `type`, and root/match/exact on a route's prefix), a missing
 * table's error, and what `get` checks before it asks (a destination, the iif and oif devices).
 * Leaves out what one family has alone: scopes, TOS, nexthop groups, IPv6's pref and expires, and
 * the printing (route-format.ts for IPv4, ip6-route.ts for IPv6).
 */
import type { KernelResult } from '../fib/errors.js';
import { rtnetlinkErrorText } from '../fib/errors.js';
import type { RouteType } from '../routing-api.js';
import type { IpContext } from './ip-context.js';
import { invarg, matches, parseRouteType, parseTable, requireDevice, type Args } from './ip-util.js';

/** iproute_modify's flag sets, one a subcommand. */
export type RouteModifyCommand = 'add' | 'change' | 'replace' | 'prepend' | 'append';

const MODIFY_COMMANDS: readonly RouteModifyCommand[] = ['add', 'change', 'replace', 'prepend', 'append'];

/** The modify subcommand a word abbreviates (`a` is add, `chg` change); null for any other word. */
export function modifyCommandOf(word: string): RouteModifyCommand | null {
  if (word === 'chg') return 'change';
  return MODIFY_COMMANDS.find((command) => matches(word, command)) ?? null;
}

/** The exit status of a change the kernel was asked for: 0, or 2 with its error on stderr. */
export function kernelAnswer(ctx: IpContext, result: KernelResult): number {
  if (result.ok) return 0;
  ctx.err(rtnetlinkErrorText(result));
  return 2;
}

/** NEXT_ARG and a value `parse` accepts; invarg(`message`) when it refuses the word. */
export function nextChecked<T>(args: Args, parse: (word: string) => T | null, message: string): T {
  const word = args.next();
  const value = parse(word);
  if (value === null) invarg(message, word);
  return value;
}

/** A selector's `table` word: every table, the route cache, or a table's id. */
export function nextSelectorTable(ctx: IpContext, args: Args): 'all' | 'cache' | number {
  const word = args.next();
  if (word === 'all' || word === 'cache') return word;
  const id = parseTable(ctx.kernel, word);
  if (id === null) invarg('table id value is invalid\n', word);
  return id;
}

/** A selector's `type` word: a route type a route can have (not nat or xresolve). */
export function nextSelectorType(args: Args): RouteType {
  return nextChecked(args, (word) => {
    const type = parseRouteType(word);
    return type === 'nat' || type === 'xresolve' ? null : type;
  }, 'node type value is invalid\n');
}

/** A list or flush of a table that does not exist: the kernel's extack, status 2. */
export function missingTable(ctx: IpContext, family: 'ipv4' | 'ipv6', flush: boolean): number {
  ctx.err(`Error: ${family}: FIB table does not exist.\n${flush ? 'Flush' : 'Dump'} terminated`);
  return 2;
}

/** root, match and exact of a selector: each a prefix or not given. */
export interface PrefixSelectors<P> {
  exact: P | null;
  root: P | null;
  match: P | null;
}

/** How a family compares prefixes: a selector's network, and whether an address is in a prefix. */
export interface PrefixArithmetic<A, P> {
  network(prefix: P): A;
  isIn(address: A, network: A, prefixLength: number): boolean;
}

/**
 * Does a route to `dst`/`prefixLength` pass root (within the prefix), match (covers its address)
 * and exact (is that prefix)?
 */
export function isPrefixSelected<A, P extends { address: A; prefixLength: number }>(dst: A, prefixLength: number, selectors: PrefixSelectors<P>, arithmetic: PrefixArithmetic<A, P>): boolean {
  const { exact, root, match } = selectors;
  if (exact && (prefixLength !== exact.prefixLength || dst !== arithmetic.network(exact))) return false;
  if (root && (prefixLength < root.prefixLength || !arithmetic.isIn(dst, arithmetic.network(root), root.prefixLength))) return false;
  if (match && (prefixLength > match.prefixLength || !arithmetic.isIn(match.address, dst, prefixLength))) return false;
  return true;
}

/** `route get`'s checks before the lookup: a destination was named (else status 1), iif and oif exist. */
export function isGetTargetGiven<A>(ctx: IpContext, dst: A | null, iif: string, oif: string): dst is A {
  if (dst === null) {
    ctx.err('need at least a destination address');
    return false;
  }
  if (iif) requireDevice(ctx, iif);
  if (oif) requireDevice(ctx, oif);
  return true;
}
