/**
 * A light static check of startup and event commands, so that a typo in an address is reported
 * with its line and column before anything runs: the ADDR of `ip addr add|change|replace|del ADDR`
 * and the gateway of `ip route … via ADDR` must be IPv4 or IPv6 addresses (with a valid prefix
 * length where one is allowed), of the family `-6`/`-4` (or `-f`/`-family inet6|inet`) asks for, and
 * an IPv6 route's `metric` and `pref` must be values iproute2 takes. The family and value problems
 * are worded as iproute2 words them (`inet6 prefix is expected rather than "10.0.0.1/24".`,
 * `argument "bogus" is wrong: "pref" value is invalid`).
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

/** The family the global options ask for: 4, 6, or 0 (any). */
function familyOf(options: readonly Word[]): 0 | 4 | 6 {
  let family: 0 | 4 | 6 = 0;
  for (const [j, word] of options.entries()) {
    if (word.text === '-6') family = 6;
    else if (word.text === '-4') family = 4;
    else if (word.text === '-f' || word.text === '-family') {
      const value = options[j + 1]?.text;
      if (value === 'inet6') family = 6;
      else if (value === 'inet') family = 4;
    }
  }
  return family;
}

/** iproute2's complaint when `text` is not of `family` (get_prefix / get_addr), or null. */
function familyProblem(text: string, family: 0 | 4 | 6, what: 'prefix' | 'address'): string | null {
  if (family === 0) return null;
  const address = text.split('/')[0] ?? '';
  const isSix = isIPv6(address);
  if ((family === 6) === isSix) return null;
  return `${family === 6 ? 'inet6' : 'inet'} ${what} is expected rather than "${text}".`;
}

/** The first address problem in `cmd`, or null (also for commands this check does not read). */
export function checkCommandAddresses(cmd: string): CommandProblem | null {
  const all = words(cmd);
  if (all[0]?.text !== 'ip') return null;
  let i = 1;
  while (all[i]?.text.startsWith('-')) i += all[i]?.text === '-f' || all[i]?.text === '-family' ? 2 : 1;
  const family = familyOf(all.slice(1, i));
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
    const mismatch = address ? familyProblem(address.text, family, 'prefix') : null;
    if (address && mismatch !== null) return { index: address.index, message: mismatch };
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
      const mismatch = gateway && rest[j + 1]?.text !== 'inet' && rest[j + 1]?.text !== 'inet6' ? familyProblem(gateway.text, family, 'address') : null;
      if (gateway && mismatch !== null) return { index: gateway.index, message: mismatch };
    }
    for (const [j, word] of rest.entries()) {
      const value = rest[j + 1];
      if (value === undefined) continue;
      const bad =
        (word.text === 'pref' && !['low', 'medium', 'high'].includes(value.text)) ||
        ((word.text === 'metric' || word.text === 'priority' || word.text === 'preference') && !/^[0-9]+$/.test(value.text));
      if (bad) return { index: value.index, message: `argument "${value.text}" is wrong: "${word.text === 'pref' ? 'pref' : 'metric'}" value is invalid` };
    }
  }
  return null;
}
