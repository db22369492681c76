/**
 * `Emulator.inspect`: a command run at the current instant without moving virtual time, which is
 * how `netloom run` reads its forwarding warnings from its own emulator. What it may not do is
 * change the run: the trace of router-chain with every node inspected after start is the trace
 * without, in every placement.
 */
import { describe, expect, it } from 'vitest';
import { loadTopologyFile } from '@netloom/topology';
import { Emulator } from './emulator.js';
import type { EmulatorOptions } from './emulator-types.js';
import { formatTrace } from './trace-format.js';

const ROUTER_CHAIN = new URL('../../../topologies/router-chain.yaml', import.meta.url).pathname;

/** router-chain's run as trace lines; `inspect` first reads every node's forwarding and routes. */
async function traceOf(options: EmulatorOptions, inspect: boolean): Promise<{ trace: string; reads: string[] }> {
  const spec = loadTopologyFile(ROUTER_CHAIN);
  const emulator = await Emulator.load(spec, options);
  const lines: string[] = [];
  const reads: string[] = [];
  try {
    emulator.onTrace((events) => lines.push(...events.map(formatTrace)));
    await emulator.start();
    if (inspect) {
      const at = emulator.now();
      for (const node of spec.nodes) {
        for (const cmd of ['sysctl -n net.ipv4.ip_forward', 'ip -4 -j route show table all']) {
          const result = await emulator.inspect(node.name, cmd);
          expect([result.status, result.t, result.stderr]).toEqual([0, at, '']);
          reads.push(`${node.name}: ${result.stdout}`);
        }
      }
      expect(emulator.now()).toBe(at);
    }
    await emulator.run();
  } finally {
    await emulator.close();
  }
  return { trace: lines.join('\n'), reads };
}

describe('inspect', () => {
  for (const options of [{ placement: 'inline' }, { placement: 'packed', workers: 2 }] as EmulatorOptions[]) {
    it(`reads every node of router-chain without moving time or changing the run's trace (${options.placement})`, async () => {
      const plain = await traceOf(options, false);
      const inspected = await traceOf(options, true);
      expect(inspected.reads.filter((r) => r === 'r1: 1\n')).toHaveLength(1);
      expect(inspected.reads.some((r) => r.startsWith('h1: [{"dst":"default","gateway":"10.0.0.2"'))).toBe(true);
      expect(inspected.trace.length).toBeGreaterThan(1000);
      expect(inspected.trace).toBe(plain.trace);
    });
  }

  it('a command that does not end at once is interrupted in the same instant', async () => {
    const emulator = await Emulator.load(ROUTER_CHAIN, { placement: 'inline' });
    try {
      await emulator.start();
      const at = emulator.now();
      const ping = await emulator.inspect('h1', 'ping -c 3 10.0.8.2');
      expect(emulator.now()).toBe(at);
      expect(ping.t).toBe(at);
      expect(ping.stdout).toMatch(/^PING 10\.0\.8\.2 \(10\.0\.8\.2\) 56\(84\) bytes of data\.\n/);
      expect(ping.stdout).toMatch(/\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n/);
      // The emulator goes on as usual afterwards.
      expect((await emulator.exec('h1', 'ping -c 1 10.0.8.2')).status).toBe(0);
    } finally {
      await emulator.close();
    }
  });
});
