/**
 * A node's `mip6:` block → the text of its /etc/mip6d.conf (UMIP's syntax, as packages/mip6's
 * mip6d-conf.ts reads it), checked first as mip6d would: a mobile node needs `home-address`
 * (ADDRESS/LENGTH) and `home-agent`, a home agent needs neither; every interface named is one of
 * the node's; a correspondent takes only `route-optimisation`. The runtime then starts `mip6d` after
 * the node's `exec:` commands (build.ts appends it). MCoA is on unless `mcoa: false`; route
 * optimisation is off on a mobile node unless `route-optimisation: true`, on for a correspondent
 * unless `false`.
 */
import { isIP } from 'node:net';
import type { Path } from './source.js';
import type { TopologyFile } from './schema.js';

type Mip6Input = NonNullable<NonNullable<TopologyFile['nodes'][string]>['mip6']>;

export interface Mip6ConfigContext {
  report(path: Path, message: string, target?: 'value' | 'key'): void;
}

export const MIP6D_CONF = '/etc/mip6d.conf';

/** The mip6d.conf text of a block; problems go to `ctx` (the text is then not to be used). */
export function mip6dConfOf(input: Mip6Input, ports: readonly string[], nodePath: Path, ctx: Mip6ConfigContext): string {
  const at = (key: string): Path => [...nodePath, 'mip6', key];
  const isMobileNode = input.role === 'mobile-node';
  if (input.role === 'correspondent') {
    for (const key of ['home-address', 'home-agent', 'interfaces', 'mcoa', 'binding-lifetime', 'bulk-registration'] as const) {
      if (input[key] !== undefined) ctx.report(at(key), `${key} is not a correspondent's setting (a correspondent takes route-optimisation)`, 'key');
    }
    return `NodeConfig CN;\nDoRouteOptimizationCN ${input['route-optimisation'] === false ? 'disabled' : 'enabled'};\n`;
  }
  const lines = [`NodeConfig ${isMobileNode ? 'MN' : 'HA'};`];
  const interfaces = input.interfaces ?? {};
  const names = Object.keys(interfaces);
  if (names.length === 0) ctx.report(input.interfaces === undefined ? [...nodePath, 'mip6'] : at('interfaces'), `a ${input.role} needs at least one interface`, input.interfaces === undefined ? 'key' : 'value');
  for (const [name, preference] of Object.entries(interfaces)) {
    if (!ports.includes(name)) ctx.report([...nodePath, 'mip6', 'interfaces', name], `no interface "${name}" on this node (interfaces: ${ports.join(', ') || 'none'})`, 'key');
    lines.push(isMobileNode ? `Interface "${name}" { MnIfPreference ${preference}; }` : `Interface "${name}";`);
  }
  lines.push(`UseMCoA ${input.mcoa === false ? 'disabled' : 'enabled'};`);
  const lifetime = input['binding-lifetime'];
  if (isMobileNode) {
    const home = input['home-address'];
    const match = home === undefined ? null : /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(home.trim());
    if (match === null || isIP(match[1] ?? '') !== 6 || Number(match[2]) > 128) ctx.report(home === undefined ? [...nodePath, 'mip6'] : at('home-address'), `a mobile node needs home-address: an IPv6 address and prefix length, e.g. 2001:db8:1::100/64${home === undefined ? '' : `, got "${home}"`}`, home === undefined ? 'key' : 'value');
    const agent = input['home-agent'];
    if (agent === undefined || isIP(agent.trim()) !== 6) ctx.report(agent === undefined ? [...nodePath, 'mip6'] : at('home-agent'), `a mobile node needs home-agent: an IPv6 address${agent === undefined ? '' : `, got "${agent}"`}`, agent === undefined ? 'key' : 'value');
    if (lifetime !== undefined) lines.push(`MnMaxHaBindingLife ${lifetime};`);
    if (input['route-optimisation'] !== undefined) lines.push(`DoRouteOptimizationMN ${input['route-optimisation'] ? 'enabled' : 'disabled'};`);
    lines.push(`MnHomeLink "ip6tnl1" {`, `  HomeAgentAddress ${agent?.trim() ?? '::'};`, `  HomeAddress ${home?.trim() ?? '::/64'};`, '}');
  } else {
    for (const key of ['home-address', 'home-agent'] as const) if (input[key] !== undefined) ctx.report(at(key), `${key} is a mobile node's setting, not a home agent's`, 'key');
    if (lifetime !== undefined) lines.push(`HaMaxBindingLife ${lifetime};`);
    if (input['bulk-registration'] !== undefined) lines.push(`HaAcceptBulkRegistration ${input['bulk-registration'] ? 'enabled' : 'disabled'};`);
    if (input['route-optimisation'] !== undefined) ctx.report(at('route-optimisation'), `route-optimisation is a mobile node's or a correspondent's setting, not a home agent's`, 'key');
  }
  return `${lines.join('\n')}\n`;
}
