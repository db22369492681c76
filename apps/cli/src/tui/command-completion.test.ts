import { describe, expect, it } from 'vitest';
import { completeCommandLine } from './command-completion.js';

const context = { nodes: ['h1', 'h2', 'r1', 'r2'], interfaces: ['lo', 'eth0', 'eth1'] };

describe('completeCommandLine', () => {
  it('completes a unique command and adds a space', () => {
    expect(completeCommandLine('trac', context)).toEqual({ line: 'traceroute ', candidates: ['traceroute'] });
  });

  it('completes the TCP programs', () => {
    expect(completeCommandLine('htt', context)).toEqual({ line: 'http', candidates: ['http-load', 'httpd'] });
    expect(completeCommandLine('cu', context).line).toBe('curl ');
    expect(completeCommandLine('tc', context).line).toBe('tcpperf ');
  });

  it('lists every command on an empty line', () => {
    expect(completeCommandLine('', context).candidates).toContain('ip');
    expect(completeCommandLine('', context).line).toBe('');
  });

  it("completes ip's objects, then their verbs", () => {
    expect(completeCommandLine('ip ro', context).line).toBe('ip route ');
    expect(completeCommandLine('ip r', context)).toEqual({ line: 'ip r', candidates: ['route', 'rule'] });
    expect(completeCommandLine('ip route g', context).line).toBe('ip route get ');
  });

  it('completes interfaces after dev and to the common prefix', () => {
    expect(completeCommandLine('ip route get 10.0.9.2 oif e', context)).toEqual({ line: 'ip route get 10.0.9.2 oif eth', candidates: ['eth0', 'eth1'] });
    expect(completeCommandLine('ip addr show dev l', context).line).toBe('ip addr show dev lo ');
  });

  it('completes node names in arguments', () => {
    expect(completeCommandLine('ping r', context)).toEqual({ line: 'ping r', candidates: ['r1', 'r2'] });
    expect(completeCommandLine('getent ahosts h2', context).line).toBe('getent ahosts h2 ');
  });

  it('completes the resolver programs and getent databases', () => {
    expect(completeCommandLine('gai', context).line).toBe('gaitest ');
    expect(completeCommandLine('ndi', context).line).toBe('ndisc6 ');
    expect(completeCommandLine('rd', context).line).toBe('rdisc6 ');
    expect(completeCommandLine('getent ahostsv', context)).toEqual({ line: 'getent ahostsv', candidates: ['ahostsv4', 'ahostsv6'] });
  });

  it('leaves the line alone when nothing matches', () => {
    expect(completeCommandLine('frobnicate x', context)).toEqual({ line: 'frobnicate x', candidates: [] });
  });
});
