/**
 * What the node factory gives every node for IPVS: the ip_vs module (loaded on first use, see
 * ipvs-module.ts) and, on a director with a `healthcheck:` block, the module loaded at start and
 * one checker process per check (health-check.ts). The checks come as the topology's plain data
 * (the runtime's placement carries them as they are).
 */
import type { LinuxNode } from '@netloom/stack';
import { parseAddress } from '../inet-address.js';
import type { ServiceKey } from '../virtual-service.js';
import { startHealthCheck, type CheckType } from './health-check.js';
import { registerIpvs, type IpvsModule } from './ipvs-module.js';

/** One `healthcheck:` entry as the topology gives it (topology's HealthCheckSpec). */
export interface DirectorHealthCheck {
  readonly protocol: 'tcp' | 'udp';
  readonly address: string;
  readonly port: number;
  readonly type: CheckType;
  readonly checkPort?: number;
  readonly path: string;
  readonly statusCode: number;
  readonly intervalNs: number;
  readonly timeoutNs: number;
  readonly fall: number;
  readonly rise: number;
  readonly onFailure: 'remove' | 'quiesce';
  readonly sorryServer?: { readonly address: string; readonly port: number };
}

/** IPVS on `node`; with checks, loaded now and checked. Returns the loaded module, if any. */
export function installIpvs(node: LinuxNode, healthChecks: readonly DirectorHealthCheck[] = []): () => IpvsModule | undefined {
  const loaded = registerIpvs(node);
  if (healthChecks.length === 0) return loaded;
  node.modules.load('ip_vs');
  const module = loaded();
  if (module === undefined) throw new Error('ip_vs did not load');
  for (const check of healthChecks) {
    const address = parseAddress(check.address);
    if (address === null) throw new Error(`health check: bad service address ${check.address} (the topology loader checks it)`);
    const service: ServiceKey = { kind: check.protocol, address, port: check.port };
    const sorry = check.sorryServer === undefined ? null : parseAddress(check.sorryServer.address);
    startHealthCheck(node, module.ipvs, {
      service,
      type: check.type,
      ...(check.checkPort !== undefined ? { port: check.checkPort } : {}),
      path: check.path,
      statusCode: check.statusCode,
      intervalNs: check.intervalNs,
      timeoutNs: check.timeoutNs,
      fall: check.fall,
      rise: check.rise,
      onFailure: check.onFailure,
      ...(sorry !== null && check.sorryServer !== undefined ? { sorryServer: { address: sorry, port: check.sorryServer.port } } : {}),
    });
  }
  return loaded;
}
