import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { loadTopologyFile } from './load.js';
import {
  MAX_TOPOLOGY_BYTES,
  checkTopologyText,
  decodeTopologyBytes,
  firstInvalidUtf8,
  quote,
  readTopologyBytes,
  unprintableProblem,
} from './topology-text.js';

const scratch = mkdtempSync(join(tmpdir(), 'netloom-topology-text-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('reading a topology file', () => {
  test('a FIFO is refused at once (never opened for a blocking read)', () => {
    const fifo = join(scratch, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(readTopologyBytes(fifo)).toEqual({
      message: 'cannot read the topology file: it is a FIFO (named pipe); expected a regular file',
    });
  });

  test('a symbolic link to /dev/zero is refused, not read until memory runs out', () => {
    const link = join(scratch, 'zero.yaml');
    symlinkSync('/dev/zero', link);
    expect(readTopologyBytes(link)).toEqual({
      message: 'cannot read the topology file: it is a character device; expected a regular file',
    });
  });

  test('a symbolic link to a regular file is followed', () => {
    const target = join(scratch, 'real.yaml');
    writeFileSync(target, 'name: t\nnodes: { a: {} }\n');
    symlinkSync(target, join(scratch, 'link.yaml'));
    expect(loadTopologyFile(join(scratch, 'link.yaml')).nodes.map((n) => n.name)).toEqual(['a']);
  });

  test('a directory, a missing file', () => {
    const dir = join(scratch, 'dir.yaml');
    mkdirSync(dir);
    expect(readTopologyBytes(dir)).toEqual({ message: 'cannot read the topology file: it is a directory; expected a regular file' });
    expect(readTopologyBytes(join(scratch, 'none.yaml'))).toEqual({ message: 'cannot read the topology file: no such file' });
  });

  test(`${MAX_TOPOLOGY_BYTES} bytes are read; one more is refused`, () => {
    const atCap = join(scratch, 'at-cap.yaml');
    writeFileSync(atCap, `# ${'x'.repeat(MAX_TOPOLOGY_BYTES - 3)}\n`);
    expect((readTopologyBytes(atCap) as Uint8Array).length).toBe(MAX_TOPOLOGY_BYTES);
    const over = join(scratch, 'over-cap.yaml');
    writeFileSync(over, `# ${'x'.repeat(MAX_TOPOLOGY_BYTES - 2)}\n`);
    expect(readTopologyBytes(over)).toEqual({
      message: 'the file is larger than 4 MiB (4194304 bytes), the limit for a topology file',
    });
  });

  test('a file whose size says 0 (in /proc) is read to its end all the same', () => {
    const read = readTopologyBytes('/proc/self/status');
    expect(read).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(read as Uint8Array)).toMatch(/^Name:\t/);
  });
});

describe('decoding', () => {
  test('UTF-16 and UTF-32 byte order marks name the encoding', () => {
    expect(decodeTopologyBytes(bytes(0xff, 0xfe, 0x6e, 0x00))).toEqual({
      message: 'the file is UTF-16 little-endian text (it starts with the byte order mark FF FE); topology files are UTF-8',
      offset: 0,
    });
    expect(decodeTopologyBytes(bytes(0x00, 0x00, 0xfe, 0xff))).toMatchObject({ message: expect.stringMatching(/^the file is UTF-32 big-endian text/) });
  });

  test('the first byte that is not UTF-8 is placed by line and column', () => {
    const text = [...utf8('name: é\nnodes: '), 0xff, ...utf8('\n')];
    expect(decodeTopologyBytes(Uint8Array.from(text))).toEqual({
      message: 'the file is not UTF-8 text: byte 0xFF does not start a valid UTF-8 sequence',
      line: 2,
      column: 8,
    });
  });

  test('a UTF-8 byte order mark is kept for YAML, which skips it', () => {
    expect(decodeTopologyBytes(bytes(0xef, 0xbb, 0xbf, 0x61))).toBe('\ufeffa');
  });

  test('firstInvalidUtf8: overlong forms, surrogates, past U+10FFFF and cut sequences are invalid', () => {
    expect(firstInvalidUtf8(utf8('aé€😀'))).toBe(-1);
    expect(firstInvalidUtf8(bytes(0x61, 0xc0, 0x80))).toBe(1); // overlong NUL
    expect(firstInvalidUtf8(bytes(0xe0, 0x80, 0x80))).toBe(0); // overlong
    expect(firstInvalidUtf8(bytes(0xed, 0xa0, 0x80))).toBe(0); // U+D800
    expect(firstInvalidUtf8(bytes(0xf4, 0x90, 0x80, 0x80))).toBe(0); // U+110000
    expect(firstInvalidUtf8(bytes(0x61, 0x62, 0xe2, 0x82))).toBe(2); // cut at the end
    expect(firstInvalidUtf8(bytes(0x80))).toBe(0); // a lone continuation byte
  });

  const utf8ish = fc
    .array(
      fc.oneof(
        { arbitrary: fc.integer({ min: 0x00, max: 0x7f }), weight: 1 },
        { arbitrary: fc.integer({ min: 0x80, max: 0xbf }), weight: 3 },
        { arbitrary: fc.integer({ min: 0xc0, max: 0xff }), weight: 1 },
      ),
      { maxLength: 64, size: 'max' },
    )
    .map((b) => Uint8Array.from(b));

  test('firstInvalidUtf8 agrees with a strict UTF-8 decoder: valid before the index, invalid within 4 bytes of it', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const accepts = (input: Uint8Array): boolean => {
      try {
        strict.decode(input);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      // Continuation bytes are drawn often, so lead bytes are followed by well- and ill-formed tails.
      fc.property(utf8ish, (input) => {
        const bad = firstInvalidUtf8(input);
        if (bad === -1) expect(accepts(input)).toBe(true);
        else {
          expect(accepts(input.subarray(0, bad))).toBe(true);
          expect(accepts(input.subarray(0, bad + 4))).toBe(false);
        }
      }),
      { numRuns: scaled(3000) },
    );
  });
});

describe('characters YAML allows', () => {
  test('a control character or a byte order mark past the start is placed by offset', () => {
    expect(checkTopologyText('name: a\u0000b\n')).toEqual({
      message: 'control character U+0000 (NUL) is not allowed in a YAML file; only tab, line breaks and printable characters are',
      offset: 7,
    });
    expect(checkTopologyText('a: 1\n\ufeffb: 2\n')).toEqual({
      message: 'byte order mark U+FEFF inside the file; it may only be the very first character',
      offset: 5,
    });
    expect(checkTopologyText('\ufeffname: t\r\n\tx: "é 😀"\n')).toBeNull();
    expect(checkTopologyText('a: 1\r\nb: 2\rc: 3\r\n')).toEqual({
      message: 'a carriage return (CR) that does not end a CR LF line break; end lines with LF or CR LF',
      offset: 10,
    });
  });

  test('a lone surrogate (only a string can hold one) is not a character', () => {
    expect(checkTopologyText('a: \ud800\n')).toEqual({ message: 'lone UTF-16 surrogate U+D800 in the text; it is not a character', offset: 3 });
  });

  test('text past the size limit is refused before YAML reads it', () => {
    expect(checkTopologyText(`#${'x'.repeat(MAX_TOPOLOGY_BYTES)}`)?.message).toBe(
      'the file is larger than 4 MiB (4194304 bytes), the limit for a topology file',
    );
  });
});

describe('quoting for messages', () => {
  test('controls, C1 controls and bidi overrides are escaped, printable text is kept', () => {
    expect(quote('e\u001b[31m\u009b\u202ex é')).toBe('"e\\u001b[31m\\u009b\\u202ex é"');
  });

  test('unprintableProblem names the first character that must not reach a terminal', () => {
    expect(unprintableProblem('eth\u202e0')).toBe('contains the unprintable character U+202E; expected printable characters only');
    expect(unprintableProblem('a\tb\n', true)).toBeNull();
    expect(unprintableProblem('a\tb')).toBe('contains the control character U+0009 (TAB); expected printable characters only');
  });
});
