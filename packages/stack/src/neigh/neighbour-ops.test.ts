/**
 * The neighbour table's protocol (ARP's solicit, the IP layer's output) is attached once, after the
 * layers exist: a table used for output without it fails loudly instead of silently sending nothing,
 * and a second attachment is refused.
 */
import { describe, expect, it } from 'vitest';
import { Prng, TimerHeap } from '../timers.js';
import { DEFAULT_NEIGHBOUR_PARAMS, NeighbourTable, type NeighbourOps } from './neighbour-table.js';

function table(): NeighbourTable {
  return new NeighbourTable(new TimerHeap(), new Prng(1), {
    discard: () => {},
    reachability: () => {},
    params: () => DEFAULT_NEIGHBOUR_PARAMS,
  });
}

describe('neighbour table wiring', () => {
  it('resolving without an attached protocol is an error, not a probe silently not sent', () => {
    expect(() => table().resolve('eth0', 0x0a000002, { packet: new Uint8Array(20), source: 0x0a000001 }, 0)).toThrow(
      'the neighbour table has no protocol attached (NeighbourTable.attachOps)',
    );
  });

  it('with its protocol attached, a first resolution solicits at once; a second attachment is refused', () => {
    const neighbours = table();
    const solicited: string[] = [];
    const ops: NeighbourOps = { solicit: (entry, unicastTo) => solicited.push(`${entry.address} ${unicastTo === null ? 'broadcast' : 'unicast'}`), transmit: () => {}, unreachable: () => {} };
    neighbours.attachOps(ops);
    expect(neighbours.resolve('eth0', 0x0a000002, { packet: new Uint8Array(20), source: 0x0a000001 }, 0)).toEqual({ send: false, queued: true });
    expect(solicited).toEqual([`${0x0a000002} broadcast`]);
    expect(() => neighbours.attachOps(ops)).toThrow('the neighbour table already has its protocol attached');
  });
});
