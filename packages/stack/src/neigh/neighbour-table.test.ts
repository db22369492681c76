/**
 * The family-generic neighbour table: one state machine for arp_tbl (IPv4 numbers) and nd_tbl
 * (IPv6 bigints), __neigh_update's weak override and NTF_ROUTER (the NA's O and R flags), and
 * proxy entries (pneigh).
 */
import { describe, expect, it } from 'vitest';
import { NS_PER_MS, NS_PER_S, Prng, TimerHeap } from '../timers.js';
import { IPV6_NEIGHBOUR_FAMILY } from './ndisc.js';
import { DEFAULT_NEIGHBOUR_PARAMS, INET_FAMILY, NeighbourTable, type NeighbourFamily, type NeighbourParams } from './neighbour-table.js';

const MAC_A = new Uint8Array([2, 0, 0, 0, 0, 0xa]);
const MAC_B = new Uint8Array([2, 0, 0, 0, 0, 0xb]);

interface Bench<Address> {
  table: NeighbourTable<Address>;
  timers: TimerHeap;
  log: string[];
}

function bench<Address>(family: NeighbourFamily<Address>, params: NeighbourParams = DEFAULT_NEIGHBOUR_PARAMS): Bench<Address> {
  const timers = new TimerHeap();
  const log: string[] = [];
  const table = new NeighbourTable<Address>(
    timers,
    new Prng(7),
    {
      discard: (entry, _queued, reason) => log.push(`discard ${family.format(entry.address)} ${reason}`),
      reachability: () => {},
      params: () => params,
    },
    family,
  );
  table.attachOps({
    solicit: (entry, unicastTo, _trigger, now) => log.push(`${now / NS_PER_MS} ms solicit ${family.format(entry.address)} ${unicastTo === null ? 'multicast' : 'unicast'}`),
    transmit: (entry, queued, now) => log.push(`${now / NS_PER_MS} ms transmit ${queued.packet.length} to ${family.format(entry.address)}`),
    unreachable: (entry, _queued, now) => log.push(`${now / NS_PER_MS} ms unreachable ${family.format(entry.address)}`),
  });
  return { table, timers, log };
}

/** Each timer at its own time, up to `until`. */
function runUntil<Address>(b: Bench<Address>, until: number): void {
  for (let at = b.timers.nextDeadline(); at <= until; at = b.timers.nextDeadline()) b.timers.runDue(at);
}

/** One life of an entry: resolution, confirmation, ageing, use, re-probing and failure. */
function lifeOf<Address>(family: NeighbourFamily<Address>, address: Address, source: Address): string[] {
  const b = bench(family);
  const { table } = b;
  const states: string[] = [];
  const note = (at: string) => states.push(`${at}: ${table.lookup('eth0', address)?.state ?? 'none'}`);
  table.resolve('eth0', address, { packet: new Uint8Array(100), source }, 0);
  note('resolve');
  runUntil(b, 1500 * NS_PER_MS);
  table.update('eth0', address, MAC_A, 'REACHABLE', {}, 1500 * NS_PER_MS);
  note('confirmed');
  runUntil(b, 60 * NS_PER_S);
  note('60 s');
  table.resolve('eth0', address, { packet: new Uint8Array(60), source }, 60 * NS_PER_S);
  note('used');
  runUntil(b, 66 * NS_PER_S);
  note('66 s');
  runUntil(b, 70 * NS_PER_S);
  note('70 s');
  return [...states, ...b.log];
}

describe('one neighbour state machine for both families', () => {
  it('an IPv6 entry lives through the same states, probes and timers as an IPv4 one', () => {
    const v4 = lifeOf(INET_FAMILY, 0x0a000002, 0x0a000001);
    const v6 = lifeOf(IPV6_NEIGHBOUR_FAMILY, (0x20010db8n << 96n) | 2n, (0x20010db8n << 96n) | 1n);
    expect(v4).toEqual([
      'resolve: INCOMPLETE',
      'confirmed: REACHABLE',
      '60 s: STALE',
      'used: DELAY',
      '66 s: PROBE',
      '70 s: FAILED',
      '0 ms solicit 10.0.0.2 multicast',
      '1000 ms solicit 10.0.0.2 multicast',
      '1500 ms transmit 100 to 10.0.0.2',
      '65000 ms solicit 10.0.0.2 unicast',
      '66000 ms solicit 10.0.0.2 unicast',
      '67000 ms solicit 10.0.0.2 unicast',
    ]);
    expect(v6).toEqual(v4.map((line) => line.replace('10.0.0.2', '2001:db8::2')));
  });

  it('keys IPv4 addresses signed or not as one, and IPv6 addresses by value', () => {
    const v4 = bench(INET_FAMILY);
    v4.table.update('eth0', 0xc0a80001 | 0, MAC_A, 'PERMANENT', { admin: true }, 0, true);
    expect(v4.table.lookup('eth0', 0xc0a80001)?.address).toBe(0xc0a80001);
    const v6 = bench(IPV6_NEIGHBOUR_FAMILY);
    v6.table.update('eth0', (0xfe80n << 112n) | 1n, MAC_A, 'PERMANENT', { admin: true }, 0, true);
    expect(v6.table.lookup('eth0', BigInt('0xfe800000000000000000000000000001'))?.state).toBe('PERMANENT');
    expect(v6.table.lookup('eth1', (0xfe80n << 112n) | 1n)).toBeUndefined();
  });
});

describe('__neigh_update for NDP', () => {
  const address = (0xfe80n << 112n) | 2n;

  it('a different lladdr without override only makes a connected entry STALE, keeping the old address (weak override)', () => {
    const { table } = bench(IPV6_NEIGHBOUR_FAMILY);
    table.update('eth0', address, MAC_A, 'REACHABLE', { override: true }, 0, true);
    table.update('eth0', address, MAC_B, 'REACHABLE', { weakOverride: true, isRouter: true }, NS_PER_S);
    const entry = table.lookup('eth0', address)!;
    expect(entry.state).toBe('STALE');
    expect([...entry.mac!]).toEqual([...MAC_A]);
    // Valid but not connected (DELAY after a use): the weak override is refused outright.
    table.resolve('eth0', address, { packet: new Uint8Array(60), source: 1n }, 2 * NS_PER_S);
    expect(entry.state).toBe('DELAY');
    table.update('eth0', address, MAC_B, 'REACHABLE', { weakOverride: true }, 2 * NS_PER_S);
    expect(entry.state).toBe('DELAY');
    expect([...entry.mac!]).toEqual([...MAC_A]);
    // The refused change did not touch NTF_ROUTER either.
    expect(entry.isRouter).toBe(false);
    // With override (the NA's O flag) the new address is taken.
    table.update('eth0', address, MAC_B, 'REACHABLE', { override: true, weakOverride: true, isRouter: true }, 3 * NS_PER_S);
    expect(entry.state).toBe('REACHABLE');
    expect([...entry.mac!]).toEqual([...MAC_B]);
    expect(entry.isRouter).toBe(true);
  });

  it('NTF_ROUTER follows the R flag of each accepted update and is left alone by ARP-style updates', () => {
    const { table } = bench(IPV6_NEIGHBOUR_FAMILY);
    table.update('eth0', address, MAC_A, 'STALE', { override: true, isRouter: true }, 0, true);
    expect(table.lookup('eth0', address)?.isRouter).toBe(true);
    table.update('eth0', address, MAC_A, 'STALE', { override: true }, 1);
    expect(table.lookup('eth0', address)?.isRouter).toBe(true);
    table.update('eth0', address, MAC_A, 'REACHABLE', { override: true, isRouter: false }, 2);
    expect(table.lookup('eth0', address)?.isRouter).toBe(false);
  });
});

describe('proxy entries', () => {
  it('are kept apart from neighbours, found per device, removed, and follow a renamed device', () => {
    const { table } = bench(IPV6_NEIGHBOUR_FAMILY);
    const proxied = (0x20010db8n << 96n) | 0x99n;
    expect(table.addProxy('eth0', proxied, true)).toBe(true);
    expect(table.lookupProxy('eth0', proxied)?.isRouter).toBe(true);
    expect(table.lookupProxy('eth1', proxied)).toBeUndefined();
    expect(table.lookup('eth0', proxied)).toBeUndefined();
    expect(table.list()).toEqual([]);
    table.renameDevice('eth0', 'lan0');
    expect(table.lookupProxy('lan0', proxied)).toBeDefined();
    expect(table.removeProxy('lan0', proxied)).toBe(true);
    expect(table.removeProxy('lan0', proxied)).toBe(false);
  });

  it("go with their device's neighbours when it goes down (neigh_ifdown), not when it loses carrier", () => {
    const { table } = bench(IPV6_NEIGHBOUR_FAMILY);
    const proxied = (0x20010db8n << 96n) | 0x99n;
    table.addProxy('eth0', proxied);
    table.addProxy('eth1', proxied);
    table.flushDevice('eth0', 0, true);
    expect(table.listProxies().map((p) => p.dev)).toEqual(['eth0', 'eth1']);
    table.flushDevice('eth0', 0, false);
    expect(table.listProxies().map((p) => p.dev)).toEqual(['eth1']);
  });

  it('are bounded: past 1024 a new one is refused, a present one may still be replaced', () => {
    const { table } = bench(INET_FAMILY);
    for (let i = 0; i < 1024; i++) expect(table.addProxy('eth0', 0x0a000000 + i)).toBe(true);
    expect(table.addProxy('eth0', 0x0b000000)).toBe(false);
    expect(table.addProxy('eth0', 0x0a000005, true)).toBe(true);
    expect(table.listProxies()).toHaveLength(1024);
  });
});

describe('the table bound (neigh_alloc, neigh_forced_gc)', () => {
  const queued = { packet: new Uint8Array(60), source: 0x0a000001 };

  it('refuses a new entry at gc_thresh3 while every entry is resolving, but not a PERMANENT one', () => {
    const b = bench(INET_FAMILY);
    for (let i = 0; i < 1024; i++) expect(b.table.resolve('eth0', 0x0a010000 + i, queued, 0)).toEqual({ send: false, queued: true });
    expect(b.table.resolve('eth0', 0x0a020000, queued, 0)).toEqual({ send: false, queued: false, tableFull: true });
    expect(b.table.update('eth0', 0x0a020000, MAC_A, 'STALE', {}, 0, true)).toEqual({ ok: false, error: 'tableFull' });
    expect(b.table.adminSet('eth0', 0x0a020000, MAC_A, 'STALE', 'add', 0)).toEqual({ ok: false, error: 'tableFull' });
    expect(b.table.adminSet('eth0', 0x0a020001, MAC_A, 'PERMANENT', 'add', 0)).toEqual({ ok: true });
    expect(b.table.list()).toHaveLength(1025);
  });

  it('once the resolving entries have FAILED, a forced GC frees room down to gc_thresh2, oldest first', () => {
    const b = bench(INET_FAMILY);
    for (let i = 0; i < 1024; i++) b.table.resolve('eth0', 0x0a010000 + i, queued, 0);
    runUntil(b, 3500 * NS_PER_MS);
    expect(b.table.list().every((e) => e.state === 'FAILED')).toBe(true);
    expect(b.table.resolve('eth0', 0x0a020000, queued, 3500 * NS_PER_MS)).toEqual({ send: false, queued: true });
    const left = b.table.list();
    expect(left).toHaveLength(513);
    expect(left[0]!.address).toBe(0x0a010000 + 512);
  });
});
