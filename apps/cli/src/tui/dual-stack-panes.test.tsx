/**
 * IPv6 in the UI on the real engine (placement inline), on address-selection.yaml: its hosts have
 * IPv4 and IPv6 addresses from their startup commands and an EUI-64 link-local one from the stack;
 * the node pane's ADDRESSES column lists both families and leaves the link-local ones out, and the
 * packet log describes IPv6 frames as tcpdump does (`IP6 … ICMP6, neighbor solicitation, …`).
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { formatNodeAddresses, NodePane } from './NodePane.js';
import { startedEmulator } from './testing/started-emulator.js';
import { renderTui } from './testing/render-tui.js';

const topology = resolve(import.meta.dirname, '../../../../topologies/address-selection.yaml');

const emulator = startedEmulator(topology);

describe('NodePane addresses', () => {
  it('lists IPv6 addresses beside IPv4 ones when the pane is wider than its counters', () => {
    const tui = renderTui({ emulator: emulator.current, element: <NodePane width={120} height={14} /> });
    const frame = tui.lastFrame() ?? '';
    expect(frame).toContain('NODE    KIND   STATE    IN   OUT DROP ADDRESSES');
    expect(frame).toMatch(/h1 +host +up .* 10\.0\.0\.2\/24 2001::2\/64 fec0::2\/64 *║/);
    expect(frame).toMatch(/h4 +host +up .* 2003:470:1f00:ffff::\d\/64 2003:470:1f00:ffff::\d\/64 2003:470:1f00:ffff::\d\/64 *║/);
    expect(frame).toMatch(/h5 +host +up .* 3ffe::1\/64 *║/);
    expect(frame).not.toContain('fe80');
  });

  it('keeps to the counters in an 80-column terminal', () => {
    const tui = renderTui({ emulator: emulator.current, element: <NodePane width={40} height={8} /> });
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

describe('PacketLog on IPv6', () => {
  it('shows neighbour solicitations and the echo request they hold back as tcpdump describes them', async () => {
    const tui = renderTui({ emulator: emulator.current });
    // h5's ping -6 to 2001::1 (nobody holds it): 3 solicitations, then the request is dropped.
    await emulator.current.exec('h5', 'ping -6 -c 1 -W 5 2001::1');
    const frame = await tui.frameWith('drop(neighbourFailed)');
    // The log keeps the newest lines that fit, cut at the border.
    expect(frame).toMatch(/h5:eth0--p5:eth0 h5 tx IP6 3ffe::1 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who h/);
    expect(frame).toMatch(/h5:eth0--p5:eth0 h5 drop\(neighbourFailed\) IP6 3ffe::1 > 2001::1: ICMP6, echo request, id/);
  }, 120_000);
});
