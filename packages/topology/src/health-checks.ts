/**
 * A director's `healthcheck:` block → HealthCheckSpec, with keepalived's defaults (delay_loop 6 s,
 * connect_timeout 5 s, HTTP_GET's path / and status 200) and fall/rise 1, and the checks a
 * keepalived.conf gets before it runs: the service is `tcp|udp ADDRESS:PORT` as ipvsadm names it
 * (IPv4), an HTTP check is on a TCP service, the sorry server is `ADDRESS:PORT`, the timeout is
 * shorter than the interval, and only a director (or a router) runs the checker.
 * Leaves out IPv6 and fwmark services.
 */
import { isIPv4 } from 'node:net';
import type { Path } from './source.js';
import type { TopologyFile } from './schema.js';
import type { HealthCheckSpec } from './spec.js';
import { parseDuration } from './units.js';

type HealthCheckInput = NonNullable<NonNullable<TopologyFile['nodes'][string]>['healthcheck']>;

const SECOND = 1_000_000_000;

export interface HealthCheckContext {
  report(path: Path, message: string, target?: 'value' | 'key'): void;
}

function addressPort(text: string): { address: string; port: number } | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text.trim());
  if (m === null || !isIPv4(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 65535) return null;
  return { address: m[1]!, port: Number(m[2]) };
}

/** Every check of a node; problems go to `ctx` (the result is then not to be used). */
export function healthChecksOf(input: HealthCheckInput, kind: string, nodePath: Path, ctx: HealthCheckContext): HealthCheckSpec[] {
  if (kind !== 'director' && kind !== 'router') {
    ctx.report([...nodePath, 'healthcheck'], `healthcheck needs a director (kind: director), this node is a ${kind}`, 'key');
  }
  return input.map((check, i) => {
    const at = (key: string): Path => [...nodePath, 'healthcheck', i, key];
    const service = /^(tcp|udp)\s+(\S+)$/.exec(check.service.trim());
    const endpoint = service === null ? null : addressPort(service[2]!);
    if (service === null || endpoint === null) ctx.report(at('service'), `service must be "tcp ADDRESS:PORT" or "udp ADDRESS:PORT" (IPv4), got "${check.service}"`);
    const protocol = (service?.[1] ?? 'tcp') as 'tcp' | 'udp';
    if (check.type === 'http' && protocol !== 'tcp') ctx.report(at('type'), 'an http check needs a tcp service');
    const intervalNs = check.interval === undefined ? 6 * SECOND : (parseDuration(check.interval) ?? 0);
    const timeoutNs = check.timeout === undefined ? 5 * SECOND : (parseDuration(check.timeout) ?? 0);
    if (intervalNs <= 0) ctx.report(at('interval'), 'interval must be more than 0');
    if (timeoutNs <= 0 || timeoutNs >= intervalNs) ctx.report(at(check.timeout === undefined ? 'interval' : 'timeout'), 'timeout must be more than 0 and shorter than interval');
    const sorry = check['sorry-server'] === undefined ? undefined : addressPort(check['sorry-server']);
    if (sorry === null) ctx.report(at('sorry-server'), `sorry-server must be ADDRESS:PORT (IPv4), got "${check['sorry-server']}"`);
    return {
      protocol,
      address: endpoint?.address ?? '0.0.0.0',
      port: endpoint?.port ?? 0,
      type: check.type,
      ...(check.port !== undefined ? { checkPort: check.port } : {}),
      path: check.path ?? '/',
      statusCode: check['status-code'] ?? 200,
      intervalNs,
      timeoutNs,
      fall: check.fall ?? 1,
      rise: check.rise ?? 1,
      onFailure: check['on-failure'] ?? 'remove',
      ...(sorry !== undefined && sorry !== null ? { sorryServer: sorry } : {}),
    };
  });
}
