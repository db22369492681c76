import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { BoundedOutput } from './command-output.js';

function collect(chunks: string[], limit: number): { kept: BoundedOutput; all: string } {
  const kept = new BoundedOutput(limit);
  for (const chunk of chunks) kept.append(chunk);
  return { kept, all: chunks.join('') };
}

describe('what a command result keeps of its output', () => {
  it('keeps everything up to the limit', () => {
    const { kept, all } = collect(['PING 10.0.0.2\n', '64 bytes\n'.repeat(10)], 200);
    expect(kept.text()).toBe(all);
    expect(kept.charsLeftOut).toBe(0);
  });

  it('past the limit keeps the first lines and the newest lines, and says how much it left out', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `64 bytes from 10.0.0.2: icmp_seq=${i + 1} ttl=64 time=4.01 ms\n`);
    const { kept, all } = collect(['PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n', ...lines, '\n--- 10.0.0.2 ping statistics ---\n'], 4096);
    const text = kept.text();
    expect(text.startsWith('PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n64 bytes from 10.0.0.2: icmp_seq=1 ')).toBe(true);
    expect(text.endsWith('icmp_seq=1000 ttl=64 time=4.01 ms\n\n--- 10.0.0.2 ping statistics ---\n')).toBe(true);
    const marker = /\[netloom: (\d+) characters of output not kept\]\n/.exec(text);
    expect(marker).not.toBeNull();
    const [head, tail] = text.split(marker![0]) as [string, string];
    // Whole lines on both sides of the marker, and nothing counted twice or lost.
    expect(head.endsWith('\n')).toBe(true);
    expect(all.startsWith(head) && all.endsWith(tail)).toBe(true);
    expect(/^64 bytes from/.test(tail)).toBe(true);
    expect(Number(marker![1])).toBe(all.length - head.length - tail.length);
    expect(head.length + tail.length).toBeLessThanOrEqual(4096);
  });

  it('for any chunks, keeps a prefix and a suffix of the output within the limit (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\n'), maxLength: 300 }), { maxLength: 60 }), fc.integer({ min: 2, max: 400 }), (chunks, limit) => {
        const { kept, all } = collect(chunks, limit);
        const text = kept.text();
        const left = kept.charsLeftOut;
        if (left === 0) {
          expect(text).toBe(all);
          return;
        }
        const marker = `[netloom: ${left} characters of output not kept]\n`;
        const at = text.indexOf(marker);
        expect(at).toBeGreaterThanOrEqual(0);
        const head = text.slice(0, at);
        const tail = text.slice(at + marker.length);
        expect(all.startsWith(head)).toBe(true);
        expect(all.endsWith(tail)).toBe(true);
        expect(head.length + left + tail.length).toBe(all.length);
        expect(head.length + tail.length).toBeLessThanOrEqual(limit);
      }),
      { numRuns: scaled(500) },
    );
  });

  it('memory stays bounded however much is appended', () => {
    const kept = new BoundedOutput(1000);
    for (let i = 0; i < 100_000; i++) kept.append(`line ${i}\n`);
    expect(kept.text().length).toBeLessThan(1000 + 64);
    expect(kept.text().endsWith('line 99999\n')).toBe(true);
  });
});
