/**
 * The state of a node's loadable parts in NodeInfo (module-state.ts), read from the real engine:
 * lvs-nat's director after its six UDP connections carries the numbers `ipvsadm -L -n`, `--stats`
 * and `--rate` print on the same node at the same instant, inline and across worker threads (the
 * records travel in the shards' messages); nodes that never loaded IPVS carry none.
 */
import { describe, expect, it } from 'vitest';
import { loadTopologyFile } from '@netloom/topology';
import { Emulator } from './emulator.js';
import type { IpvsRatesRecord } from '@netloom/ipc';
import type { EmulatorOptions, NodeInfo } from './emulator-types.js';

const LVS_NAT = new URL('../../../topologies/lvs-nat.yaml', import.meta.url).pathname;

/** `ipvsadm -L -n --rate`'s (or --stats') rows as address → the five numbers. */
function numbersByRow(listing: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of listing.split('\n')) {
    const m = /^(?:UDP|TCP)? *(?:-> )?(\S+:\d+)((?: +\d+){5})$/.exec(line.trim());
    if (m !== null) rows.set(m[1]!, m[2]!.trim().split(/ +/).map(Number));
  }
  return rows;
}

describe('IPVS state in NodeInfo', () => {
  for (const options of [{ placement: 'inline' }, { placement: 'packed', workers: 2 }] as EmulatorOptions[]) {
    it(`shows lvs-nat's director as ipvsadm -L -n, --stats and --rate do (${options.placement})`, async () => {
      const emulator = await Emulator.load(loadTopologyFile(LVS_NAT), { ...options, playEvents: true });
      try {
        await emulator.start();
        await emulator.advance(4_500_000_000 - emulator.now());
        const director = emulator.nodes().find((n) => n.name === 'director') as NodeInfo;
        expect(emulator.nodes().filter((n) => n.ipvs !== undefined).map((n) => n.name)).toEqual(['director']);
        const ipvs = director.ipvs!;
        expect(ipvs.serviceCount).toBe(1);
        const [service] = ipvs.services;
        expect([service!.protocol, service!.address, service!.scheduler, service!.persistent, service!.conns]).toEqual(['UDP', '192.168.1.110:53', 'rr', null, 6]);
        expect(service!.realServers.map((rs) => [rs.address, rs.forward, rs.weight, rs.activeConns, rs.inactConns, rs.conns])).toEqual([
          ['10.1.1.2:53', 'Masq', 1, 0, 2, 2],
          ['10.1.1.3:53', 'Masq', 1, 0, 2, 2],
          ['10.1.1.4:53', 'Masq', 1, 0, 2, 2],
        ]);
        // The same numbers as the tool's, on the same node at the same instant.
        const rate = numbersByRow((await emulator.inspect('director', 'ipvsadm -L -n --rate')).stdout);
        const stats = numbersByRow((await emulator.inspect('director', 'ipvsadm -L -n --stats')).stdout);
        const r = (x: IpvsRatesRecord): number[] => [x.cps, x.inpps, x.outpps, x.inbps, x.outbps];
        expect(r(service!.rates)).toEqual(rate.get('192.168.1.110:53'));
        expect(r(service!.rates)).not.toEqual([0, 0, 0, 0, 0]);
        expect(service!.conns).toBe(stats.get('192.168.1.110:53')![0]);
        for (const rs of service!.realServers) {
          expect(r(rs.rates)).toEqual(rate.get(rs.address));
          expect(rs.conns).toBe(stats.get(rs.address)![0]);
        }
      } finally {
        await emulator.close();
      }
    }, 120_000);
  }
});
