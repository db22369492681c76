/**
 * HTTP/1.x message heads for httpd, curl and http-load (RFC 9112): a bounded reader that collects
 * a head from a byte stream up to the empty line, and parsers for a request line and a status line
 * with their header fields. Bytes are read as Latin-1 (one character a byte), so nothing a peer
 * sends can fail to decode.
 *
 * Covers: CRLF and bare-LF line ends (RFC 9112 §2.2 lets a recipient accept LF), header names as
 * tokens, a head at most MAX_HEAD_BYTES long (beyond it the reader reports `tooLarge`, as Apache's
 * LimitRequestFieldSize refuses). Leaves out: obsolete line folding (refused as a bad request),
 * chunked transfer coding, trailers.
 */

/** Longest head (request or status line and all fields) a reader collects. */
export const MAX_HEAD_BYTES = 8192;
/** Most header fields a head may carry (Apache's LimitRequestFields is 100). */
export const MAX_HEADER_FIELDS = 100;

export type HeaderFields = readonly (readonly [string, string])[];

export interface RequestHead {
  method: string;
  target: string;
  /** '1.0' or '1.1'. */
  version: string;
  headers: HeaderFields;
}

export interface ResponseHead {
  version: string;
  status: number;
  reason: string;
  headers: HeaderFields;
}

/** Bytes as Latin-1 text, one character a byte. */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return text;
}

/** Latin-1 text as bytes (characters above 0xff, which no head here holds, are cut to 8 bits). */
export function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

export type HeadOutcome = { kind: 'more' } | { kind: 'tooLarge' } | { kind: 'head'; head: string; rest: Uint8Array };

/** Collects bytes until a head is complete (an empty line), never holding more than MAX_HEAD_BYTES. */
export class HeadReader {
  private buffered = '';

  /** Feed received bytes; once a head is complete, the bytes after it come back as `rest`. */
  push(bytes: Uint8Array): HeadOutcome {
    const before = this.buffered.length;
    this.buffered += latin1(bytes.subarray(0, Math.max(0, MAX_HEAD_BYTES + 4 - before)));
    const end = /\r?\n\r?\n/.exec(this.buffered);
    if (end === null) return this.buffered.length > MAX_HEAD_BYTES ? { kind: 'tooLarge' } : { kind: 'more' };
    const headEnd = end.index + end[0].length;
    if (headEnd > MAX_HEAD_BYTES + 4) return { kind: 'tooLarge' };
    const head = this.buffered.slice(0, end.index);
    this.buffered = '';
    return { kind: 'head', head, rest: bytes.subarray(headEnd - before) };
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function parseFields(lines: readonly string[]): HeaderFields | null {
  if (lines.length > MAX_HEADER_FIELDS) return null;
  const fields: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return null;
    fields.push([name, line.slice(colon + 1).trim()]);
  }
  return fields;
}

/** A request head (request line and fields), or null when it is not HTTP/1.x. */
export function parseRequestHead(head: string): RequestHead | null {
  const [requestLine = '', ...rest] = head.split(/\r?\n/);
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.([01])$/.exec(requestLine);
  if (m === null) return null;
  const headers = parseFields(rest);
  if (headers === null) return null;
  return { method: m[1] ?? '', target: m[2] ?? '', version: `1.${m[3]}`, headers };
}

/** A response head (status line and fields), or null when it is not HTTP/1.x. */
export function parseResponseHead(head: string): ResponseHead | null {
  const [statusLine = '', ...rest] = head.split(/\r?\n/);
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (m === null) return null;
  const headers = parseFields(rest);
  if (headers === null) return null;
  return { version: `1.${m[1]}`, status: Number(m[2]), reason: m[3] ?? '', headers };
}

/** The first field named `name` (case-insensitive), or undefined. */
export function headerValue(headers: HeaderFields, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === wanted)?.[1];
}

/** A Content-Length value: a decimal count, or null when absent or not one (RFC 9110 §8.6). */
export function contentLength(headers: HeaderFields): number | null | 'invalid' {
  const value = headerValue(headers, 'Content-Length');
  if (value === undefined) return null;
  return /^\d{1,15}$/.test(value) ? Number(value) : 'invalid';
}

/** Whether the connection stays open after this message (RFC 9112 §9.3). */
export function isKeepAlive(version: string, headers: HeaderFields): boolean {
  const connection = (headerValue(headers, 'Connection') ?? '').toLowerCase().split(',').map((t) => t.trim());
  if (connection.includes('close')) return false;
  return version === '1.1' || connection.includes('keep-alive');
}

/** An http:// URL's parts: host (brackets removed from an IPv6 literal), port (default 80), path with query. */
export function parseHttpUrl(text: string): { host: string; port: number; path: string } | null {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(\[[0-9A-Fa-f:.]+\]|[^/:?#\[\]]+)(?::(\d*))?([/?][^#]*)?(?:#.*)?$/.exec(text);
  if (m === null) return null;
  if (m[1] !== undefined && m[1].toLowerCase() !== 'http') return null;
  const port = m[3] === undefined || m[3] === '' ? 80 : Number(m[3]);
  if (port < 1 || port > 65535) return null;
  const host = (m[2] ?? '').replace(/^\[(.*)\]$/, '$1');
  const path = m[4] === undefined ? '/' : m[4].startsWith('?') ? `/${m[4]}` : m[4];
  return { host, port, path };
}
