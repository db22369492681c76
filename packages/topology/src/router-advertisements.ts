/**
 * A node's `ra:` block → the router advertisement settings of each interface (wire's
 * RaInterfaceConfig), with radvd 2.19's defaults and the checks radvd makes of radvd.conf before it
 * starts (radvd.conf(5), RFC 4861 §6.2.1): MaxRtrAdvInterval 4..1800 s (default 600),
 * MinRtrAdvInterval 3 s..0.75 × MaxRtrAdvInterval (default 0.33 × Max), AdvDefaultLifetime 0 or
 * MaxRtrAdvInterval..9000 s in whole seconds (default 3 × Max), AdvLinkMTU 0 or 1280 up to the link's
 * MTU, AdvReachableTime at most 3,600,000 ms, AdvCurHopLimit (default 64), and per prefix an IPv6
 * prefix that is neither link-local nor multicast, AdvOnLink and AdvAutonomous (default on),
 * AdvValidLifetime (86400 s) and AdvPreferredLifetime (14400 s) in whole seconds or `infinity`, the
 * preferred lifetime no longer than the valid one. The interface must be one of the node's ports.
 * Leaves out radvd's Mobile IPv6 options, RDNSS/DNSSL, routes and 6to4 prefixes.
 */
import { isIPv6 } from 'node:net';
import { RA_INFINITE_LIFETIME, type RaInterfaceConfig, type RaPrefixConfig } from '@netloom/wire/ra-config';
import type { Path, Target } from './source.js';
import { parseDuration } from './units.js';
import type { TopologyFile } from './schema.js';

type RaInput = NonNullable<NonNullable<TopologyFile['nodes'][string]>['ra']>;

const SECOND = 1_000_000_000;
const MS = 1_000_000;

export interface RaContext {
  report(path: Path, message: string, target?: Target): void;
}

function seconds(text: string): number {
  return (parseDuration(text) ?? 0) / SECOND;
}

/** Every interface's settings; problems go to `ctx` (the result is then not to be used). */
export function routerAdvertisementsOf(input: RaInput, nodePath: Path, ports: readonly { name: string; mtu: number }[], ctx: RaContext): RaInterfaceConfig[] {
  const configs: RaInterfaceConfig[] = [];
  for (const [ifname, ra] of Object.entries(input)) {
    const at = (key: string): Path => [...nodePath, 'ra', ifname, key];
    const port = ports.find((p) => p.name === ifname);
    if (port === undefined) {
      ctx.report([...nodePath, 'ra', ifname], `ra names interface "${ifname}", which is not one of this node's (${ports.map((p) => p.name).join(', ') || 'it has none'})`, 'key');
      continue;
    }
    const maxNs = ra['max-interval'] === undefined ? 600 * SECOND : (parseDuration(ra['max-interval']) ?? 0);
    if (maxNs < 4 * SECOND || maxNs > 1800 * SECOND) ctx.report(at('max-interval'), `max-interval (MaxRtrAdvInterval) must be from 4s to 1800s, got "${ra['max-interval']}"`);
    const minNs = ra['min-interval'] === undefined ? Math.round(maxNs * 0.33) : (parseDuration(ra['min-interval']) ?? 0);
    if (ra['min-interval'] !== undefined && (minNs < 3 * SECOND || minNs > 0.75 * maxNs)) {
      ctx.report(at('min-interval'), `min-interval (MinRtrAdvInterval) must be from 3s to 0.75 × max-interval (${(0.75 * maxNs) / SECOND}s), got "${ra['min-interval']}"`);
    }
    const lifetime = ra['router-lifetime'] === undefined ? Math.min(9000, Math.round((3 * maxNs) / SECOND)) : seconds(ra['router-lifetime']);
    if (ra['router-lifetime'] !== undefined) {
      if (!Number.isInteger(lifetime)) ctx.report(at('router-lifetime'), `router-lifetime (AdvDefaultLifetime) is whole seconds, got "${ra['router-lifetime']}"`);
      else if (lifetime !== 0 && (lifetime * SECOND < maxNs || lifetime > 9000)) {
        ctx.report(at('router-lifetime'), `router-lifetime (AdvDefaultLifetime) must be 0s or from max-interval (${maxNs / SECOND}s) to 9000s, got "${ra['router-lifetime']}"`);
      }
    }
    const mtu = ra.mtu ?? 0;
    if (mtu !== 0 && (mtu < 1280 || mtu > port.mtu)) ctx.report(at('mtu'), `mtu (AdvLinkMTU) must be 0 (no MTU option) or from 1280 to the link's MTU ${port.mtu}, got ${mtu}`);
    const millis = (key: 'reachable-time' | 'retrans-timer', max: number): number => {
      const text = ra[key];
      if (text === undefined) return 0;
      const value = (parseDuration(text) ?? 0) / MS;
      if (!Number.isInteger(value) || value > max) ctx.report(at(key), `${key} is whole milliseconds up to ${max}ms, got "${text}"`);
      return value;
    };
    const reachableTimeMs = millis('reachable-time', 3_600_000);
    const retransTimerMs = millis('retrans-timer', 0xffffffff);
    const prefixes: RaPrefixConfig[] = [];
    for (const [j, p] of (ra.prefixes ?? []).entries()) {
      const prefixPath: Path = [...nodePath, 'ra', ifname, 'prefixes', j];
      const config = prefixOf(p, prefixPath, ctx);
      if (config !== null) prefixes.push(config);
    }
    configs.push({
      ifname,
      minIntervalNs: minNs,
      maxIntervalNs: maxNs,
      routerLifetime: lifetime,
      routerPreference: ra['router-preference'] ?? 'medium',
      mtu,
      hopLimit: ra['hop-limit'] ?? 64,
      managed: ra.managed ?? false,
      otherConfig: ra['other-config'] ?? false,
      reachableTimeMs,
      retransTimerMs,
      prefixes,
    });
  }
  return configs;
}

type PrefixInput = NonNullable<RaInput[string]['prefixes']>[number];

function prefixOf(p: PrefixInput, path: Path, ctx: RaContext): RaPrefixConfig | null {
  const match = /^([0-9A-Fa-f:.]+)\/([0-9]{1,3})$/.exec(p.prefix);
  const prefixLength = match ? Number(match[2]) : -1;
  if (match === null || !isIPv6(match[1]!) || prefixLength > 128) {
    ctx.report([...path, 'prefix'], `bad prefix "${p.prefix}": expected an IPv6 prefix with its length, e.g. 2001:db8:1::/64`);
    return null;
  }
  const first = parseInt(match[1]!.split(':')[0] || '0', 16);
  if ((first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00) {
    ctx.report([...path, 'prefix'], `prefix "${p.prefix}" is ${(first & 0xff00) === 0xff00 ? 'multicast' : 'link-local'}; radvd advertises neither`);
    return null;
  }
  const lifetime = (key: 'valid-lifetime' | 'preferred-lifetime', fallback: number): number => {
    const text = p[key];
    if (text === undefined) return fallback;
    if (text === 'infinity') return RA_INFINITE_LIFETIME;
    const value = seconds(text);
    if (!Number.isInteger(value) || value >= RA_INFINITE_LIFETIME) ctx.report([...path, key], `${key} is whole seconds below 4294967295s, or infinity; got "${text}"`);
    return value;
  };
  const validLifetime = lifetime('valid-lifetime', 86400);
  const preferredLifetime = lifetime('preferred-lifetime', 14400);
  if (preferredLifetime > validLifetime) {
    ctx.report([...path, p['preferred-lifetime'] === undefined ? 'valid-lifetime' : 'preferred-lifetime'], `preferred-lifetime (${preferredLifetime === RA_INFINITE_LIFETIME ? 'infinity' : `${preferredLifetime}s`}) is longer than valid-lifetime (${validLifetime === RA_INFINITE_LIFETIME ? 'infinity' : `${validLifetime}s`}); radvd refuses that`);
  }
  return { prefix: match[1]!, prefixLength, onLink: p['on-link'] ?? true, autonomous: p.autonomous ?? true, validLifetime, preferredLifetime };
}
