// Seed 003's scenario (topologies/address-selection.yaml) beyond its own expect blocks: the files a
// topology gives its nodes (hosts:, gai.conf:) reach them in every placement, including nodes on
// worker threads, so the resolver's answers are the same (an `ra:` block's RAs: router-discovery.test.ts).
import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const file = join(root, 'topologies', 'address-selection.yaml');

async function answers(placement: 'inline' | 'packed'): Promise<string[]> {
  const emulator = await Emulator.load(file, { placement, ...(placement === 'inline' ? {} : { workers: 2 }) });
  try {
    await emulator.start();
    const out: string[] = [];
    for (const [node, cmd] of [['h1', 'getent ahosts rockon'], ['h2', 'gaitest rockon'], ['h3', 'cat /etc/gai.conf'], ['h4', 'cat /etc/hosts']] as const) {
      const run = await emulator.exec(node, cmd);
      out.push(`${node}# ${cmd} (${run.status})\n${run.stdout}${run.stderr}`);
    }
    return out;
  } finally {
    await emulator.close();
  }
}

describe('address-selection.yaml', () => {
  it('gives every node its hosts: and gai.conf: files, inline and on worker threads alike', async () => {
    const inline = await answers('inline');
    expect(inline[0]).toMatch(/^h1# getent ahosts rockon \(0\)\nfec0::1 +STREAM rockon\n/);
    expect(inline[1]).toMatch(/^h2# gaitest rockon \(0\)\nfamily: 2 socktype: 1 protocol: {2}6 addr:10\.0\.0\.1\(16\)\n/);
    expect(inline[2]).toContain('precedence ::ffff:0:0/96 10\n');
    expect(inline[3]).toBe('h4# cat /etc/hosts (1)\ncat: /etc/hosts: No such file or directory\n');
    expect(await answers('packed')).toEqual(inline);
    // Two runs at every NETLOOM_TEST_SCALE (inline, packed): the scenarios' 120 s hang guard.
  });
});

