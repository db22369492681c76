import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import { EmulatorError } from './emulator-error.js';
import { buildSpec, FAKE_NODES } from './testing/specs.js';

const ms = 1e6;

function chain(names: string[]) {
  return buildSpec({
    name: 'chain',
    nodes: names.map((name) => ({ name, kind: 'host' as const })),
    links: names.slice(1).map((name, i) => ({ ends: [`${names[i]}:eth1`, `${name}:eth0`] as [string, string] })),
  });
}

async function threadOf(emulator: Emulator, node: string): Promise<string> {
  return (await emulator.exec(node, 'thread')).stdout.trim();
}

describe('shards in worker threads', () => {
  it('per-node gives every node its own thread; packed spreads contiguous runs over the workers', async () => {
    const perNode = await Emulator.load(chain(['a', 'b', 'c']), { placement: 'per-node', nodeFactory: FAKE_NODES });
    const threads = [await threadOf(perNode, 'a'), await threadOf(perNode, 'b'), await threadOf(perNode, 'c')];
    expect(new Set(threads).size).toBe(3);
    expect(threads).not.toContain('0');
    expect(perNode.describePlacement()).toBe('per-node (3 workers)');
    await perNode.close();

    const packed = await Emulator.load(chain(['a', 'b', 'c', 'd']), { placement: 'packed', workers: 2, nodeFactory: FAKE_NODES });
    const [a, b, c, d] = [await threadOf(packed, 'a'), await threadOf(packed, 'b'), await threadOf(packed, 'c'), await threadOf(packed, 'd')];
    expect(a).toBe(b);
    expect(c).toBe(d);
    expect(a).not.toBe(c);
    await packed.close();

    const inline = await Emulator.load(chain(['a', 'b']), { placement: 'inline', nodeFactory: FAKE_NODES });
    expect(await threadOf(inline, 'a')).toBe('0');
    await inline.close();
  });

  it('a node that throws in a worker is reported by name and the run fails fast', async () => {
    const spec = chain(['a', 'b', 'r3', 'c']);
    spec.events.push({ at: 0, kind: 'exec', node: 'a', cmd: 'sleep 100000000000' });
    spec.events.push({ at: 5 * ms, kind: 'exec', node: 'r3', cmd: 'crash' });
    const emulator = await Emulator.load(spec, { placement: 'packed', workers: 2, nodeFactory: FAKE_NODES });
    const error = await emulator.run(60e9).catch((e: unknown) => e);
    // Fast in virtual time: the run stopped at the window of the crash, not at 60 s.
    expect(emulator.now()).toBeLessThanOrEqual(6 * ms);
    expect(error).toBeInstanceOf(EmulatorError);
    expect((error as EmulatorError).message).toBe('node r3: Error: boom from r3');
    expect((error as EmulatorError).node).toBe('r3');
    await emulator.close();
  });

  it('a node that fails while booting is reported by name', async () => {
    const emulator = await Emulator.load(chain(['a', 'crash-at-boot-1']), { placement: 'per-node', nodeFactory: FAKE_NODES });
    await expect(emulator.start()).rejects.toThrow('node crash-at-boot-1: Error: boot failure in crash-at-boot-1');
    await emulator.close();
  });

  it('a worker thread that exits ends the run with an error naming its node, never a hang', async () => {
    const spec = chain(['a', 'b', 'c']);
    spec.events.push({ at: 2 * ms, kind: 'exec', node: 'b', cmd: 'exit-thread' });
    const emulator = await Emulator.load(spec, { placement: 'per-node', nodeFactory: FAKE_NODES });
    const error = await emulator.run().catch((e: unknown) => e);
    expect(emulator.now()).toBeLessThanOrEqual(3 * ms);
    expect(error).toBeInstanceOf(EmulatorError);
    expect((error as EmulatorError).message).toMatch(/^node b: /);
    await emulator.close();
  });

  it('a frame crosses shards after exactly the link latency', async () => {
    const emulator = await Emulator.load(chain(['a', 'b']), { placement: 'per-node', nodeFactory: FAKE_NODES });
    const seen: string[] = [];
    emulator.onTrace((events) => seen.push(...events.map((e) => `${e.t} ${e.node} ${e.kind}`)));
    await emulator.start();
    const t0 = emulator.now();
    await emulator.exec('a', 'send eth1 1 64 0');
    await emulator.advance(5 * ms);
    expect(seen.slice(0, 3)).toEqual([`${t0} a tx`, `${t0 + ms} b rx`, `${t0 + ms} b deliver`]);
    await emulator.close();
  });
});
