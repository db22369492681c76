/**
 * The bytes and characters of a topology file, before YAML reads them: reading the file (a regular
 * file only, at most MAX_TOPOLOGY_BYTES), decoding it (UTF-8 only; a UTF-16 or UTF-32 byte order
 * mark or an invalid UTF-8 sequence is refused at its position), and YAML 1.2's rule that a stream
 * holds only printable characters (c-printable, spec §5.1): tab, line breaks, and no C0/C1 control
 * characters, no DEL, no lone surrogates, no byte order mark except as the first character.
 *
 * Reading follows a symbolic link to a regular file but opens nothing else: stat() first, so a
 * device is never opened, then open with O_NONBLOCK (a FIFO put in its place cannot block) and
 * fstat() the open file, so what is read is what was checked. Leaves out other encodings than UTF-8.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** The largest topology file read, in bytes (4 MiB); bigger ones are refused before parsing. */
export const MAX_TOPOLOGY_BYTES = 4 * 1024 * 1024;

/** A problem with the text, at a character offset into it (or line 1, column 1 for the file as a whole). */
export interface TextProblem {
  message: string;
  /** Character offset in the decoded text, when there is one. */
  offset?: number;
  /** Line and column, when known without the decoded text (an invalid byte). */
  line?: number;
  column?: number;
}

const SIZE_LIMIT = `${MAX_TOPOLOGY_BYTES / 1024 / 1024} MiB (${MAX_TOPOLOGY_BYTES} bytes)`;

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

const ERRNO_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  ENOTDIR: 'a component of the path is not a directory',
  ENAMETOOLONG: 'file name too long',
  ENXIO: 'no such device or address (not a regular file)',
};

/** "cannot read the topology file: <reason>" for an fs error; rethrows what is not one. */
function unreadable(err: unknown): TextProblem {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') throw err;
  return { message: `cannot read the topology file: ${ERRNO_REASONS[code] ?? (err as Error).message}` };
}

function notRegular(stats: Stats): TextProblem {
  return { message: `cannot read the topology file: it is ${fileKind(stats)}; expected a regular file` };
}

const tooLarge = (): TextProblem => ({
  message: `the file is larger than ${SIZE_LIMIT}, the limit for a topology file`,
});

/** The file's bytes, or why they cannot be had. Never reads more than MAX_TOPOLOGY_BYTES + 1 bytes. */
export function readTopologyBytes(path: string): Uint8Array | TextProblem {
  let fd: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return notRegular(stats);
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return unreadable(err);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return notRegular(stats);
    // st_size is a hint only (files in /proc say 0): read until end of file or one byte past the
    // cap, into a buffer sized by the hint and doubled as needed, never past MAX_TOPOLOGY_BYTES + 1.
    const limit = MAX_TOPOLOGY_BYTES + 1;
    let buffer = new Uint8Array(Math.min(Math.max(stats.size + 1, 64 * 1024), limit));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length >= limit) return tooLarge();
        const grown = new Uint8Array(Math.min(buffer.length * 2, limit));
        grown.set(buffer);
        buffer = grown;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_TOPOLOGY_BYTES) return tooLarge();
    return buffer.subarray(0, length);
  } catch (err) {
    return unreadable(err);
  } finally {
    closeSync(fd);
  }
}

/** Byte order marks of the encodings YAML allows besides UTF-8, longest first. */
const OTHER_ENCODINGS: [string, number[]][] = [
  ['UTF-32 big-endian', [0x00, 0x00, 0xfe, 0xff]],
  ['UTF-32 little-endian', [0xff, 0xfe, 0x00, 0x00]],
  ['UTF-16 big-endian', [0xfe, 0xff]],
  ['UTF-16 little-endian', [0xff, 0xfe]],
];

const hex = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

/** The index of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // [continuation bytes, range of the second byte]; the others are 0x80..0xBF.
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f; // nothing past U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k += 1) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Line and column (1-based, in characters) just after `prefix`. */
function endOf(prefix: string): { line: number; column: number } {
  const lines = prefix.split(/\r\n|\r|\n/);
  return { line: lines.length, column: [...(lines[lines.length - 1] ?? '')].length + 1 };
}

/** UTF-8 bytes → text, or where and why they are not UTF-8. A UTF-8 byte order mark stays (YAML skips it). */
export function decodeTopologyBytes(bytes: Uint8Array): string | TextProblem {
  for (const [name, mark] of OTHER_ENCODINGS) {
    if (mark.every((b, i) => bytes[i] === b)) {
      return {
        message: `the file is ${name} text (it starts with the byte order mark ${mark.map(hex).join(' ')}); topology files are UTF-8`,
        offset: 0,
      };
    }
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    return {
      message: `the file is not UTF-8 text: byte 0x${hex(bytes[bad] ?? 0)} does not start a valid UTF-8 sequence`,
      ...endOf(prefix),
    };
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** Characters outside YAML 1.2's c-printable set (the `u` flag makes a lone surrogate one character). */
const NOT_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

const CONTROL_NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'BS',
  0x09: 'TAB',
  0x0a: 'LF',
  0x0b: 'VT',
  0x0c: 'FF',
  0x0d: 'CR',
  0x1b: 'ESC',
  0x7f: 'DEL',
  0x9b: 'CSI',
};

/** `U+001B (ESC)`: how a character that must not be printed reads in a message. */
export function codePointName(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const name = CONTROL_NAMES[code];
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}${name !== undefined ? ` (${name})` : ''}`;
}

/** The first character YAML does not allow in a stream, or null. Checked on the text, so `checkTopology` callers get it too. */
export function checkTopologyText(text: string): TextProblem | null {
  if (text.length > MAX_TOPOLOGY_BYTES || new TextEncoder().encode(text).length > MAX_TOPOLOGY_BYTES) return tooLarge();
  const bom = text.indexOf('\ufeff', 1);
  if (bom >= 0) {
    return { message: 'byte order mark U+FEFF inside the file; it may only be the very first character', offset: bom };
  }
  const loneCarriageReturn = /\r(?!\n)/.exec(text);
  if (loneCarriageReturn) {
    return { message: 'a carriage return (CR) that does not end a CR LF line break; end lines with LF or CR LF', offset: loneCarriageReturn.index };
  }
  const bad = NOT_PRINTABLE.exec(text);
  if (bad) {
    const char = bad[0];
    const surrogate = char.length === 1 && char >= '\ud800' && char <= '\udfff';
    return {
      message: surrogate
        ? `lone UTF-16 surrogate ${codePointName(char)} in the text; it is not a character`
        : `control character ${codePointName(char)} is not allowed in a YAML file; only tab, line breaks and printable characters are`,
      offset: bad.index,
    };
  }
  return null;
}

/** Characters a terminal would act on or hide: controls (C0, DEL, C1), format characters (bidi overrides), unassigned, private use, lone surrogates, line and paragraph separators. */
export const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');

/** `text` in double quotes as JSON writes it, and every character UNPRINTABLE finds escaped, so a message never carries one to the terminal. */
export function quote(text: string): string {
  return JSON.stringify(text).replace(UNPRINTABLE_ALL, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** Why `text` has a character that must not reach a terminal (tab and line breaks allowed when `lineBreaks`), or null. */
export function unprintableProblem(text: string, lineBreaks = false): string | null {
  for (const m of text.matchAll(UNPRINTABLE_ALL)) {
    if (lineBreaks && (m[0] === '\t' || m[0] === '\n' || m[0] === '\r')) continue;
    const kind = /\p{Cc}/u.test(m[0]) ? 'control character' : 'unprintable character';
    return `contains the ${kind} ${codePointName(m[0])}; expected printable characters only${lineBreaks ? ' (and tab, line breaks)' : ''}`;
  }
  return null;
}
