/**
 * http-message.ts: the bounded head reader across chunk boundaries, the request and status line
 * parsers, keep-alive rules and http:// URLs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { HeadReader, MAX_HEAD_BYTES, contentLength, isKeepAlive, latin1, latin1Bytes, parseHttpUrl, parseRequestHead, parseResponseHead } from './http-message.js';

const bytes = (text: string): Uint8Array => latin1Bytes(text);

describe('HeadReader', () => {
  it('finds the head however the bytes are split, and hands back what follows', () => {
    const message = 'GET / HTTP/1.1\r\nHost: b\r\n\r\nGET /x';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: message.length }), { maxLength: 6 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const reader = new HeadReader();
        let found: { head: string; rest: string } | null = null;
        let from = 0;
        for (const to of [...points, message.length]) {
          if (found !== null) {
            found.rest += message.slice(from, to);
          } else {
            const outcome = reader.push(bytes(message.slice(from, to)));
            if (outcome.kind === 'head') found = { head: outcome.head, rest: latin1(outcome.rest) };
            else expect(outcome.kind).toBe('more');
          }
          from = to;
        }
        expect(found).toEqual({ head: 'GET / HTTP/1.1\r\nHost: b', rest: 'GET /x' });
      }),
      { numRuns: scaled(200) },
    );
  });

  it('accepts bare LF line ends and refuses a head over the bound', () => {
    expect(new HeadReader().push(bytes('GET / HTTP/1.0\n\nrest'))).toEqual({ kind: 'head', head: 'GET / HTTP/1.0', rest: bytes('rest') });
    const reader = new HeadReader();
    expect(reader.push(bytes('x'.repeat(MAX_HEAD_BYTES)))).toEqual({ kind: 'more' });
    expect(reader.push(bytes('xxxxx'))).toEqual({ kind: 'tooLarge' });
  });
});

describe('parsers', () => {
  it('reads a request line and its fields', () => {
    expect(parseRequestHead('GET /a?b HTTP/1.1\r\nHost: web\r\nX-A:  1 ')).toEqual({ method: 'GET', target: '/a?b', version: '1.1', headers: [['Host', 'web'], ['X-A', '1']] });
    expect(parseRequestHead('GET / HTTP/2.0')).toBeNull();
    expect(parseRequestHead('GET /  HTTP/1.1')).toBeNull();
    expect(parseRequestHead('GET / HTTP/1.1\r\n folded')).toBeNull();
    expect(parseRequestHead('GET / HTTP/1.1\r\nBad Name: x')).toBeNull();
  });

  it('reads a status line', () => {
    expect(parseResponseHead('HTTP/1.0 404 Not Found\r\nContent-Length: 5')).toEqual({ version: '1.0', status: 404, reason: 'Not Found', headers: [['Content-Length', '5']] });
    expect(parseResponseHead('SSH-2.0-OpenSSH')).toBeNull();
  });

  it('keeps a connection alive by version and Connection, and reads Content-Length', () => {
    expect(isKeepAlive('1.1', [])).toBe(true);
    expect(isKeepAlive('1.1', [['connection', 'Close']])).toBe(false);
    expect(isKeepAlive('1.0', [])).toBe(false);
    expect(isKeepAlive('1.0', [['Connection', 'Keep-Alive']])).toBe(true);
    expect(contentLength([['content-length', '12']])).toBe(12);
    expect(contentLength([['Content-Length', '1e3']])).toBe('invalid');
    expect(contentLength([])).toBeNull();
  });

  it('splits http URLs', () => {
    expect(parseHttpUrl('http://10.0.0.2/')).toEqual({ host: '10.0.0.2', port: 80, path: '/' });
    expect(parseHttpUrl('web:8080')).toEqual({ host: 'web', port: 8080, path: '/' });
    expect(parseHttpUrl('http://[2001:db8::1]:81/x?y#z')).toEqual({ host: '2001:db8::1', port: 81, path: '/x?y' });
    expect(parseHttpUrl('http://h?q')).toEqual({ host: 'h', port: 80, path: '/?q' });
    expect(parseHttpUrl('https://h/')).toBeNull();
    expect(parseHttpUrl('http://h:70000/')).toBeNull();
  });
});
