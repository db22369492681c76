/**
 * From a structurally valid topology file (schema.ts) to the normalised TopologySpec: resolves
 * and checks cross references (endpoints, LAN members, events and expectations naming nodes and
 * links), rejects an interface used twice or a link from an interface to itself, works out which
 * keys an event combines, applies defaults, and derives interface lists and MACs.
 *
 * Defaults: latency 1ms (links must have latency > 0), bandwidth unlimited, loss 0, mtu 1500,
 * queue 100, seed 1, node kind host, LAN type switch. Interfaces of a node are listed in the order
 * they first appear in links, then LANs; `lo` is implicit. MACs are locally administered unicast
 * 02:00:00:NN:NN:II with NN:NN the node's 1-based position in the file and II the interface's
 * 1-based position within its node. The router preset (ip_forward) is applied by the runtime.
 * Startup and event commands keep where they are written, so a failing one can be reported at
 * its file:line:col; an `&&` or `||` the node shell would not understand is reported here.
 */
import { checkCommandAddresses } from './exec-check.js';
import { listOperators, parseExecLine } from './exec-line.js';
import { parseMatcher } from './matcher.js';
import { parseGaiConf } from '@netloom/wire/gai-conf';
import { parseHostsFile } from '@netloom/wire/hosts-file';
import { routerAdvertisementsOf } from './router-advertisements.js';
import { healthChecksOf } from './health-checks.js';
import { MIP6D_CONF, mip6dConfOf } from './mip6-config.js';
import type { Path, Target } from './source.js';
import type { LinkParamsInput, TopologyFile } from './schema.js';
import type {
  Endpoint,
  EventSpec,
  ExpectSpec,
  InterfaceSpec,
  LanSpec,
  LinkChangeSpec,
  LinkParams,
  LinkSpec,
  Matcher,
  NodeFileSpec,
  NodeKind,
  NodeSpec,
  SourcePosition,
  TopologySpec,
} from './spec.js';
import { parseBandwidth, parseDuration, parseLoss } from './units.js';

export const DEFAULT_LINK_PARAMS: Readonly<LinkParams> = {
  latencyNs: 1_000_000,
  bandwidthBps: null,
  loss: 0,
  mtu: 1500,
  queue: 100,
};
export const DEFAULT_SEED = 1;

export interface BuildContext {
  file: string;
  report(path: Path, message: string, target?: Target): void;
  /** A problem with `word`, which starts at `index` in the string at `path`. */
  reportWithin(path: Path, index: number, word: string, message: string): void;
  /** A problem with `word` at `index` in line `line` (0-based) of the text at `path` (a block scalar). */
  reportWithinLine(path: Path, line: number, index: number, word: string, message: string): void;
  lineOf(path: Path): number;
  positionOf(path: Path, target?: Target): SourcePosition;
}

function checkCommand(cmd: string, path: Path, ctx: BuildContext): void {
  const problem = checkCommandAddresses(cmd);
  if (problem) ctx.reportWithin(path, problem.index, cmd.slice(problem.index).split(/\s/)[0] ?? '', problem.message);
}

/** A startup or event command: a trailing `|| true` is ours (exec-line.ts); any other list operator is an error. */
function checkExecLine(line: string, path: Path, ctx: BuildContext): void {
  const { cmd } = parseExecLine(line);
  const [stray] = listOperators(cmd);
  if (stray !== undefined) {
    ctx.reportWithin(
      path,
      stray.index,
      stray.operator,
      `the node shell has no "${stray.operator}" lists; the one form understood is a trailing "|| true" (this line may fail)`,
    );
    return;
  }
  checkCommand(cmd, path, ctx);
}

/** Values already passed the schema, so these conversions cannot fail. */
const ns = (v: unknown): number => (typeof v === 'number' ? v : (parseDuration(String(v)) ?? 0));
const bps = (v: unknown): number | null =>
  v === null ? null : typeof v === 'number' ? v : parseBandwidth(String(v));
const fraction = (v: unknown): number => parseLoss(typeof v === 'number' ? v : String(v)) ?? 0;

const LINK_PARAM_KEYS = ['latency', 'bandwidth', 'loss', 'mtu', 'queue'] as const;

function changeOf(input: LinkParamsInput): LinkChangeSpec {
  const change: LinkChangeSpec = {};
  if (input.latency !== undefined) change.latencyNs = ns(input.latency);
  if (input.bandwidth !== undefined) change.bandwidthBps = bps(input.bandwidth);
  if (input.loss !== undefined) change.loss = fraction(input.loss);
  if (input.mtu !== undefined) change.mtu = Number(input.mtu);
  if (input.queue !== undefined) change.queue = Number(input.queue);
  return change;
}

function applyChange(base: LinkParams, change: LinkChangeSpec): LinkParams {
  return {
    latencyNs: change.latencyNs ?? base.latencyNs,
    bandwidthBps: change.bandwidthBps !== undefined ? change.bandwidthBps : base.bandwidthBps,
    loss: change.loss ?? base.loss,
    mtu: change.mtu ?? base.mtu,
    queue: change.queue ?? base.queue,
  };
}

function splitEndpoint(text: string): Endpoint {
  const colon = text.indexOf(':');
  return { node: text.slice(0, colon), ifname: text.slice(colon + 1) };
}

export const endpointId = (e: Endpoint): string => `${e.node}:${e.ifname}`;
export const linkId = (a: Endpoint, b: Endpoint): string => `${endpointId(a)}--${endpointId(b)}`;

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 12).join(', ');
  return names.length > 12 ? `${shown}, … ${names.length - 12} more` : shown || 'none';
}

function mac(nodeIndex: number, ifIndex: number): string {
  const bytes = [0x02, 0, 0, (nodeIndex >> 8) & 0xff, nodeIndex & 0xff, ifIndex & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The files a node's `hosts:` and `gai.conf:` blocks give it, each line checked as glibc reads it. */
function nodeFiles(node: NonNullable<TopologyFile['nodes'][string]>, nodePath: Path, ctx: BuildContext): NodeFileSpec[] {
  const files: NodeFileSpec[] = [];
  const blocks = [
    { key: 'hosts', path: '/etc/hosts', value: node.hosts, problems: (text: string) => parseHostsFile(text).problems },
    { key: 'gai.conf', path: '/etc/gai.conf', value: node['gai.conf'], problems: (text: string) => parseGaiConf(text).problems },
  ] as const;
  for (const block of blocks) {
    if (block.value === undefined) continue;
    const isList = Array.isArray(block.value);
    const text = isList ? block.value.map((line) => `${line}\n`).join('') : block.value;
    for (const problem of block.problems(text)) {
      const path: Path = isList ? [...nodePath, block.key, problem.line] : [...nodePath, block.key];
      ctx.reportWithinLine(path, isList ? 0 : problem.line, problem.index, problem.word, `${block.path}: ${problem.message}`);
    }
    files.push({ path: block.path, text: text === '' || text.endsWith('\n') ? text : `${text}\n` });
  }
  return files;
}

function matcherList(value: string | string[] | undefined): Matcher[] {
  if (value === undefined) return [];
  const texts = typeof value === 'string' ? [value] : value;
  return texts.map((text) => {
    const m = parseMatcher(text);
    return 'error' in m ? { kind: 'contains', text } : m;
  });
}

/** Checks references and builds the spec; problems go to `ctx.report` (the result is then not to be used). */
export function buildTopology(data: TopologyFile, ctx: BuildContext): TopologySpec {
  const nodeNames = Object.keys(data.nodes);
  if (nodeNames.length === 0) ctx.report(['nodes'], 'expected at least one node under "nodes"');
  if (nodeNames.length > 0xffff) ctx.report(['nodes'], `too many nodes (${nodeNames.length}); at most 65535`);
  const knownNodes = new Set(nodeNames);
  const nodeList = listNames(nodeNames);

  const defaults = applyChange(DEFAULT_LINK_PARAMS, changeOf(data.defaults?.link ?? {}));

  /** Interfaces per node, in order of first appearance, with their MTU. */
  const interfaces = new Map<string, { name: string; mtu: number }[]>(nodeNames.map((n) => [n, []]));
  /** "node:ifname" → what uses it and where, for the duplicate message. */
  const usedBy = new Map<string, { owner: string; line: number }>();

  const claim = (text: string, path: Path, role: string, owner: string, mtu: number): Endpoint | null => {
    const endpoint = splitEndpoint(text);
    if (!knownNodes.has(endpoint.node)) {
      ctx.report(path, `${role} ${JSON.stringify(text)} names unknown node ${JSON.stringify(endpoint.node)} (nodes: ${nodeList})`);
      return null;
    }
    const previous = usedBy.get(text);
    if (previous) {
      ctx.report(
        path,
        `interface ${JSON.stringify(text)} is already used by ${previous.owner} (line ${previous.line}); an interface joins one link or LAN`,
      );
      return null;
    }
    usedBy.set(text, { owner, line: ctx.lineOf(path) });
    interfaces.get(endpoint.node)?.push({ name: endpoint.ifname, mtu });
    return endpoint;
  };

  const links: LinkSpec[] = [];
  for (const [i, link] of (data.links ?? []).entries()) {
    const [aText = '', bText = ''] = link.endpoints;
    const params = applyChange(defaults, changeOf(link));
    if (aText === bText) {
      ctx.report(['links', i, 'endpoints', 1], `link joins ${JSON.stringify(aText)} to itself; expected two different interfaces`);
      continue;
    }
    const owner = `link "${aText}--${bText}"`;
    const a = claim(aText, ['links', i, 'endpoints', 0], 'link endpoint', owner, params.mtu);
    const b = claim(bText, ['links', i, 'endpoints', 1], 'link endpoint', owner, params.mtu);
    if (a && b) links.push({ id: linkId(a, b), a, b, params });
  }

  const lans: LanSpec[] = [];
  for (const [name, lan] of Object.entries(data.lans ?? {})) {
    const params = applyChange(defaults, changeOf(lan));
    const members: Endpoint[] = [];
    for (const [j, text] of lan.members.entries()) {
      const member = claim(text, ['lans', name, 'members', j], 'LAN member', `LAN "${name}"`, params.mtu);
      if (member) members.push(member);
    }
    lans.push({ name, type: lan.type ?? 'switch', members, params });
  }

  const nodes: NodeSpec[] = nodeNames.map((name, n) => {
    const node = data.nodes[name] ?? {};
    const ports = interfaces.get(name) ?? [];
    if (ports.length > 0xff) ctx.report(['nodes', name], `node "${name}" has ${ports.length} interfaces; at most 255`, 'key');
    const exec = node.exec ?? [];
    for (const [j, cmd] of exec.entries()) checkExecLine(cmd, ['nodes', name, 'exec', j], ctx);
    const specs: InterfaceSpec[] = ports.map((port, p) => ({ name: port.name, mac: mac(n + 1, p + 1), mtu: port.mtu }));
    const files = nodeFiles(node, ['nodes', name], ctx);
    // A mip6: block is the node's /etc/mip6d.conf, and mip6d starts after the exec: commands.
    if (node.mip6 !== undefined) files.push({ path: MIP6D_CONF, text: mip6dConfOf(node.mip6, ports.map((p) => p.name), ['nodes', name], ctx) });
    const startup = node.mip6 === undefined ? exec : [...exec, 'mip6d'];
    const ra = node.ra === undefined ? [] : routerAdvertisementsOf(node.ra, ['nodes', name], ports, ctx);
    const healthChecks = node.healthcheck === undefined ? [] : healthChecksOf(node.healthcheck, node.kind ?? 'host', ['nodes', name], ctx);
    return {
      name,
      kind: (node.kind ?? 'host') as NodeKind,
      kindDefaulted: node.kind === undefined,
      source: ctx.positionOf(['nodes', name], 'key'),
      compat: [...(node.compat ?? [])],
      exec: [...startup],
      execSource: startup.map((_, j) => (j < exec.length ? ctx.positionOf(['nodes', name, 'exec', j]) : ctx.positionOf(['nodes', name, 'mip6'], 'key'))),
      interfaces: specs,
      ...(files.length > 0 ? { files } : {}),
      ...(node.ra !== undefined ? { ra, raSource: ctx.positionOf(['nodes', name, 'ra'], 'key') } : {}),
      ...(healthChecks.length > 0 ? { healthChecks } : {}),
    };
  });

  // Events and expectations may name a link by its id (either direction) or a LAN by its name.
  const linkIds = new Map<string, string>();
  for (const link of links) {
    linkIds.set(link.id, link.id);
    linkIds.set(linkId(link.b, link.a), link.id);
  }
  for (const lan of lans) linkIds.set(lan.name, lan.name);
  const linkList = listNames([...links.map((l) => l.id), ...lans.map((l) => l.name)]);

  const checkNode = (name: string, path: Path, role: string): boolean => {
    if (knownNodes.has(name)) return true;
    ctx.report(path, `${role} names unknown node ${JSON.stringify(name)} (nodes: ${nodeList})`);
    return false;
  };

  const events: EventSpec[] = [];
  for (const [i, event] of (data.events ?? []).entries()) {
    const at = ns(event.at);
    const path: Path = ['events', i];
    const linkKeys = [...(event.up !== undefined ? ['up'] : []), ...LINK_PARAM_KEYS.filter((k) => event[k] !== undefined)];
    const nodeKeys = [...(event.cmd !== undefined ? ['cmd'] : []), ...(event.action !== undefined ? ['action'] : [])];
    if (event.node !== undefined && event.link !== undefined) {
      ctx.report([...path, 'link'], 'an event acts on a node or on a link, not both; expected either "node" or "link"', 'key');
    } else if (event.node !== undefined) {
      const [stray] = linkKeys;
      if (stray !== undefined) {
        ctx.report([...path, stray], `"${stray}" changes a link, but this event names node "${event.node}"; use "link:" for link changes`, 'key');
      } else if (event.cmd !== undefined && event.action !== undefined) {
        ctx.report([...path, 'action'], 'a node event has either "cmd" (a command to run) or "action" (stop or start), not both', 'key');
      } else if (checkNode(event.node, [...path, 'node'], 'event')) {
        if (event.cmd !== undefined) {
          checkExecLine(event.cmd, [...path, 'cmd'], ctx);
          events.push({ at, kind: 'exec', node: event.node, cmd: event.cmd, source: ctx.positionOf([...path, 'cmd']) });
        }
        else if (event.action !== undefined) events.push({ at, kind: 'node', node: event.node, action: event.action });
        else ctx.report(path, `event for node "${event.node}" needs "cmd" (a command to run) or "action" (stop or start)`);
      }
    } else if (event.link !== undefined) {
      const [stray] = nodeKeys;
      const id = linkIds.get(event.link);
      if (stray !== undefined) {
        ctx.report([...path, stray], `"${stray}" belongs to node events, but this event names link "${event.link}"; use "node:"`, 'key');
      } else if (id === undefined) {
        ctx.report([...path, 'link'], `event names unknown link ${JSON.stringify(event.link)} (links: ${linkList})`);
      } else if (linkKeys.length === 0) {
        ctx.report(path, `event for link "${event.link}" changes nothing; expected "up" or one of latency, bandwidth, loss, mtu, queue`);
      } else {
        const change = changeOf(event);
        events.push({ at, kind: 'link', link: id, change: event.up !== undefined ? { up: event.up, ...change } : change });
      }
    } else {
      ctx.report(path, 'an event needs "node" (with "cmd" or "action") or "link" (with "up" or new link parameters)');
    }
  }

  const expect: ExpectSpec[] = [];
  for (const [i, item] of (data.expect ?? []).entries()) {
    const path: Path = ['expect', i];
    if (!checkNode(item.node, [...path, 'node'], 'expectation')) continue;
    const spec: ExpectSpec = {
      at: ns(item.at),
      node: item.node,
      cmd: item.cmd,
      stdout: matcherList(item.stdout),
      stderr: matcherList(item.stderr),
      notStdout: matcherList(item.not_stdout),
      line: ctx.lineOf(path),
    };
    if (item.status !== undefined) spec.status = item.status;
    expect.push(spec);
  }

  return { name: data.name, seed: data.seed ?? DEFAULT_SEED, file: ctx.file, nodes, links, lans, events, expect };
}
