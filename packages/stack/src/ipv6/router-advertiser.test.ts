/**
 * The radvd-like advertiser on a timer heap and a seeded Prng: when RAs go out (start, the drawn
 * intervals, the initial cap, answers to RSs and their limits) and what they hold.
 */
import { describe, expect, test } from 'vitest';
import type { NdpRepr } from '@netloom/wire';
import type { RaInterfaceConfig } from '@netloom/wire/ra-config';
import { Prng, TimerHeap } from '../timers.js';
import type { DeviceView } from '../routing-api.js';
import { MAX_INITIAL_RTR_ADVERT_INTERVAL, MAX_RA_DELAY_TIME, MIN_DELAY_BETWEEN_RAS, RouterAdvertiser, runRaCommand } from './router-advertiser.js';

const S = 1_000_000_000;
const LINK_LOCAL = 0xfe80n << 112n | 0x1n;

const CONFIG: RaInterfaceConfig = {
  ifname: 'eth0',
  minIntervalNs: 200 * S,
  maxIntervalNs: 600 * S,
  routerLifetime: 1800,
  routerPreference: 'high',
  mtu: 1400,
  hopLimit: 64,
  managed: false,
  otherConfig: true,
  reachableTimeMs: 0,
  retransTimerMs: 0,
  prefixes: [
    { prefix: '2001:db8:1::', prefixLength: 64, onLink: true, autonomous: true, validLifetime: 86400, preferredLifetime: 14400 },
    { prefix: '2001:db8:2::', prefixLength: 64, onLink: true, autonomous: false, validLifetime: 0xffffffff, preferredLifetime: 0xffffffff },
  ],
};

function advertiser(seed: number, config: RaInterfaceConfig = CONFIG): { ra: RouterAdvertiser; timers: TimerHeap; sent: { at: number; message: NdpRepr; source: bigint; destination: bigint; hopLimit: number }[]; linkLocal: { ready: boolean } } {
  const timers = new TimerHeap();
  const sent: { at: number; message: NdpRepr; source: bigint; destination: bigint; hopLimit: number }[] = [];
  const linkLocal = { ready: true };
  const device = { name: 'eth0', mac: new Uint8Array([2, 0, 0, 0, 0, 0xfe]), adminUp: true, mtu: 1500 } as DeviceView;
  const ra = new RouterAdvertiser(
    {
      timers,
      prng: new Prng(seed),
      device: (name) => (name === 'eth0' ? device : undefined),
      linkLocalAddress: () => (linkLocal.ready ? LINK_LOCAL : undefined),
      sendNdisc: (_dev, source, destination, hopLimit, message, now) => sent.push({ at: now, message, source, destination, hopLimit }),
    },
    [config],
  );
  return { ra, timers, sent, linkLocal };
}

function runUntil(timers: TimerHeap, end: number): void {
  for (;;) {
    const next = timers.nextDeadline();
    if (next > end) return;
    timers.runDue(next);
  }
}

describe('router advertiser (radvd)', () => {
  test('the RA holds the header, the prefixes, the MTU and the source link-layer address in radvd order, from the link-local address to ff02::1 with hop limit 255', () => {
    const { ra, timers, sent } = advertiser(1);
    ra.start(0);
    runUntil(timers, 0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.source).toBe(LINK_LOCAL);
    expect(sent[0]!.destination).toBe((0xff02n << 112n) | 1n);
    expect(sent[0]!.hopLimit).toBe(255);
    const message = sent[0]!.message;
    expect(message).toMatchObject({ kind: 'routerAdvertisement', currentHopLimit: 64, managed: false, otherConfiguration: true, preference: 'high', routerLifetime: 1800 });
    if (message.kind !== 'routerAdvertisement') throw new Error('not an RA');
    expect(message.options.map((o) => o.kind)).toEqual(['prefixInformation', 'prefixInformation', 'mtu', 'sourceLinkLayerAddress']);
    expect(message.options[1]).toMatchObject({ onLink: true, autonomous: false, validLifetime: 0xffffffff, preferredLifetime: 0xffffffff, prefixLength: 64 });
  });

  test('unsolicited RAs come at drawn intervals between min and max, the first three at most 16 s apart; the same seed gives the same times', () => {
    const { ra, timers, sent } = advertiser(7);
    ra.start(0);
    runUntil(timers, 6000 * S);
    const times = sent.map((s) => s.at);
    expect(times.length).toBeGreaterThan(10);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    for (const gap of gaps.slice(0, 3)) expect(gap).toBeLessThanOrEqual(MAX_INITIAL_RTR_ADVERT_INTERVAL);
    for (const gap of gaps.slice(3)) {
      expect(gap).toBeGreaterThanOrEqual(200 * S);
      expect(gap).toBeLessThanOrEqual(600 * S);
    }
    expect(new Set(gaps.slice(3)).size).toBeGreaterThan(1);
    const again = advertiser(7);
    again.ra.start(0);
    runUntil(again.timers, 6000 * S);
    expect(again.sent.map((s) => s.at)).toEqual(times);
  });

  test('an RS is answered within 500 ms, never sooner than 3 s after the last multicast RA', () => {
    const { ra, timers, sent } = advertiser(3);
    ra.start(0);
    runUntil(timers, 100 * S);
    const before = sent.length;
    const last = sent[sent.length - 1]!.at;
    ra.processRouterSolicitation('eth0', last + 1 * S);
    runUntil(timers, last + 1 * S + MIN_DELAY_BETWEEN_RAS + MAX_RA_DELAY_TIME);
    expect(sent.length).toBe(before + 1);
    expect(sent[before]!.at).toBe(last + MIN_DELAY_BETWEEN_RAS);
    const at = sent[before]!.at + 10 * S;
    ra.processRouterSolicitation('eth0', at);
    runUntil(timers, at + MAX_RA_DELAY_TIME);
    expect(sent.length).toBe(before + 2);
    expect(sent[before + 1]!.at).toBeGreaterThanOrEqual(at);
    expect(sent[before + 1]!.at).toBeLessThan(at + MAX_RA_DELAY_TIME);
    ra.processRouterSolicitation('eth9', at);
  });

  test('no RA without a usable link-local address; the timer goes on', () => {
    const { ra, timers, sent, linkLocal } = advertiser(5);
    linkLocal.ready = false;
    ra.start(0);
    runUntil(timers, 0);
    expect(sent).toHaveLength(0);
    linkLocal.ready = true;
    runUntil(timers, 16 * S);
    expect(sent).toHaveLength(1);
  });

  test('a withdrawn prefix is advertised with preferred lifetime 0, at once (ra withdraw)', () => {
    const { ra, timers, sent } = advertiser(1);
    ra.start(0);
    runUntil(timers, 100 * S);
    const before = sent.length;
    expect(runRaCommand(['ra', 'withdraw', 'eth0', '2001:db8:1::/64'], ra, 100 * S)).toEqual({ stdout: '', stderr: '', status: 0 });
    runUntil(timers, 100 * S);
    expect(sent.length).toBe(before + 1);
    expect(runRaCommand(['ra', 'withdraw', 'eth0', '2001:db8:9::/64'], ra, 100 * S)).toEqual({ stdout: '', stderr: 'ra: eth0 does not advertise 2001:db8:9::/64\n', status: 1 });
    expect(runRaCommand(['ra', 'withdraw', 'eth0', '2001:db8:1::/64'], undefined, 100 * S).status).toBe(1);
    expect(runRaCommand(['ra'], ra, 100 * S)).toEqual({ stdout: '', stderr: 'Usage: ra withdraw DEV PREFIX\n', status: 1 });
    expect(ra.withdraw('eth9', '2001:db8:1::', 0)).toBe(false);
    const message = ra.advertisement('eth0');
    if (message?.kind !== 'routerAdvertisement') throw new Error('not an RA');
    expect(message.options[0]).toMatchObject({ kind: 'prefixInformation', validLifetime: 86400, preferredLifetime: 0 });
    expect(message.options[1]).toMatchObject({ kind: 'prefixInformation', preferredLifetime: 0xffffffff });
  });
});
