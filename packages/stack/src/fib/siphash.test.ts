/**
 * SipHash-2-4 against the reference vectors of the SipHash paper and its reference implementation
 * (vectors.h, vectors_sip64): key 00 01 … 0f, message i = the bytes 00 01 … (i - 1), i = 0 … 63, each
 * result as its 8 little-endian bytes.
 */
import { describe, expect, test } from 'vitest';
import { siphash, type SipHashKey } from './siphash.js';

const VECTORS = `
310e0edd47db6f72 fd67dc93c539f874 5a4fa9d909806c0d 2d7efbd796666785 b7877127e09427cf 8da699cd64557618
cee3fe586e46c9cb 37d1018bf50002ab 6224939a79f5f593 b0e4a90bdf82009e f3b9dd94c5bb5d7a a7ad6b22462fb3f4
fbe50e86bc8f1e75 903d84c02756ea14 eef27a8e90ca23f7 e545be4961ca29a1 db9bc2577fcc2a3f 9447be2cf5e99a69
9cd38d96f0b3c14b bd6179a71dc96dbb 98eea21af25cd6be c7673b2eb0cbf2d0 883ea3e395675393 c8ce5ccd8c030ca8
94af49f6c650adb8 eab8858ade92e1bc f315bb5bb835d817 adcf6b0763612e2f a5c91da7acaa4dde 716595876650a2a6
28ef495c53a387ad 42c341d8fa92d832 ce7cf2722f512771 e37859f94623f3a7 381205bb1ab0e012 ae97a10fd434e015
b4a31508beff4d31 81396229f0907902 4d0cf49ee5d4dcca 5c73336a76d8bf9a d0a704536ba93e0e 925958fcd6420cad
a915c29bc8067318 952b79f3bc0aa6d4 f21df2e41d4535f9 87577519048f53a9 10a56cf5dfcd9adb eb75095ccd986cd0
51a9cb9ecba312e6 96afadfc2ce666c7 72fe52975a4364ee 5a1645b276d592a1 b274cb8ebf87870a 6f9bb4203de7b381
eaecb2a30b22a87f 9924a43cc1315724 bd838d3aafbf8db7 0b1a2a3265d51aea 135079a3231ce660 932b2846e4d70666
e1915f5cb1eca46c f325965ca16d629f 575ff28e60381be5 724506eb4c328a95`
  .trim()
  .split(/\s+/);

/** Key bytes 00 … 0f as siphash_key_t: k0 = 0x0706050403020100, k1 = 0x0f0e0d0c0b0a0908. */
const REFERENCE_KEY: SipHashKey = { k0: { hi: 0x07060504, lo: 0x03020100 }, k1: { hi: 0x0f0e0d0c, lo: 0x0b0a0908 } };

/** The 64-bit result as its little-endian bytes in hex, as vectors.h lists it. */
function littleEndianHex(word: { hi: number; lo: number }): string {
  const bytes: number[] = [];
  for (let i = 0; i < 4; i++) bytes.push((word.lo >>> (8 * i)) & 0xff);
  for (let i = 0; i < 4; i++) bytes.push((word.hi >>> (8 * i)) & 0xff);
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('siphash', () => {
  test('gives the 64 reference results for messages of 0 to 63 bytes', () => {
    expect(VECTORS).toHaveLength(64);
    const got = VECTORS.map((_, length) => littleEndianHex(siphash(Uint8Array.from({ length }, (_, i) => i), REFERENCE_KEY)));
    expect(got).toEqual(VECTORS);
  });

  test("the paper's appendix example: 15 bytes give a129ca6149be45e5", () => {
    const result = siphash(Uint8Array.from({ length: 15 }, (_, i) => i), REFERENCE_KEY);
    expect([result.hi.toString(16), result.lo.toString(16)]).toEqual(['a129ca61', '49be45e5']);
  });
});
