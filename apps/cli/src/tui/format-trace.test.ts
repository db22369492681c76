import { describe, expect, it } from 'vitest';
import { formatTraceLine, formatVirtualTime } from './format-trace.js';

describe('formatTraceLine', () => {
  it('prints time in seconds.microseconds, link, direction, node and summary', () => {
    expect(
      formatTraceLine({ t: 1_234_567_891, kind: 'tx', node: 'h1', ifname: 'eth0', link: 'h1:eth0--r1:eth0', summary: 'IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64' }),
    ).toBe('1.234567 h1:eth0--r1:eth0 h1 tx IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64');
  });

  it('prints a drop with its reason', () => {
    expect(formatTraceLine({ t: 10_000_000, kind: 'drop', node: 'r1', ifname: 'eth1', link: 'r1:eth1--r2:eth0', reason: 'linkDown', summary: 'IP 10.0.1.1 > 10.0.9.2: ICMP echo request' })).toBe(
      '0.010000 r1:eth1--r2:eth0 r1 drop(linkDown) IP 10.0.1.1 > 10.0.9.2: ICMP echo request',
    );
  });

  it('names node:interface when the event has no link, and shows forward/deliver details', () => {
    expect(formatTraceLine({ t: 0, kind: 'deliver', node: 'h2', ifname: 'eth0', link: null, detail: 'icmp', summary: 'x' })).toBe('0.000000 h2:eth0 h2 deliver(icmp) x');
    expect(formatTraceLine({ t: 0, kind: 'forward', node: 'r1', ifname: 'eth0', link: 'h1:eth0--r1:eth0', detail: 'eth1', summary: 'x' })).toBe('0.000000 h1:eth0--r1:eth0 r1 forward(eth1) x');
  });

  it('formats long virtual times without losing microseconds', () => {
    expect(formatVirtualTime(600_000_001_000)).toBe('600.000001');
  });
});
