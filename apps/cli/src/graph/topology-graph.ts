/**
 * What `netloom graph` draws, whatever the output format: nodes with their kind and addresses,
 * point-to-point links and LANs with their parameters (latency, bandwidth, loss, MTU).
 *
 * Addresses come either from a running emulator (`addressesFromEmulator`: start the topology on the
 * main thread and ask `nodes()`, so they are what the node shell really configured) or, without
 * running anything, from the startup commands (`addressesFromStartup`: `ip addr add|del` and
 * `ifconfig`, the forms topology files use). Link-local IPv6 and `lo` addresses are left out.
 */

import type { EmulatorApi, EmulatorOptions } from '../runtime-api.js';
import type { Endpoint, LinkParams, TopologySpec } from '@netloom/topology';
import { closeQuietly } from '../engine.js';
import { isShownAddress } from '../shown-addresses.js';
import { splitWords } from '../shell/words.js';
import { formatBandwidth, formatDuration, formatLoss } from '../units.js';

export interface InterfaceAddress {
  ifname: string;
  address: string;
  prefixLength: number;
}

export interface GraphNode {
  name: string;
  kind: string;
  /** `eth0 10.0.1.1/24`, in configuration order. */
  addresses: string[];
}

export interface GraphLink {
  id: string;
  a: Endpoint;
  b: Endpoint;
  params: LinkParams;
}

export interface GraphLan {
  name: string;
  type: 'hub' | 'switch';
  members: Endpoint[];
  params: LinkParams;
}

export interface TopologyGraph {
  name: string;
  nodes: GraphNode[];
  links: GraphLink[];
  lans: GraphLan[];
}

export type AddressBook = ReadonlyMap<string, readonly InterfaceAddress[]>;

export function topologyGraph(spec: TopologySpec, addresses: AddressBook): TopologyGraph {
  return {
    name: spec.name,
    nodes: spec.nodes.map((node) => ({
      name: node.name,
      kind: node.kind,
      addresses: (addresses.get(node.name) ?? []).map((a) => `${a.ifname} ${a.address}/${a.prefixLength}`),
    })),
    links: spec.links.map((link) => ({ id: link.id, a: link.a, b: link.b, params: link.params })),
    lans: spec.lans.map((lan) => ({ name: lan.name, type: lan.type, members: lan.members, params: lan.params })),
  };
}

/** `2ms, 100Mbit, loss 0%, mtu 1500`. */
export function describeLinkParams(params: LinkParams): string {
  return `${formatDuration(params.latencyNs)}, ${formatBandwidth(params.bandwidthBps)}, loss ${formatLoss(params.loss)}, mtu ${params.mtu}`;
}

/** Starts the topology inline, reads every node's addresses after its startup commands, stops it. */
export async function addressesFromEmulator(open: (options: EmulatorOptions) => Promise<EmulatorApi>): Promise<AddressBook> {
  const emulator = await open({ placement: 'inline' });
  try {
    await emulator.start();
    return new Map(
      emulator.nodes().map((node) => [node.name, node.addresses.map(({ ifname, address, prefixLength }) => ({ ifname, address, prefixLength })).filter(isShownAddress)]),
    );
  } finally {
    await closeQuietly(emulator);
  }
}

/** Reads addresses from each node's startup `ip addr add|del` and `ifconfig` commands. */
export function addressesFromStartup(spec: TopologySpec): AddressBook {
  const book = new Map<string, InterfaceAddress[]>();
  for (const node of spec.nodes) {
    let list: InterfaceAddress[] = [];
    for (const command of node.exec) {
      const change = readAddressCommand(command);
      if (!change) continue;
      const same = (a: InterfaceAddress) => a.ifname === change.address.ifname && a.address === change.address.address;
      list = list.filter((a) => !same(a));
      if (change.add) list.push(change.address);
    }
    book.set(node.name, list.filter(isShownAddress));
  }
  return book;
}

const ADDRESS_OBJECTS = ['a', 'ad', 'add', 'addr', 'addre', 'addres', 'address'];

function readAddressCommand(command: string): { add: boolean; address: InterfaceAddress } | null {
  const words = splitWords(command).map((word) => word.raw.replace(/^['"]|['"]$/g, ''));
  if (words[0] === 'ip') return readIpAddr(words.slice(1).filter((word) => !/^-[46]$/.test(word)));
  if (words[0] === 'ifconfig') return readIfconfig(words.slice(1));
  return null;
}

function readIpAddr(words: string[]): { add: boolean; address: InterfaceAddress } | null {
  const [object, verb, ...rest] = words;
  if (!ADDRESS_OBJECTS.includes(object ?? '')) return null;
  const add = verb === 'add' || verb === 'a' || verb === 'replace' || verb === 'change';
  if (!add && verb !== 'del' && verb !== 'delete' && verb !== 'd') return null;
  let ifname: string | undefined;
  let prefix: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? '';
    if (word === 'dev') ifname = rest[++i];
    else if (word === 'local') prefix = rest[++i];
    else if (['brd', 'broadcast', 'label', 'scope', 'peer', 'valid_lft', 'preferred_lft', 'metric'].includes(word)) i++;
    else if (prefix === undefined && /[.:]/.test(word)) prefix = word;
  }
  if (ifname === undefined || prefix === undefined) return null;
  const address = splitPrefix(prefix, null, false);
  return address ? { add, address: { ifname, ...address } } : null;
}

function readIfconfig(words: string[]): { add: boolean; address: InterfaceAddress } | null {
  const [ifname, ...rest] = words;
  if (ifname === undefined) return null;
  let add = true;
  const start = rest[0] === 'inet' || rest[0] === 'inet6' ? 1 : 0;
  if (rest[start] === 'add' || rest[start] === 'del') add = rest[start] === 'add';
  const offset = rest[start] === 'add' || rest[start] === 'del' ? start + 1 : start;
  const text = rest[offset];
  if (text === undefined || !/[.:]/.test(text)) return null;
  const maskIndex = rest.indexOf('netmask');
  const netmask = maskIndex >= 0 ? rest[maskIndex + 1] : undefined;
  const address = splitPrefix(text, netmask ?? null, true);
  return address ? { add, address: { ifname, ...address } } : null;
}

/** `10.0.0.1/24` → address and length; without a length, the netmask, else /32 (ip) or the address class (ifconfig). */
function splitPrefix(text: string, netmask: string | null, isClassful: boolean): { address: string; prefixLength: number } | null {
  const [address, length] = text.split('/', 2);
  if (address === undefined || address === '') return null;
  const isV6 = address.includes(':');
  if (length !== undefined) return /^\d+$/.test(length) ? { address, prefixLength: Number(length) } : null;
  if (netmask !== null) {
    const bits = netmask.split('.').map(Number);
    if (bits.length !== 4 || bits.some((b) => !(b >= 0 && b <= 255))) return null;
    return { address, prefixLength: bits.reduce((n, b) => n + (b.toString(2).match(/1/g)?.length ?? 0), 0) };
  }
  if (isV6) return { address, prefixLength: 128 };
  if (!isClassful) return { address, prefixLength: 32 };
  const first = Number(address.split('.')[0]);
  return { address, prefixLength: first < 128 ? 8 : first < 192 ? 16 : 24 };
}
