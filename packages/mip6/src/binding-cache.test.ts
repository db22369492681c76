import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BindingAckStatus, parseIpv6Number } from '@netloom/wire';
import { BindingCache, isSequenceNewer, type BindingUpdateRequest } from './binding-cache.js';

const address = (text: string): bigint => parseIpv6Number(text) as bigint;
const SECOND = 1_000_000_000;
const hoa = address('2001:db8:1::100');
const coaA = address('2001:db8:a::100');
const coaB = address('2001:db8:b::100');
const coaC = address('2001:db8:c::100');
const bytes = (value: bigint): Uint8Array => {
  const out = new Uint8Array(16);
  for (let i = 15, v = value; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};

function cache(options: Partial<{ multipleCareOf: boolean; bulkRegistration: boolean; maxEntries: number }> = {}): BindingCache {
  return new BindingCache({
    maxLifetime: 262140,
    multipleCareOf: options.multipleCareOf ?? true,
    bulkRegistration: options.bulkRegistration ?? true,
    isHomeSubnet: (a) => a >> 64n === hoa >> 64n,
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
  });
}

let sequence = 0;
function bu(overrides: Partial<BindingUpdateRequest> & { bids?: [number, bigint?, number?][] } = {}): BindingUpdateRequest {
  const { bids, ...rest } = overrides;
  return {
    homeAddress: hoa,
    source: coaA,
    sequence: ++sequence,
    homeRegistration: true,
    overwrite: false,
    lifetime: 15,
    bindingIds: (bids ?? []).map(([bindingId, careOf, priority]) => ({ bindingId, priority: priority ?? 0, simultaneousHomeAndForeign: false, ...(careOf !== undefined ? { careOfAddress: bytes(careOf) } : {}) })),
    ...rest,
  };
}

const view = (c: BindingCache): [number, bigint][] => c.entries().map((b) => [b.bindingId, b.careOfAddress]);

describe('the binding cache (RFC 6275 §9.5.1, RFC 5648 §6.2)', () => {
  it('registers one binding per BID, refreshes a BID with a new CoA, and keys them by (home address, BID)', () => {
    const c = cache();
    expect(c.process(bu({ bids: [[1]] }), 0).status).toBe(BindingAckStatus.accepted);
    expect(c.process(bu({ source: coaB, bids: [[2]] }), 0).status).toBe(BindingAckStatus.accepted);
    expect(view(c)).toEqual([
      [1, coaA],
      [2, coaB],
    ]);
    const refresh = c.process(bu({ source: coaC, bids: [[1]] }), 5 * SECOND);
    expect([refresh.status, refresh.lifetime]).toEqual([0, 15]);
    expect(view(c)).toEqual([
      [1, coaC],
      [2, coaB],
    ]);
    expect(c.bindingsOf(hoa).find((b) => b.bindingId === 1)?.expires).toBe(5 * SECOND + 60 * SECOND);
  });

  it('deregisters one BID and leaves the others; an unknown BID is 133', () => {
    const c = cache();
    c.process(bu({ bids: [[1]] }), 0);
    c.process(bu({ source: coaB, bids: [[2]] }), 0);
    const dereg = c.process(bu({ lifetime: 0, bids: [[1]] }), 0);
    expect([dereg.status, dereg.bindingIdStatuses]).toEqual([0, [{ bindingId: 1, status: 0 }]]);
    expect(view(c)).toEqual([[2, coaB]]);
    expect(c.process(bu({ lifetime: 0, bids: [[7]] }), 0).status).toBe(BindingAckStatus.notHomeAgentForThisMobileNode);
    // Two BIDs, one unknown: MCOA NOTCOMPLETE with each BID's status.
    const partial = c.process(bu({ lifetime: 0, bids: [[2], [9]] }), 0);
    expect([partial.status, partial.bindingIdStatuses]).toEqual([
      BindingAckStatus.mcoaNotComplete,
      [
        { bindingId: 2, status: 0 },
        { bindingId: 9, status: 133 },
      ],
    ]);
  });

  it('bulk-registers several BIDs with their CoAs, and replaces all with the O flag', () => {
    const c = cache();
    const bulk = c.process(bu({ bids: [[1, coaA, 1], [2, coaB, 2]] }), 0);
    expect([bulk.status, bulk.bindingIdStatuses.map((s) => s.status)]).toEqual([0, [0, 0]]);
    expect(view(c)).toEqual([
      [1, coaA],
      [2, coaB],
    ]);
    c.process(bu({ overwrite: true, bids: [[3, coaC]] }), 0);
    expect(view(c)).toEqual([[3, coaC]]);
  });

  it('answers the MCoA error codes: 164 malformed, 165 a binding without BID exists, 166 MCoA off, 167 an IPv4 CoA, 168 bulk off, 169 the H flag', () => {
    expect(cache().process(bu({ bids: [[0]] }), 0).status).toBe(164);
    expect(cache().process(bu({ bids: [[1], [1]] }), 0).status).toBe(164);
    const plain = cache();
    plain.process(bu(), 0);
    expect(plain.process(bu({ bids: [[1]] }), 0).status).toBe(165);
    expect(cache({ multipleCareOf: false }).process(bu({ bids: [[1]] }), 0).status).toBe(166);
    const ipv4 = bu({ bids: [[1]] });
    const v4 = { ...ipv4, bindingIds: [{ bindingId: 1, priority: 0, simultaneousHomeAndForeign: false, careOfAddress: new Uint8Array([192, 0, 2, 1]) }] };
    expect(cache().process(v4, 0).bindingIdStatuses).toEqual([{ bindingId: 1, status: 167 }]);
    expect(cache({ bulkRegistration: false }).process(bu({ bids: [[1], [2]] }), 0).status).toBe(168);
    const h = bu({ bids: [[1]] });
    expect(cache().process({ ...h, bindingIds: [{ bindingId: 1, priority: 0, simultaneousHomeAndForeign: true }] }, 0).status).toBe(169);
  });

  it('refuses a sequence number not newer than the last accepted (135, carrying the last), off-home-subnet (132), non-home registration (131)', () => {
    const c = cache();
    const first = bu({ bids: [[1]] });
    c.process(first, 0);
    const stale = c.process({ ...bu({ bids: [[1]] }), sequence: first.sequence }, 0);
    expect([stale.status, stale.sequence]).toEqual([135, first.sequence]);
    expect(c.process(bu({ homeAddress: address('2001:db8:9::1') }), 0).status).toBe(132);
    expect(c.process(bu({ homeRegistration: false }), 0).status).toBe(131);
    expect([isSequenceNewer(1, 0xffff), isSequenceNewer(0x8001, 1), isSequenceNewer(5, 5)]).toEqual([true, false, false]);
  });

  it('replaces BID bindings with one RFC 6275 binding for a BU without BID options, and deletes all with lifetime 0', () => {
    const c = cache();
    c.process(bu({ bids: [[1, coaA], [2, coaB]] }), 0);
    c.process(bu({ source: coaC }), 0);
    expect(view(c)).toEqual([[0, coaC]]);
    expect(c.process(bu({ lifetime: 0 }), 0).status).toBe(0);
    expect(view(c)).toEqual([]);
    expect(c.process(bu({ lifetime: 0 }), 0).status).toBe(133);
  });

  it('tunnels to the best BID-PRI, then the most recently registered; expired bindings go', () => {
    const c = cache();
    c.process(bu({ bids: [[1, coaA, 2]] }), 0);
    c.process(bu({ bids: [[2, coaB, 1]] }), 1 * SECOND);
    c.process(bu({ bids: [[3, coaC, 0]] }), 2 * SECOND);
    expect(c.selectCareOf(hoa, 3 * SECOND)?.careOfAddress).toBe(coaB);
    c.process(bu({ lifetime: 0, bids: [[2]] }), 3 * SECOND);
    expect(c.selectCareOf(hoa, 3 * SECOND)?.careOfAddress).toBe(coaA);
    c.process(bu({ bids: [[4, coaB, 2]] }), 4 * SECOND);
    expect(c.selectCareOf(hoa, 4 * SECOND)?.careOfAddress).toBe(coaB);
    // 60 s bindings: BID 1 (from 0 s) and BID 3 (from 2 s) are gone at 62 s, BID 4 (from 4 s) is not.
    expect(c.expire(62 * SECOND).map((b) => b.bindingId)).toEqual([1, 3]);
    expect(view(c)).toEqual([[4, coaB]]);
  });

  it('is bounded: a new binding beyond the bound is refused with 130', () => {
    const c = cache({ maxEntries: 2 });
    expect(c.process(bu({ bids: [[1], [2], [3]] }), 0).bindingIdStatuses.map((s) => s.status)).toEqual([0, 0, 130]);
    expect(c.size).toBe(2);
  });

  it('holds its invariants over random sequences of binding updates: one binding per (home address, BID), the bound, a live binding tunnelled to, known statuses', () => {
    const homes = [hoa, address('2001:db8:1::200')];
    const careOfs = [coaA, coaB, coaC];
    const request = fc.record({
      home: fc.integer({ min: 0, max: 1 }),
      source: fc.integer({ min: 0, max: 2 }),
      sequenceStep: fc.integer({ min: -3, max: 5 }),
      lifetime: fc.constantFrom(0, 1, 15),
      overwrite: fc.boolean(),
      bids: fc.array(fc.record({ id: fc.integer({ min: 0, max: 4 }), coa: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), priority: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }),
      advance: fc.integer({ min: 0, max: 20 }),
    });
    const known = new Set<number>(Object.values(BindingAckStatus));
    fc.assert(
      fc.property(fc.array(request, { maxLength: 40 }), (requests) => {
        const c = cache({ maxEntries: 5 });
        let now = 0;
        const sequences = [0, 0];
        for (const r of requests) {
          now += r.advance * SECOND;
          sequences[r.home] = (sequences[r.home]! + r.sequenceStep) & 0xffff;
          const decision = c.process(
            {
              homeAddress: homes[r.home]!,
              source: careOfs[r.source]!,
              sequence: sequences[r.home]!,
              homeRegistration: true,
              overwrite: r.overwrite,
              lifetime: r.lifetime,
              bindingIds: r.bids.map((b) => ({ bindingId: b.id, priority: b.priority, simultaneousHomeAndForeign: false, ...(b.coa !== undefined ? { careOfAddress: bytes(careOfs[b.coa]!) } : {}) })),
            },
            now,
          );
          expect(known.has(decision.status)).toBe(true);
          expect(decision.bindingIdStatuses.map((s) => s.bindingId)).toEqual(r.bids.map((b) => b.id));
          const entries = c.entries();
          expect(entries.length).toBeLessThanOrEqual(5);
          expect(new Set(entries.map((b) => `${b.homeAddress}/${b.bindingId}`)).size).toBe(entries.length);
          for (const home of homes) {
            const live = c.bindingsOf(home).filter((b) => b.expires > now);
            // A home address has either one binding without BID or only BID bindings.
            if (live.some((b) => b.bindingId === 0)) expect(live.length).toBe(1);
            const selected = c.selectCareOf(home, now);
            expect(selected === undefined ? live.length === 0 : live.includes(selected)).toBe(true);
          }
        }
      }),
      { seed: 5648, numRuns: 300 },
    );
  });
});
