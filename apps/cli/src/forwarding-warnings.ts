/**
 * Warnings about a router written without `kind:`: such a node is a host, and does not forward.
 * Read from the running nodes through the library API once the startup commands have run
 * (`sysctl -n net.ipv4.ip_forward` and `ip -4 -j route show table all` on each node, by `inspect`:
 * no virtual time passes, so `run` reads them from its own emulator without moving its timeline),
 * not from the exec text, so forwarding or a route set any way counts. A node without `kind:` that does not
 * forward is named when
 * - it has gateway routes to different destinations out of different interfaces (it routes
 *   between networks); two default routes through two interfaces, a host's redundant gateways as
 *   in dead-gateway.yaml, are fine; or
 * - another node's route has one of its addresses as gateway (except a host route to that very
 *   address): what is sent that way is dropped there.
 * A node whose kind is written is taken at its word (roaming-laptop's `target` is a host holding
 * the gateway address on purpose). IPv4 only. Warnings never change an exit status.
 */

import type { TopologySpec } from '@netloom/topology';
import type { EmulatorApi } from './runtime-api.js';

interface GatewayRoute {
  dst: string;
  gateway: string;
  dev: string;
}

/** The members of `ip -j route` output used here; multipath routes list `nexthops`. */
interface RouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
  nexthops?: { gateway?: string; dev?: string }[];
}

/** At most this many routes are quoted in one warning. */
const ROUTES_QUOTED = 4;

async function outputOf(emulator: EmulatorApi, node: string, cmd: string): Promise<string> {
  const result = await emulator.inspect(node, cmd);
  if (result.status !== 0) throw new Error(`node ${node}: "${cmd}" failed with exit status ${result.status}: ${result.stderr.trim()}`);
  return result.stdout;
}

function gatewayRoutes(routes: RouteJson[]): GatewayRoute[] {
  const found: GatewayRoute[] = [];
  for (const route of routes) {
    const dst = route.dst ?? 'default';
    if (route.gateway !== undefined) found.push({ dst, gateway: route.gateway, dev: route.dev ?? '?' });
    for (const hop of route.nexthops ?? []) if (hop.gateway !== undefined) found.push({ dst, gateway: hop.gateway, dev: hop.dev ?? '?' });
  }
  return found;
}

const describeRoute = (route: GatewayRoute): string => `${route.dst} via ${route.gateway} dev ${route.dev}`;

const quoteRoutes = (routes: GatewayRoute[]): string => quoteList(routes.map(describeRoute));

/** Gateway routes to different destinations out of different interfaces: routing between networks. */
function routesBetweenNetworks(routes: GatewayRoute[]): boolean {
  return routes.some((a) => routes.some((b) => a.dev !== b.dev && a.dst !== b.dst));
}

/**
 * One `file:line:col: warning: …` line per node without `kind:` that does not forward yet routes
 * between networks or is another node's gateway, at the node's name in the file, in file order.
 */
export async function forwardingWarnings(emulator: EmulatorApi, spec: TopologySpec): Promise<string[]> {
  const forwards = new Map<string, boolean>();
  const routes = new Map<string, GatewayRoute[]>();
  for (const node of spec.nodes) {
    forwards.set(node.name, (await outputOf(emulator, node.name, 'sysctl -n net.ipv4.ip_forward')).trim() === '1');
    routes.set(node.name, gatewayRoutes(JSON.parse(await outputOf(emulator, node.name, 'ip -4 -j route show table all')) as RouteJson[]));
  }
  const owner = new Map<string, string>();
  for (const node of emulator.nodes()) for (const a of node.addresses) if (a.family === 4 && a.ifname !== 'lo') owner.set(a.address, node.name);
  /** Per node that does not forward: who routes through it, with one route each. */
  const users = new Map<string, string[]>();
  for (const node of spec.nodes) {
    const seen = new Set<string>();
    for (const route of routes.get(node.name) ?? []) {
      const gateway = owner.get(route.gateway);
      if (gateway === undefined || gateway === node.name || forwards.get(gateway) || seen.has(gateway)) continue;
      // A host route to the gateway's own address ends there: nothing needs forwarding.
      if (route.dst === route.gateway || route.dst === `${route.gateway}/32`) continue;
      seen.add(gateway);
      users.set(gateway, [...(users.get(gateway) ?? []), `${node.name} (${describeRoute(route)})`]);
    }
  }

  const warnings: string[] = [];
  for (const node of spec.nodes) {
    if (node.kindDefaulted !== true || forwards.get(node.name)) continue;
    const own = routes.get(node.name) ?? [];
    const findings: string[] = [];
    if (routesBetweenNetworks(own)) findings.push(`it routes through ${[...new Set(own.map((r) => r.dev))].join(' and ')} (${quoteRoutes(own)})`);
    const through = users.get(node.name) ?? [];
    if (through.length > 0) findings.push(`${quoteList(through)} ${through.length === 1 ? 'routes' : 'route'} through it`);
    if (findings.length === 0) continue;
    const where = node.source === undefined ? spec.file : `${spec.file}:${node.source.line}:${node.source.column}`;
    warnings.push(
      `${where}: warning: node ${node.name} has no "kind:", so it is a host and does not forward (net.ipv4.ip_forward=0), but ${findings.join(' and ')}; give it "kind: router" if it should forward`,
    );
  }
  return warnings;
}

function quoteList(items: string[]): string {
  const shown = items.slice(0, ROUTES_QUOTED).join(', ');
  return items.length > ROUTES_QUOTED ? `${shown}, … ${items.length - ROUTES_QUOTED} more` : shown;
}
