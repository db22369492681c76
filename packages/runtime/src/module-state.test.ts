/**
 * The state of a node's loadable parts in NodeInfo (module-state.ts), read from the real engine:
 * lvs-nat's director after its six UDP connections carries, for each of its services and real
 * servers, the numbers `ipvsadm -L -n`, `--stats` and `--rate` print on the same node at the same instant, inline and across worker threads (the
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
        // The file's UDP service: six connections by 1.5 s, two a real server, inactive as UDP ones are.
        const service = ipvs.services.find((s) => s.address === '192.168.1.110:53')!;
        expect([service.protocol, service.scheduler, service.persistent, service.conns]).toEqual(['UDP', 'rr', null, 6]);
        expect(service.realServers.map((rs) => [rs.address, rs.forward, rs.weight, rs.activeConns, rs.inactConns, rs.conns])).toEqual([
          ['10.1.1.2:53', 'Masq', 1, 0, 2, 2],
          ['10.1.1.3:53', 'Masq', 1, 0, 2, 2],
          ['10.1.1.4:53', 'Masq', 1, 0, 2, 2],
        ]);
        expect(service.rates).not.toEqual({ cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 });
        // Every service and real server has the numbers the tool prints on the same node at the same instant.
        const rate = numbersByRow((await emulator.inspect('director', 'ipvsadm -L -n --rate --exact')).stdout);
        const stats = numbersByRow((await emulator.inspect('director', 'ipvsadm -L -n --stats --exact')).stdout);
        const r = (x: IpvsRatesRecord): number[] => [x.cps, x.inpps, x.outpps, x.inbps, x.outbps];
        expect(ipvs.services.length).toBe(ipvs.serviceCount);
        expect(ipvs.services.reduce((n, s) => n + 1 + s.realServers.length, 0)).toBe(rate.size);
        for (const s of ipvs.services) {
          expect(r(s.rates)).toEqual(rate.get(s.address));
          expect(s.conns).toBe(stats.get(s.address)![0]);
          for (const rs of s.realServers) {
            expect(r(rs.rates)).toEqual(rate.get(rs.address));
            expect(rs.conns).toBe(stats.get(rs.address)![0]);
          }
        }
      } finally {
        await emulator.close();
      }
    });
  }
});
