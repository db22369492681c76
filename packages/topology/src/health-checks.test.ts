/**
 * A director's `healthcheck:` block: what the spec hands to the node (keepalived's defaults filled
 * in) and every problem keepalived would refuse reported at its file:line:column.
 */
import { describe, expect, it } from 'vitest';
import { checkTopology } from './load.js';

const base = (kind: string, block: string): string => `name: checks
nodes:
  d1:
    kind: ${kind}
    healthcheck:
${block}
  h1: {}
links:
  - endpoints: [d1:eth0, h1:eth0]
`;

function errors(text: string): string[] {
  const result = checkTopology(text, 't.yaml');
  return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
}

describe('healthcheck:', () => {
  it('hands the checks to the director with the defaults filled in', () => {
    const result = checkTopology(
      base(
        'director',
        `      - { service: tcp 192.168.1.110:80, type: http, path: /health, interval: 2s, timeout: 1s, fall: 3, rise: 2, on-failure: quiesce, sorry-server: 10.1.1.9:80 }
      - { service: udp 192.168.1.110:53, type: udp }`,
      ),
      't.yaml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.nodes[0]!.healthChecks).toEqual([
      { protocol: 'tcp', address: '192.168.1.110', port: 80, type: 'http', path: '/health', statusCode: 200, intervalNs: 2e9, timeoutNs: 1e9, fall: 3, rise: 2, onFailure: 'quiesce', sorryServer: { address: '10.1.1.9', port: 80 } },
      { protocol: 'udp', address: '192.168.1.110', port: 53, type: 'udp', path: '/', statusCode: 200, intervalNs: 6e9, timeoutNs: 5e9, fall: 1, rise: 1, onFailure: 'remove' },
    ]);
  });

  it('reports a bad service, an http check on UDP, a timeout not shorter than the interval, a bad sorry server and a host running it', () => {
    expect(
      errors(
        base(
          'director',
          `      - { service: 192.168.1.110:80, type: tcp }
      - { service: udp 192.168.1.110:53, type: http }
      - { service: tcp 10.0.0.1:80, type: tcp, interval: 1s, timeout: 2s, sorry-server: 10.1.1.9 }`,
        ),
      ),
    ).toEqual([
      '6:20: service must be "tcp ADDRESS:PORT" or "udp ADDRESS:PORT" (IPv4), got "192.168.1.110:80"',
      '7:48: an http check needs a tcp service',
      '8:71: timeout must be more than 0 and shorter than interval',
      '8:89: sorry-server must be ADDRESS:PORT (IPv4), got "10.1.1.9"',
    ]);
    expect(errors(base('director', '      - { service: tcp 10.0.0.1:80, type: smtp }'))).toEqual(['6:43: unknown check type "smtp" (types: tcp, http, udp, ping)']);
    expect(errors(base('host', '      - { service: tcp 10.0.0.1:80, type: tcp }'))).toEqual(['5:5: healthcheck needs a director (kind: director), this node is a host']);
  });
});
