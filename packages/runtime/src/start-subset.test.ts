/**
 * A worker's start message (start-subset.ts) against the whole tables, computed the long way: every
 * topology of topologies/, per-node and packed on 3 workers. What the shards then compute with it is
 * held by span-determinism.test.ts and determinism.test.ts (traces of every placement against inline).
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StartMessage } from '@netloom/ipc';
import { PROTOCOL_VERSION } from '@netloom/ipc';
import { loadTopologyFile } from '@netloom/topology';
import { scaled } from '@netloom/wire/testing/test-environment';
import { buildTables } from './placement.js';
import { StartSubsets, tableByIndex } from './start-subset.js';

const TOPOLOGIES = new URL('../../../topologies/', import.meta.url).pathname;
const FILES = readdirSync(TOPOLOGIES)
  .filter((file) => file.endsWith('.yaml'))
  .sort();

function wholeMessage(file: string, placement: 'per-node' | 'packed'): { message: StartMessage; shards: number } {
  const spec = loadTopologyFile(TOPOLOGIES + file);
  const tables = buildTables(spec, spec.seed, placement, 3);
  const statesAfterFirstWindow = tables.nodes.filter((_, i) => i % 2 === 0).map((n) => n.index);
  const message: StartMessage = {
    type: 'start',
    version: PROTOCOL_VERSION,
    shard: 0,
    seed: spec.seed,
    nodes: tables.nodes,
    ports: tables.ports,
    links: tables.links,
    factory: { module: 'x', export: 'y' },
    spin: false,
    statesAfterFirstWindow,
  };
  return { message, shards: tables.shards };
}

describe('a worker is sent its shard of the start message', () => {
  for (const file of FILES) {
    for (const placement of ['per-node', 'packed'] as const) {
      it(`${file}, ${placement}: its nodes, the links with a port on them, those links' ports and the shards behind them`, () => {
        const { message, shards } = wholeMessage(file, placement);
        const subsets = new StartSubsets(message, shards);
        for (let shard = 0; shard < shards; shard++) {
          const part = subsets.for(shard);
          const own = message.nodes.filter((n) => n.shard === shard);
          const links = message.links.filter((l) => l.ports.some((p) => message.nodes[message.ports[p]!.node]!.shard === shard));
          const ports = links.flatMap((l) => l.ports).sort((a, b) => a - b);
          const peers = [...new Set(ports.map((p) => message.ports[p]!.node))].filter((n) => message.nodes[n]!.shard !== shard).sort((a, b) => a - b);
          expect(part.shard).toBe(shard);
          expect(part.nodes).toEqual(own);
          expect(part.links.map((l) => l.index)).toEqual(links.map((l) => l.index));
          expect(part.ports.map((p) => p.index)).toEqual(ports);
          expect(part.peers).toEqual(peers.map((index) => ({ index, shard: message.nodes[index]!.shard })));
          expect(part.statesAfterFirstWindow).toEqual(message.statesAfterFirstWindow!.filter((i) => message.nodes[i]!.shard === shard));
          // Tables by the emulation's indexes, as the shard builds them.
          const portTable = tableByIndex(part.ports);
          for (const p of ports) expect(portTable[p]).toBe(message.ports[p]);
          const linkTable = tableByIndex(part.links);
          for (const l of links) expect(linkTable[l.index]).toBe(l);
        }
      });
    }
  }
});

describe('tableByIndex', () => {
  it('puts each record at its index, leaves the rest undefined, and hands back a list that is already a table', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(300), { maxLength: 60 }), (indexes) => {
        const list = indexes.map((index) => ({ index }));
        const table = tableByIndex(list);
        expect(table.length).toBe(indexes.length === 0 ? 0 : Math.max(...indexes) + 1);
        for (let i = 0; i < table.length; i++) {
          const item = table[i];
          if (indexes.includes(i)) expect(item).toBe(list.find((x) => x.index === i));
          else expect(item).toBeUndefined();
        }
        const dense = Array.from({ length: indexes.length }, (_, index) => ({ index }));
        expect(tableByIndex(dense)).toBe(dense);
      }),
      { numRuns: scaled(200) },
    );
  });
});
