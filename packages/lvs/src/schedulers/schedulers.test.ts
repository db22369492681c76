/**
 * Each scheduler's choices on given inputs, against sequences worked out from the kernel's code
 * (ip_vs_rr.c … ip_vs_mh.c) — by hand from the loops for rr/wrr/lc/wlc/sed/nq/lblc/lblcr, and for
 * sh/dh/mh from a C transcription of the kernel's hash_32, hsiphash (lib/siphash.c, 64-bit) and
 * table fills, compiled with gcc (the numbers below are its output). Property tests per family follow
 * in schedulers-properties.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { inet4, type InetAddress } from '../inet-address.js';
import { RealServer, VirtualService, type Scheduler, type SchedulingInput } from '../virtual-service.js';
import { createScheduler } from './scheduler-registry.js';
import { hash32, hsiphash32, MH_KEY1, MaglevHashingScheduler } from './hashing.js';

const ip = (a: number, b: number, c: number, d: number): InetAddress => inet4(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);

/** A service with servers added in the given order (so the kernel's list is the reverse), each named by its last octet. */
function serviceWith(scheduler: string, weights: readonly number[], persistent = false): { service: VirtualService; byName: (d: RealServer | null) => string } {
  const service = new VirtualService({ kind: 'tcp', address: ip(10, 0, 0, 1), port: 80 }, { scheduler, persistentTimeout: persistent ? 360 : undefined }, (svc) => createScheduler(scheduler, svc)!);
  weights.forEach((weight, i) => {
    const dest = new RealServer(service, { address: ip(192, 168, 10, 2 + i), port: 80, forwarding: 'masq', weight, upperThreshold: 0, lowerThreshold: 0 });
    service.destinations.unshift(dest);
    service.scheduler.destinationsChanged(service, 'add', dest, 0);
  });
  const names = 'ABCDEFGH';
  const byName = (d: RealServer | null): string => (d === null ? '-' : names[(d.address.family === 4 ? d.address.v4 & 0xff : 0) - 2]!);
  return { service, byName };
}

const input = (source: InetAddress, now = 0, destination = ip(10, 0, 0, 1)): SchedulingInput => ({ source, sourcePort: 40000, destination, destinationPort: 80, now });

function picks(service: VirtualService, scheduler: Scheduler, n: number, byName: (d: RealServer | null) => string): string {
  let out = '';
  for (let i = 0; i < n; i++) out += byName(scheduler.schedule(service, input(ip(203, 0, 113, 7))));
  return out;
}

describe('rr', () => {
  it('walks the list newest first, skipping weight 0 and overloaded servers', () => {
    const { service, byName } = serviceWith('rr', [1, 1, 1]); // list C B A
    expect(picks(service, service.scheduler, 7, byName)).toBe('CBACBAC');
    service.destinations[1]!.weight = 0; // B quiesced
    expect(picks(service, service.scheduler, 4, byName)).toBe('ACAC');
    service.destinations[0]!.flags |= 2; // C overloaded
    expect(picks(service, service.scheduler, 3, byName)).toBe('AAA');
    service.destinations[2]!.weight = 0;
    expect(picks(service, service.scheduler, 1, byName)).toBe('-');
  });

  it('moves the cursor to the predecessor of a deleted current server', () => {
    const { service, byName } = serviceWith('rr', [1, 1, 1, 1]); // list D C B A
    expect(picks(service, service.scheduler, 2, byName)).toBe('DC'); // cursor on C
    const index = service.destinations.findIndex((d) => byName(d) === 'C');
    const [removed] = service.destinations.splice(index, 1);
    service.scheduler.destinationsChanged(service, 'del', removed!, index);
    expect(picks(service, service.scheduler, 4, byName)).toBe('BADB');
  });
});

describe('wrr', () => {
  it('makes one pass over every server after the adds, then the interleaved pattern (weights 4, 3, 2)', () => {
    // -a A(4), B(3), C(2) in that order: the list is C B A; the reference's example lists A B C,
    // so add them as C, B, A here to get list order A B C.
    const { service, byName } = serviceWith('wrr', [2, 3, 4]); // added A'=2 B'=3 C'=4 → list C(4) B(3) A(2)
    const rename = (s: string): string => s.replace(/[ABC]/g, (c) => ({ C: 'a', B: 'b', A: 'c' })[c]!);
    expect(rename(picks(service, service.scheduler, 3 + 9 + 9, byName))).toBe('abc' + 'aababcabc' + 'aababcabc');
  });

  it('steps by the gcd of the weights and never picks weight 0', () => {
    const { service, byName } = serviceWith('wrr', [0, 2, 4]); // list C(4) B(2) A(0); gcd 2, mw 3
    const seq = picks(service, service.scheduler, 2 + 9, byName);
    // after the adds cw = 1 → first pass C B; then cw = mw = 3: C; cw = 1: C B; restart …
    expect(seq).toBe('CB' + 'CCB' + 'CCB' + 'CCB');
    expect(seq).not.toContain('A');
  });

  it('answers no server when every server is overloaded', () => {
    const { service } = serviceWith('wrr', [1, 2]);
    for (const d of service.destinations) d.flags |= 2;
    expect(service.scheduler.schedule(service, input(ip(1, 2, 3, 4)))).toBeNull();
  });
});

describe('least-connection family', () => {
  const set = (service: VirtualService, counts: readonly [number, number][]): void =>
    service.destinations.forEach((d, i) => {
      d.activeConns = counts[i]![0];
      d.inactConns = counts[i]![1];
    });

  it('lc takes the smallest active×256+inactive, the first in list order on a tie', () => {
    const { service, byName } = serviceWith('lc', [1, 5, 1]); // list C B A
    set(service, [[1, 0], [0, 300], [1, 0]]); // C 256, B 300, A 256
    expect(byName(service.scheduler.schedule(service, input(ip(1, 1, 1, 1))))).toBe('C');
    set(service, [[1, 1], [0, 300], [1, 0]]);
    expect(byName(service.scheduler.schedule(service, input(ip(1, 1, 1, 1))))).toBe('A');
  });

  it('wlc weighs the overhead by the weight', () => {
    const { service, byName } = serviceWith('wlc', [1, 3, 2]); // list C(2) B(3) A(1)
    set(service, [[2, 0], [3, 0], [1, 0]]); // 512/2=256, 768/3=256, 256/1=256: tie → C
    expect(byName(service.scheduler.schedule(service, input(ip(1, 1, 1, 1))))).toBe('C');
    set(service, [[2, 1], [3, 0], [1, 0]]); // C 513/2 > 256 → B (first of the ties after)
    expect(byName(service.scheduler.schedule(service, input(ip(1, 1, 1, 1))))).toBe('B');
    set(service, [[0, 0], [0, 0], [0, 0]]);
    service.destinations[0]!.weight = 0;
    expect(byName(service.scheduler.schedule(service, input(ip(1, 1, 1, 1))))).toBe('B');
  });

  it('sed counts active+1 and ignores inactive; nq takes the first idle server at once', () => {
    const sed = serviceWith('sed', [1, 3]); // list B(3) A(1)
    set(sed.service, [[3, 0], [0, 900]]); // B (3+1)/3 > A (0+1)/1? 4/3 > 1 → A
    expect(sed.byName(sed.service.scheduler.schedule(sed.service, input(ip(1, 1, 1, 1))))).toBe('A');
    set(sed.service, [[1, 0], [0, 0]]); // B 2/3 < 1 → B
    expect(sed.byName(sed.service.scheduler.schedule(sed.service, input(ip(1, 1, 1, 1))))).toBe('B');
    const nq = serviceWith('nq', [1, 10, 1]); // list C(1) B(10) A(1)
    set(nq.service, [[1, 0], [1, 0], [0, 50]]); // A idle → A even though B would win SED
    expect(nq.byName(nq.service.scheduler.schedule(nq.service, input(ip(1, 1, 1, 1))))).toBe('A');
    set(nq.service, [[1, 0], [1, 0], [1, 0]]); // none idle: SED, C 2/1, B 2/10 → B
    expect(nq.byName(nq.service.scheduler.schedule(nq.service, input(ip(1, 1, 1, 1))))).toBe('B');
  });
});

describe('sh and dh', () => {
  it('hash_32 matches the kernel (gcc on the transcribed source)', () => {
    expect([0xc0a80001, 0xc0a80002, 0xc0a80003, 0xc0a80004, 0xc0a80005, 0xc0a80006, 0x0a000001, 0x0a000002].map((a) => hash32(a, 8))).toEqual([
      192, 34, 131, 229, 71, 169, 39, 137,
    ]);
  });

  it('sh fills weight consecutive buckets per server in list order and maps a client by its address', () => {
    const { service, byName } = serviceWith('sh', [1, 2]); // list B(2) A(1): buckets B B A B B A …
    // bucket b → 'BBA'[b % 3]; clients 192.168.0.1..6 hash to 192 34 131 229 71 169.
    const expected = [192, 34, 131, 229, 71, 169].map((b) => 'BBA'[b % 3]).join('');
    const got = [1, 2, 3, 4, 5, 6].map((d) => byName(service.scheduler.schedule(service, input(ip(192, 168, 0, d))))).join('');
    expect(got).toBe(expected);
    expect(got).toBe('BBABAB');
  });

  it('sh gives no server when the bucket holds a quiesced one, unless sh-fallback', () => {
    const { service, byName } = serviceWith('sh', [1, 1]); // list B A: even buckets B, odd A
    service.destinations[0]!.weight = 0; // B quiesced (the table is not rebuilt: it keeps B's buckets)
    expect(byName(service.scheduler.schedule(service, input(ip(192, 168, 0, 1))))).toBe('-'); // bucket 192 → B
    service.flags |= 0x8; // sh-fallback
    expect(byName(service.scheduler.schedule(service, input(ip(192, 168, 0, 1))))).toBe('A');
  });

  it('dh hashes the destination address, one bucket per server round robin', () => {
    const { service, byName } = serviceWith('dh', [1, 1, 1]); // list C B A
    const got = [1, 2, 3, 4, 5, 6].map((d) => byName(service.scheduler.schedule(service, input(ip(1, 1, 1, 1), 0, ip(192, 168, 0, d))))).join('');
    expect(got).toBe([192, 34, 131, 229, 71, 169].map((b) => 'CBA'[b % 3]).join(''));
  });
});

describe('lblc and lblcr', () => {
  const DAY = 24 * 3600 * 1e9;
  const site = ip(198, 51, 100, 10);

  it("lblc keeps a destination on its server until that one has more active connections than its weight while another is under half", () => {
    const { service, byName } = serviceWith('lblc', [4, 4]); // list B A
    const pick = (now = 0) => byName(service.scheduler.schedule(service, input(ip(1, 1, 1, 1), now, site)));
    expect(pick()).toBe('B');
    const [b, a] = service.destinations;
    b!.activeConns = 5; // 5 > 4, and A has 0 × 2 < 4: overloaded in lblc's sense → wlc picks A, the entry moves
    expect(pick()).toBe('A');
    b!.activeConns = 0;
    expect(pick()).toBe('A');
    a!.activeConns = 5;
    b!.activeConns = 1; // 1 × 2 < 4: A is overloaded → wlc: B (256/4 against 1280/4)
    expect(pick()).toBe('B');
  });

  it('lblcr grows the set when its best member is overloaded and drops the most loaded member after a day without change', () => {
    const { service, byName } = serviceWith('lblcr', [4, 4, 4]); // list C B A
    const lblcr = service.scheduler as unknown as { members(address: InetAddress, now: number): readonly RealServer[] };
    const pick = (now: number) => byName(service.scheduler.schedule(service, input(ip(1, 1, 1, 1), now, site)));
    const members = (now: number) => lblcr.members(site, now).map(byName).join('');
    expect(pick(0)).toBe('C');
    const [c, b] = service.destinations;
    c!.activeConns = 5; // overloaded: wlc over all → B (least, first in list), which joins the set at its head
    expect(pick(1)).toBe('B');
    expect(members(1)).toBe('BC');
    b!.activeConns = 1; // set_min: B (256/4) against C (1280/4) → B
    expect(pick(2)).toBe('B');
    // More than a day after the set last changed, the most loaded member (C) leaves.
    expect(pick(1 + DAY + 1)).toBe('B');
    expect(members(1 + DAY + 1)).toBe('B');
  });
});

describe('mh', () => {
  it('hsiphash matches the kernel for key 2654435761', () => {
    expect(hsiphash32(0x0a000001, MH_KEY1)).toBe(50859236);
  });

  // The C oracle was given the servers in the kernel's list order (newest first) and printed, per
  // client 203.0.113.1..8, the index in that list, then how many slots each server holds.
  const clients = [1, 2, 3, 4, 5, 6, 7, 8].map((d) => ip(203, 0, 113, d));
  const table = (scheduler: MaglevHashingScheduler, service: VirtualService): { choices: string; slots: string } => ({
    choices: clients.map((c) => service.destinations.indexOf(scheduler.schedule(service, input(c))!)).join(' '),
    slots: service.destinations.map((d) => scheduler.lookup.filter((x) => x === d).length).join(' '),
  });

  it("builds the kernel's Maglev table of 251 entries (CONFIG_IP_VS_MH_TAB_INDEX 8)", () => {
    const { service } = serviceWith('mh', [1, 1, 1]);
    const mh = new MaglevHashingScheduler(8);
    mh.destinationsChanged(service);
    expect(table(mh, service)).toEqual({ choices: '2 1 0 0 0 1 1 1', slots: '84 84 83' });
  });

  it('builds the default table of 4093 entries with turns from the weights, and shifts large weights', () => {
    const { service } = serviceWith('mh', [1, 2, 4]);
    expect(table(service.scheduler as MaglevHashingScheduler, service)).toEqual({ choices: '0 0 0 1 0 1 2 0', slots: '2340 1169 584' });
    const big = serviceWith('mh', [3, 100, 200]); // mw/gcd = 200: fls 8 − 6 bits → rshift 2
    expect(table(big.service.scheduler as MaglevHashingScheduler, big.service).slots).toBe('2700 1340 53');
  });

  it("keeps a quiesced server's slots (last_weight) and gives no server for them, unless mh-fallback", () => {
    const { service } = serviceWith('mh', [1, 1, 1]);
    const mh = service.scheduler as MaglevHashingScheduler;
    const before = table(mh, service).slots;
    const first = service.destinations[0]!;
    first.weight = 0; // ipvsadm -e … -w 0 keeps last_weight
    mh.destinationsChanged(service);
    expect(table(mh, service).slots).toBe(before);
    const client = clients.find((c) => mh.lookup[hsiphash32(c.family === 4 ? c.v4 : 0, MH_KEY1) % mh.tableSize] === first)!;
    expect(mh.schedule(service, input(client))).toBeNull();
    service.flags |= 0x8;
    expect(mh.schedule(service, input(client))).not.toBeNull();
  });
});
