/**
 * The node pane's ADDRESSES column on the real engine (placement inline): address-selection.yaml's
 * hosts have IPv4 and IPv6 addresses from their startup commands and an EUI-64 link-local one
 * from the stack; the pane lists both families and leaves the link-local ones out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { resolve } from 'node:path';
import { Emulator } from '@netloom/runtime';
import { formatNodeAddresses, NodePane } from './NodePane.js';
import { renderTui } from './testing/render-tui.js';

const topology = resolve(import.meta.dirname, '../../../../topologies/address-selection.yaml');

let emulator!: Emulator;

beforeAll(async () => {
  emulator = await Emulator.load(topology, { placement: 'inline' });
  await emulator.start();
}, 600_000);

afterAll(async () => {
  cleanup();
  await emulator?.close();
});

describe('NodePane addresses', () => {
  it('lists IPv6 addresses beside IPv4 ones when the pane is wider than its counters', () => {
    const tui = renderTui({ emulator, element: <NodePane width={120} height={14} /> });
    const frame = tui.lastFrame() ?? '';
    expect(frame).toContain('NODE    KIND   STATE    IN   OUT DROP ADDRESSES');
    expect(frame).toMatch(/h1 +host +up .* 10\.0\.0\.2\/24 2001::2\/64 fec0::2\/64 *║/);
    expect(frame).toMatch(/h4 +host +up .* 2003:470:1f00:ffff::\d\/64 2003:470:1f00:ffff::\d\/64 2003:470:1f00:ffff::\d\/64 *║/);
    expect(frame).toMatch(/h5 +host +up .* 3ffe::1\/64 *║/);
    expect(frame).not.toContain('fe80');
  });

  it('keeps to the counters in an 80-column terminal', () => {
    const tui = renderTui({ emulator, element: <NodePane width={40} height={8} /> });
    const frame = tui.lastFrame() ?? '';
    expect(frame).toContain('║NODE 1-5/10↓   STATE    IN   OUT DROP ║');
    expect(frame).toContain('║h1      host   up        0     0    0 ║');
    expect(frame).not.toContain('ADDRESSES');
  });

  it('shows the addresses of both families and neither lo nor link-local ones', () => {
    expect(
      formatNodeAddresses([
        { ifname: 'lo', family: 4, address: '127.0.0.1', prefixLength: 8 },
        { ifname: 'lo', family: 6, address: '::1', prefixLength: 128 },
        { ifname: 'eth0', family: 4, address: '10.0.0.2', prefixLength: 24 },
        { ifname: 'eth0', family: 6, address: '2001:db8::2', prefixLength: 64 },
        { ifname: 'eth0', family: 6, address: 'fe80::ff:fe00:101', prefixLength: 64 },
        { ifname: 'eth1', family: 6, address: 'FEBF::1', prefixLength: 64 },
        { ifname: 'eth1', family: 6, address: 'fec0::2', prefixLength: 64 },
      ]),
    ).toBe('10.0.0.2/24 2001:db8::2/64 fec0::2/64');
  });
});
