/**
 * A light static check of startup and event commands, so that a typo in an address is reported
 * with its line and column before anything runs: the ADDR of `ip addr add|change|replace|del ADDR`
 * and the gateway of `ip route … via ADDR` must be IPv4 or IPv6 addresses (with a valid prefix
 * length where one is allowed).
 *
 * Follows iproute2's address syntax (get_prefix/get_addr: IPv4 may be written with fewer than four
 * parts, `10/8`; a prefix may be a dotted netmask; `ip` object and verb names may be abbreviated).
 * Everything else about the command (devices, options, other programs) is left to the node shell,
 * which reports its own errors at run time.
 */
import { isIPv6 } from 'node:net';

export interface CommandProblem {
  /** Character index of the offending word within the command. */
  index: number;
  message: string;
}

/** iproute2 `matches()`: `word` is a non-empty prefix of `keyword`. */
const isAbbreviationOf = (word: string, keyword: string): boolean => word.length > 0 && keyword.startsWith(word);

function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length <= 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

/** `10.0.0.1`, `10.0.0.1/24`, `10/8`, `10.0.0.1/255.255.255.0`, `fd00::1/64`. */
function isAddressWithPrefix(text: string): boolean {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefix = slash < 0 ? null : text.slice(slash + 1);
  if (isIPv4(address)) {
    const isNetmask = prefix !== null && prefix.split('.').length === 4 && isIPv4(prefix);
    return prefix === null || (/^[0-9]{1,2}$/.test(prefix) && Number(prefix) <= 32) || isNetmask;
  }
  if (isIPv6(address)) return prefix === null || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= 128);
  return false;
}

const isAddress = (text: string): boolean => isIPv4(text) || isIPv6(text);

interface Word {
  text: string;
  index: number;
}

function words(cmd: string): Word[] {
  return [...cmd.matchAll(/\S+/g)].map((m) => ({ text: m[0], index: m.index }));
}

/** Keywords of `ip address add` that take a value (iproute2 ipaddr_modify()). */
const ADDRESS_OPTIONS_WITH_VALUE = new Set([
  'peer', 'remote', 'broadcast', 'brd', 'anycast', 'scope', 'dev', 'label', 'valid_lft', 'preferred_lft',
  'metric', 'priority', 'preference', 'proto',
]);
/** Its flags without a value. */
const ADDRESS_FLAGS = new Set([
  'home', 'nodad', 'optimistic', 'noprefixroute', 'mngtmpaddr', 'autojoin', 'secondary', 'temporary', 'dynamic',
]);

/**
 * The local address among `ip address add` arguments, which iproute2 accepts in any order:
 * `local ADDR`, or the first word that is not an option (`ip addr add dev eth0 10.0.0.1/24`).
 */
function localAddressOf(args: readonly Word[]): Word | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const word = args[i]?.text ?? '';
    if (word === 'local') return args[i + 1];
    if (ADDRESS_OPTIONS_WITH_VALUE.has(word)) i += 1;
    else if (!ADDRESS_FLAGS.has(word)) return args[i];
  }
  return undefined;
}

/** The first address problem in `cmd`, or null (also for commands this check does not read). */
export function checkCommandAddresses(cmd: string): CommandProblem | null {
  const all = words(cmd);
  if (all[0]?.text !== 'ip') return null;
  let i = 1;
  while (all[i]?.text.startsWith('-')) i += 1;
  const object = all[i]?.text ?? '';
  const verb = all[i + 1]?.text ?? '';
  const rest = all.slice(i + 2);

  if (isAbbreviationOf(object, 'address') && ['add', 'change', 'replace', 'del', 'delete'].some((v) => isAbbreviationOf(verb, v))) {
    const address = localAddressOf(rest);
    if (address && !isAddressWithPrefix(address.text)) {
      return {
        index: address.index,
        message: `bad address ${JSON.stringify(address.text)} in "ip ${object} ${verb}": expected an IPv4 or IPv6 address with an optional /prefix length, e.g. 10.0.1.1/24`,
      };
    }
  }
  if (isAbbreviationOf(object, 'route')) {
    for (const [j, word] of rest.entries()) {
      if (word.text !== 'via') continue;
      let gateway = rest[j + 1];
      if (gateway?.text === 'inet' || gateway?.text === 'inet6') gateway = rest[j + 2];
      if (gateway && !isAddress(gateway.text)) {
        return {
          index: gateway.index,
          message: `bad gateway address ${JSON.stringify(gateway.text)} after "via": expected an IPv4 or IPv6 address, e.g. 10.0.1.254`,
        };
      }
    }
  }
  return null;
}
