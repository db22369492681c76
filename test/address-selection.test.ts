// Seed 003's scenario (topologies/address-selection.yaml) beyond its own expect blocks: the files a
// topology gives its nodes (hosts:, gai.conf:) reach them in every placement, including nodes on
// worker threads, so the resolver's answers are the same; and an `ra:` block, validated and carried
// to the node, stops the start loudly while the stack has no router advertisement sender.
import { join } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';
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
  }, 300_000); // a hang guard: two worker threads start on a machine that may be busy
});

describe('ra:', () => {
  const text = `name: ra
nodes:
  r1:
    kind: router
    exec: [ip link set eth0 up]
    ra:
      eth0:
        prefixes:
          - prefix: 2001:db8:1::/64
  h1: {}
links:
  - endpoints: [r1:eth0, h1:eth0]
`;
  it('is carried to the node, which refuses to start without a router advertisement sender', { timeout: 300_000 }, async () => {
    const spec = parseTopology(text, 'ra.yaml');
    expect(spec.nodes[0]!.ra?.[0]?.prefixes[0]).toMatchObject({ prefix: '2001:db8:1::', prefixLength: 64, onLink: true, autonomous: true });
    const emulator = await Emulator.load(spec, { placement: 'inline' });
    try {
      await expect(emulator.start()).rejects.toThrow('node r1: Error: ra: router advertisements on eth0 cannot be sent: this netloom\'s stack has no router advertisement sender yet');
    } finally {
      await emulator.close();
    }
  });
});
