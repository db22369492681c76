/**
 * Return routability's keys (return-routability.ts) against an independent computation: python3's
 * hmac and hashlib over RFC 6275 §5.2.5's and §6.2.7's concatenations, for seeded random Kcns,
 * addresses, nonces and Mobility Headers; and the correspondent's nonces (indices, lifetime, bound).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Prng } from '@netloom/stack/timers';
import { needs, scaled } from '@netloom/wire/testing/test-environment';
import {
  authenticatorOf,
  bindingManagementKey,
  careOfKeygenToken,
  homeKeygenToken,
  MAX_NONCE_LIFETIME,
  NonceTable,
  randomBytes,
} from './return-routability.js';

const SECOND = 1_000_000_000;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The same derivations written from the RFC's formulas in python3, one JSON case per line in, one line of hex out. */
const PYTHON = `
import sys, json, hmac, hashlib
for line in sys.stdin:
    c = json.loads(line)
    b = {k: bytes.fromhex(v) for k, v in c.items()}
    home = hmac.new(b['kcn'], b['hoa'] + b['nonce'] + b'\\x00', hashlib.sha1).digest()[:8]
    careof = hmac.new(b['kcn'], b['coa'] + b['nonce2'] + b'\\x01', hashlib.sha1).digest()[:8]
    kbm = hashlib.sha1(home + careof).digest()
    kbm_home = hashlib.sha1(home).digest()
    mh = bytearray(b['mh'])
    mh[4:6] = b'\\x00\\x00'
    auth = hmac.new(kbm, b['coa'] + b['cn'] + bytes(mh[:-12]), hashlib.sha1).digest()[:12]
    print(' '.join(x.hex() for x in (home, careof, kbm, kbm_home, auth)))
`;

describe('return routability keys', () => {
  needs({ tools: ['python3'] }).it('the keygen tokens, Kbm and the Authenticator are what python3\'s hmac computes from the RFC\'s formulas', () => {
    const prng = new Prng(6275);
    const cases = Array.from({ length: scaled(200) }, () => {
      const mh = randomBytes(prng, 8 * (2 + prng.below(6)));
      return { kcn: randomBytes(prng, 20), hoa: randomBytes(prng, 16), coa: randomBytes(prng, 16), cn: randomBytes(prng, 16), nonce: randomBytes(prng, 8), nonce2: randomBytes(prng, 8), mh };
    });
    const input = cases.map((c) => JSON.stringify(Object.fromEntries(Object.entries(c).map(([k, v]) => [k, hex(v)])))).join('\n');
    const python = spawnSync('python3', ['-c', PYTHON], { input, encoding: 'utf8' });
    expect(python.stderr).toBe('');
    const lines = python.stdout.trim().split('\n');
    expect(lines.length).toBe(cases.length);
    cases.forEach((c, i) => {
      const home = homeKeygenToken(c.kcn, c.hoa, c.nonce);
      const careOf = careOfKeygenToken(c.kcn, c.coa, c.nonce2);
      const kbm = bindingManagementKey(home, careOf);
      const ours = [home, careOf, kbm, bindingManagementKey(home, null), authenticatorOf(kbm, c.coa, c.cn, c.mh)].map(hex).join(' ');
      expect(ours, `case ${i}`).toBe(lines[i]);
    });
  });

  it('the Authenticator ignores the checksum and the Authenticator bytes, and covers everything else', () => {
    const prng = new Prng(1);
    const [kbm, coa, cn] = [randomBytes(prng, 20), randomBytes(prng, 16), randomBytes(prng, 16)];
    const mh = randomBytes(prng, 32);
    const base = hex(authenticatorOf(kbm, coa, cn, mh));
    const changed = (at: number): string => {
      const copy = mh.slice();
      copy[at] = (copy[at] ?? 0) ^ 0xff;
      return hex(authenticatorOf(kbm, coa, cn, copy));
    };
    for (const at of [4, 5, 20, 31]) expect(changed(at)).toBe(base);
    for (const at of [0, 2, 6, 19]) expect(changed(at)).not.toBe(base);
  });

  it('a correspondent hands out a new nonce every interval, with the next index, and accepts each for MAX_NONCE_LIFETIME', () => {
    const table = new NonceTable(new Prng(7), 30 * SECOND);
    const first = table.current(0);
    expect(table.current(29 * SECOND)).toBe(first);
    const second = table.current(30 * SECOND);
    expect(second.index).toBe((first.index + 1) & 0xffff);
    expect(hex(second.value)).not.toBe(hex(first.value));
    expect(table.lookup(first.index, MAX_NONCE_LIFETIME - 1)).toBe(first);
    expect(table.lookup(first.index, MAX_NONCE_LIFETIME)).toBeUndefined();
    expect(table.lookup(second.index, MAX_NONCE_LIFETIME)).toBe(second);
    // Bounded: an hour of nonces keeps only those still acceptable.
    for (let t = 0; t <= 3600; t += 30) table.current(t * SECOND);
    expect(table.lookup(first.index, 3600 * SECOND)).toBeUndefined();
    expect(Array.from({ length: 0x10000 }, (_, i) => table.lookup(i, 3600 * SECOND)).filter((n) => n !== undefined).length).toBe(MAX_NONCE_LIFETIME / (30 * SECOND));
  });
});
