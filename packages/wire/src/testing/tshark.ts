/**
 * Running tshark over frames netloom built, for the tests that check wire's output against
 * Wireshark's dissectors (icmpv6-tshark.test.ts, tcp-tshark.test.ts). Callers guard with
 * `needs({ tools: ['tshark'] })`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapOf } from './pcap-file.js';

/** `tshark -V`'s text per frame, with `preferences` given as `-o NAME:VALUE`. */
export function dissectWithTshark(frames: readonly Uint8Array[], preferences: readonly string[]): string[] {
  const directory = mkdtempSync(join(tmpdir(), 'netloom-wire-tshark-'));
  try {
    const file = join(directory, 'frames.pcap');
    writeFileSync(file, pcapOf(frames));
    const options = preferences.flatMap((preference) => ['-o', preference]);
    const text = execFileSync('tshark', ['-r', file, ...options, '-V'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    }).toString();
    return text.split(/^(?=Frame \d+: )/m).filter((part) => part.startsWith('Frame '));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
