import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { formatBandwidth, formatDuration, parseBandwidth, parseDuration, parseLoss } from './units.js';

describe('parseDuration', () => {
  test.each([
    ['0', 0],
    ['0s', 0],
    ['250ns', 250],
    ['300us', 300_000],
    ['300µs', 300_000],
    ['1.5ms', 1_500_000],
    ['1.1ms', 1_100_000], // exact, not 1100000.0000000002
    ['2s', 2_000_000_000],
    ['0.000000001s', 1],
    ['1m', 60_000_000_000],
    ['1.5m', 90_000_000_000],
  ])('%s is %d ns', (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  test.each(['', '5', '-1s', '1.5', '5sec', '1 ms', 'ms', '.5ms', '1.ms', '0.5ns', '1e3ms', '1h', '99999999999999999m'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});

describe('formatDuration', () => {
  test.each([
    [0, '0s'],
    [1_500_000_000, '1.5s'],
    [300_000_000, '300ms'],
    [1_000_001, '1.000001ms'],
    [2_500, '2.5us'],
    [999, '999ns'],
    [90_000_000_000, '90s'],
    [-1_500_000, '-1.5ms'],
  ])('%d ns reads %s', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });

  test('parseDuration reads back every formatted duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (ns) => {
        expect(parseDuration(formatDuration(ns))).toBe(ns);
      }),
      { numRuns: scaled(2000) },
    );
  });

  test('a duration written with any unit survives formatting and parsing again', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.constantFrom('ns', 'us', 'ms', 's', 'm'), (n, unit) => {
        const ns = parseDuration(`${n}${unit}`);
        expect(ns).not.toBeNull();
        expect(parseDuration(formatDuration(ns ?? 0))).toBe(ns);
      }),
    );
  });
});

describe('parseBandwidth', () => {
  test.each([
    ['100Mbit', 100_000_000],
    ['100mbit', 100_000_000],
    ['1Gbit', 1_000_000_000],
    ['64kbit', 64_000],
    ['1.5Mbit', 1_500_000],
    ['9600', 9600],
    ['9600bps', 9600],
    ['9600bit', 9600],
    ['10 Mbit', 10_000_000],
  ])('%s is %d bit/s', (text, bps) => {
    expect(parseBandwidth(text)).toBe(bps);
  });

  test.each(['', 'fast', '100Mbps', '100MB', '-1Mbit', '0.5bit', '1e6'])('%j is not a bandwidth', (text) => {
    expect(parseBandwidth(text)).toBeNull();
  });

  test('formatBandwidth uses the largest unit and parseBandwidth reads it back', () => {
    expect([formatBandwidth(100e6), formatBandwidth(64_000), formatBandwidth(1500), formatBandwidth(999)]).toEqual([
      '100Mbit',
      '64kbit',
      '1.5kbit',
      '999bit',
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e15 }), (bps) => {
        expect(parseBandwidth(formatBandwidth(bps))).toBe(bps);
      }),
    );
  });
});

describe('parseLoss', () => {
  test.each([
    ['1%', 0.01],
    ['0%', 0],
    ['100%', 1],
    ['12.5%', 0.125],
    [0.01, 0.01],
    [1, 1],
    ['0.25', 0.25],
  ] as const)('%j is the fraction %d', (value, fraction) => {
    expect(parseLoss(value)).toBe(fraction);
  });

  test.each(['150%', 1.5, -0.1, '5', 'lots', '%'] as const)('%j is not a loss', (value) => {
    expect(parseLoss(value)).toBeNull();
  });
});
