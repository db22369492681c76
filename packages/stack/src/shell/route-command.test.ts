import { describe, expect, it } from 'vitest';
import { isInIpv6Prefix, isInPrefix } from '@netloom/wire';
import { Args, IpExit, parseUnsigned } from './ip-util.js';
import { isPrefixSelected, modifyCommandOf, nextChecked, nextSelectorType } from './route-command.js';

/** What a parse step ends with: its value, or `status: message` of the IpExit it threw. */
function outcome<T>(step: () => T): T | string {
  try {
    return step();
  } catch (error) {
    if (error instanceof IpExit) return `${error.status}: ${error.message}`;
    throw error;
  }
}

/** Args standing on the first word, as a parse loop is when it meets a keyword. */
function argsAt(...words: string[]): Args {
  return new Args(words);
}

describe('what ip route and ip -6 route share', () => {
  it('takes the modify subcommands by their prefixes, add before append, and chg for change', () => {
    expect(['a', 'add', 'ap', 'append', 'c', 'chg', 'r', 'p', 'pre', 'd', 'test', 'show', ''].map(modifyCommandOf)).toEqual([
      'add', 'add', 'append', 'append', 'change', 'change', 'replace', 'prepend', 'prepend', null, null, null, null,
    ]);
  });

  it("reads a keyword's value, refusing it with iproute2's invarg text, and a missing one as an incomplete line", () => {
    expect(outcome(() => nextChecked(argsAt('metric', '0x10'), parseUnsigned, '"metric" value is invalid\n'))).toBe(16);
    expect(outcome(() => nextChecked(argsAt('metric', 'ten'), parseUnsigned, '"metric" value is invalid\n'))).toBe('255: Error: argument "ten" is wrong: "metric" value is invalid\n');
    expect(outcome(() => nextChecked(argsAt('metric'), parseUnsigned, '"metric" value is invalid\n'))).toBe('255: Command line is not complete. Try option "help"');
    expect(outcome(() => nextSelectorType(argsAt('type', 'blackhole')))).toBe('blackhole');
    expect(outcome(() => nextSelectorType(argsAt('type', 'nat')))).toBe('255: Error: argument "nat" is wrong: node type value is invalid\n');
  });

  it('selects routes by root (within), match (covering) and exact (the same prefix), for both families', () => {
    const v4 = { network: (p: { address: number }) => p.address, isIn: isInPrefix };
    const net10 = { address: 0x0a000000, prefixLength: 8 };
    const none = { exact: null, root: null, match: null };
    // 10.1.0.0/16 is within root 10/8, and covers match 10.1.2.3/32; 0/0 covers it too but is not within 10/8.
    expect(isPrefixSelected(0x0a010000, 16, { ...none, root: net10 }, v4)).toBe(true);
    expect(isPrefixSelected(0, 0, { ...none, root: net10 }, v4)).toBe(false);
    expect(isPrefixSelected(0, 0, { ...none, match: { address: 0x0a010203, prefixLength: 32 } }, v4)).toBe(true);
    expect(isPrefixSelected(0x0b000000, 8, { ...none, match: { address: 0x0a010203, prefixLength: 32 } }, v4)).toBe(false);
    expect(isPrefixSelected(0x0a000000, 8, { ...none, exact: net10 }, v4)).toBe(true);
    expect(isPrefixSelected(0x0a000000, 9, { ...none, exact: net10 }, v4)).toBe(false);
    // IPv6's network is the given address with its host bits cleared.
    const v6 = { network: (p: { address: bigint; prefixLength: number }) => p.address & ~((1n << BigInt(128 - p.prefixLength)) - 1n), isIn: isInIpv6Prefix };
    const exact = { address: 0x20010db8000000000000000000000001n, prefixLength: 64 };
    expect(isPrefixSelected(0x20010db8000000000000000000000000n, 64, { ...none, exact }, v6)).toBe(true);
    expect(isPrefixSelected(0x20010db8000000000000000000000000n, 64, none, v6)).toBe(true);
  });
});
