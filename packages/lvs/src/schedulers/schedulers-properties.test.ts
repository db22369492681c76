/**
 * Properties of each family of schedulers over random weights, connection counts and clients
 * (fast-check, fixed seeds, sized by NETLOOM_TEST_SCALE): round robins give shares proportional to
 * the weights; the least-connection family picks a least loaded server by its own measure, the first
 * one in list order on a tie; hashing schedulers are stable and Maglev moves few clients when a
 * server goes; weight 0 and overloaded servers are never chosen for new connections by any of them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { inet4 } from '../inet-address.js';
import { DEST_F_OVERLOAD, RealServer, VirtualService, type SchedulingInput } from '../virtual-service.js';
import { createScheduler } from './scheduler-registry.js';
import { connectionOverhead } from './least-connection.js';

const ALL = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'mh', 'lblc', 'lblcr'] as const;

interface ServerSpec {
  weight: number;
  active: number;
  inactive: number;
  overloaded: boolean;
}

function build(scheduler: string, servers: readonly ServerSpec[]): VirtualService {
  const service = new VirtualService({ kind: 'tcp', address: inet4(0x0a000001), port: 80 }, { scheduler }, (svc) => createScheduler(scheduler, svc)!);
  servers.forEach((spec, i) => {
    const dest = new RealServer(service, { address: inet4(0xc0a80a00 + i + 2), port: 80, forwarding: 'droute', weight: spec.weight, upperThreshold: 0, lowerThreshold: 0 });
    dest.activeConns = spec.active;
    dest.inactConns = spec.inactive;
    if (spec.overloaded) dest.flags |= DEST_F_OVERLOAD;
    service.destinations.unshift(dest);
    service.scheduler.destinationsChanged(service, 'add', dest, 0);
  });
  return service;
}

const input = (client: number, destination = 0x0a000001): SchedulingInput => ({ source: inet4(client), sourcePort: 40000, destination: inet4(destination), destinationPort: 80, now: 0 });

/** Small counts and weights often, so that ties (decided by list order) are common. */
const serverArb = fc.record({
  weight: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 300 })),
  active: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 50 })),
  inactive: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 500 })),
  overloaded: fc.oneof(fc.constant(false), fc.constant(false), fc.constant(true)),
});
const serversArb = fc.array(serverArb, { minLength: 1, maxLength: 8 });
const runs = (seed: number, base = 60) => ({ seed, numRuns: scaled(base) });

describe('every scheduler', () => {
  it('never picks a weight 0 or overloaded server', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL), serversArb, fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 30 }), (name, servers, clients) => {
        const service = build(name, servers);
        for (const client of clients) {
          const dest = service.scheduler.schedule(service, input(client, client));
          if (dest !== null) {
            expect(dest.weight).toBeGreaterThan(0);
            expect(dest.isOverloaded).toBe(false);
          }
        }
      }),
      runs(1701),
    );
  });
});

describe('round robins', () => {
  it('wrr gives each server its weight share over a long run, rr equal shares', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 5 }), (weights, cycles) => {
        const total = weights.reduce((a, b) => a + b, 0);
        for (const name of ['wrr', 'rr'] as const) {
          const service = build(
            name,
            weights.map((weight) => ({ weight, active: 0, inactive: 0, overloaded: false })),
          );
          const picks = new Map<RealServer, number>();
          const n = total * cycles * 4;
          for (let i = 0; i < n; i++) {
            const dest = service.scheduler.schedule(service, input(i));
            if (total === 0) expect(dest).toBeNull();
            if (dest !== null) picks.set(dest, (picks.get(dest) ?? 0) + 1);
          }
          const eligible = service.destinations.filter((d) => d.weight > 0);
          for (const dest of service.destinations) {
            const got = picks.get(dest) ?? 0;
            // rr: n / eligible each (±1); wrr: n × w / W, give or take the first pass and one cycle.
            const want = name === 'rr' ? (dest.weight > 0 ? n / eligible.length : 0) : (n * dest.weight) / Math.max(total, 1);
            const slack = name === 'rr' ? 1 : dest.weight + 1;
            expect(Math.abs(got - want)).toBeLessThanOrEqual(slack);
          }
        }
      }),
      runs(1702),
    );
  });
});

describe('least-connection family', () => {
  const measure: Record<string, (d: RealServer) => number> = {
    lc: (d) => connectionOverhead(d),
    wlc: (d) => connectionOverhead(d) / d.weight,
    sed: (d) => (d.activeConns + 1) / d.weight,
    nq: (d) => (d.activeConns + 1) / d.weight,
  };

  it('picks a server of least load by its own measure, the first in list order among equals (nq: the first idle one)', () => {
    fc.assert(
      fc.property(fc.constantFrom('lc', 'wlc', 'sed', 'nq'), serversArb, (name, servers) => {
        const service = build(name, servers);
        const eligible = service.destinations.filter((d) => d.weight > 0 && !d.isOverloaded);
        const dest = service.scheduler.schedule(service, input(1));
        const load = measure[name]!;
        const least = Math.min(...eligible.map(load));
        const isLeast = (d: RealServer): boolean => Math.abs(load(d) - least) < 1e-9;
        const idle = name === 'nq' ? eligible.find((d) => d.activeConns === 0) : undefined;
        const want = eligible.length === 0 ? null : (idle ?? eligible.find(isLeast));
        expect(dest).toBe(want);
      }),
      runs(1703, 300),
    );
  });

  it('wlc spreads connections that stay open in proportion to the weights', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), (weights) => {
        const service = build(
          'wlc',
          weights.map((weight) => ({ weight, active: 0, inactive: 0, overloaded: false })),
        );
        const total = weights.reduce((a, b) => a + b, 0);
        const n = total * 20;
        for (let i = 0; i < n; i++) service.scheduler.schedule(service, input(i))!.activeConns++;
        for (const d of service.destinations) expect(Math.abs(d.activeConns - (n * d.weight) / total)).toBeLessThanOrEqual(1);
      }),
      runs(1704),
    );
  });
});

describe('hashing family', () => {
  it('maps a client (sh, mh) or a destination (dh) to the same server every time', () => {
    fc.assert(
      fc.property(fc.constantFrom('sh', 'dh', 'mh'), serversArb, fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }), (name, servers, clients) => {
        const service = build(name, servers);
        for (const client of clients) {
          const first = service.scheduler.schedule(service, input(client, client));
          expect(service.scheduler.schedule(service, input(client, client))).toBe(first);
        }
      }),
      runs(1705),
    );
  });

  it("sh's buckets follow the weights; mh keeps most clients in place when a server goes", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 2, maxLength: 6 }), (weights) => {
        const sh = build(
          'sh',
          weights.map((weight) => ({ weight, active: 0, inactive: 0, overloaded: false })),
        );
        const buckets = (sh.scheduler as unknown as { buckets: RealServer[] }).buckets;
        const total = weights.reduce((a, b) => a + b, 0);
        for (const d of sh.destinations) expect(Math.abs(buckets.filter((b) => b === d).length - (256 * d.weight) / total)).toBeLessThanOrEqual(d.weight);

        const mh = build(
          'mh',
          weights.map((weight) => ({ weight, active: 0, inactive: 0, overloaded: false })),
        );
        const clients = Array.from({ length: 400 }, (_, i) => 0xcb000000 + i * 7919);
        const before = clients.map((c) => mh.scheduler.schedule(mh, input(c)));
        const gone = mh.destinations[0]!;
        mh.destinations.shift();
        mh.scheduler.destinationsChanged(mh, 'del', gone, 0);
        const after = clients.map((c) => mh.scheduler.schedule(mh, input(c)));
        const stayed = clients.filter((_, i) => before[i] !== gone && after[i] === before[i]).length;
        const others = before.filter((d) => d !== gone).length;
        expect(after.every((d) => d !== gone)).toBe(true);
        expect(stayed / others).toBeGreaterThan(0.8);
      }),
      runs(1706),
    );
  });
});

describe('locality family', () => {
  it('keeps sending a destination address to the server it chose while that one is not overloaded', () => {
    fc.assert(
      fc.property(fc.constantFrom('lblc', 'lblcr'), fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 40 }), (name, weights, destinations) => {
        const service = build(
          name,
          weights.map((weight) => ({ weight, active: 0, inactive: 0, overloaded: false })),
        );
        const chosen = new Map<number, RealServer>();
        // lblc's overload: more active connections than weight while some server is under half its weight.
        const overloaded = (d: RealServer): boolean => d.activeConns > d.weight && service.destinations.some((o) => o.activeConns * 2 < o.weight);
        for (const d of destinations) {
          const before = chosen.get(d);
          const stick = before !== undefined && !overloaded(before);
          const dest = service.scheduler.schedule(service, input(1, 0x0a000000 + d))!;
          if (stick) expect(dest).toBe(before);
          chosen.set(d, dest);
          dest.activeConns++; // each choice opens a connection that stays
        }
      }),
      runs(1707),
    );
  });
});
