/**
 * Topologies built in code for the runtime's tests, and where the compiled fake node lives.
 */
import type { NodeFactoryRef } from '@netloom/ipc';
import type { LinkParams, NodeKind, TopologySpec } from '@netloom/topology';

/** The fake node, compiled by the test setup (tsconfig.testing.json) so worker threads can load it. */
export const FAKE_NODES: NodeFactoryRef = {
  module: new URL('../../dist-test/testing/fake-node.js', import.meta.url).href,
  export: 'createFakeNode',
};

/** The real stack node with the fault injector's `fault KIND` command (testing/fault-injector.ts). */
export const FAULTY_REAL_NODES: NodeFactoryRef = {
  module: new URL('../../dist-test/testing/faulty-real-node.js', import.meta.url).href,
  export: 'createFaultyRealNode',
};

/** The real stack node with every frame checked on arrival against its bytes as transmitted (frame-ownership-node.ts). */
export const FRAME_OWNERSHIP_NODES: NodeFactoryRef = {
  module: new URL('../../dist-test/testing/frame-ownership-node.js', import.meta.url).href,
  export: 'createFrameOwnershipNode',
};

const ms = 1e6;

export function params(overrides: Partial<LinkParams> = {}): LinkParams {
  return { latencyNs: 1 * ms, bandwidthBps: null, loss: 0, mtu: 1500, queue: 100, ...overrides };
}

function mac(node: number, iface: number): string {
  return `02:00:00:00:${node.toString(16).padStart(2, '0')}:${iface.toString(16).padStart(2, '0')}`;
}

/** Build a spec from nodes and links/LANs given as `node:if` strings; interfaces and MACs as the loader derives them. */
export function buildSpec(input: {
  name: string;
  seed?: number;
  nodes: { name: string; kind: NodeKind; exec?: string[] }[];
  links: { ends: [string, string]; params?: Partial<LinkParams> }[];
  lans?: { name: string; type: 'hub' | 'switch'; members: string[]; params?: Partial<LinkParams> }[];
  events?: TopologySpec['events'];
  expect?: TopologySpec['expect'];
}): TopologySpec {
  const interfaces = new Map<string, string[]>(input.nodes.map((n) => [n.name, []]));
  const endpoint = (text: string): { node: string; ifname: string } => {
    const [node, ifname] = text.split(':') as [string, string];
    const list = interfaces.get(node)!;
    if (!list.includes(ifname)) list.push(ifname);
    return { node, ifname };
  };
  const links = input.links.map((link) => ({ id: `${link.ends[0]}--${link.ends[1]}`, a: endpoint(link.ends[0]), b: endpoint(link.ends[1]), params: params(link.params) }));
  const lans = (input.lans ?? []).map((lan) => ({ name: lan.name, type: lan.type, members: lan.members.map(endpoint), params: params(lan.params) }));
  return {
    name: input.name,
    seed: input.seed ?? 1,
    file: `${input.name}.yaml`,
    nodes: input.nodes.map((node, i) => ({
      name: node.name,
      kind: node.kind,
      compat: [],
      exec: node.exec ?? [],
      interfaces: interfaces.get(node.name)!.map((name, j) => ({ name, mac: mac(i + 1, j + 1), mtu: 1500 })),
    })),
    links,
    lans,
    events: input.events ?? [],
    expect: input.expect ?? [],
  };
}

/**
 * Seven fake nodes exercising every link feature: a router chain with a slow link (queue drops), a
 * lossy link, a small-MTU link, a switched LAN with unicast replies, a hub, a link going down and up,
 * and a node stopped and started.
 */
export function mixedSpec(): TopologySpec {
  return buildSpec({
    name: 'mixed',
    seed: 7,
    nodes: [
      { name: 'h1', kind: 'host' },
      { name: 'r1', kind: 'router' },
      { name: 'r2', kind: 'router' },
      { name: 'r3', kind: 'router' },
      { name: 'h2', kind: 'host' },
      { name: 'h3', kind: 'host' },
      { name: 'h4', kind: 'host' },
    ],
    links: [
      { ends: ['h1:eth0', 'r1:eth0'] },
      { ends: ['r1:eth1', 'r2:eth0'], params: { latencyNs: 2 * ms, bandwidthBps: 1e6, queue: 3 } },
      { ends: ['r2:eth1', 'r3:eth0'], params: { latencyNs: 1.5 * ms, loss: 0.5 } },
      { ends: ['r3:eth1', 'h2:eth0'], params: { mtu: 100 } },
    ],
    lans: [
      { name: 'lan1', type: 'switch', members: ['r3:eth2', 'h3:eth0', 'h4:eth0'], params: { latencyNs: 0.5 * ms } },
      { name: 'lan2', type: 'hub', members: ['h3:eth1', 'h4:eth1'], params: { latencyNs: 0.3 * ms } },
    ],
    events: [
      { at: 0, kind: 'exec', node: 'h1', cmd: 'send eth0 30 64 200000' },
      { at: 1 * ms, kind: 'exec', node: 'h1', cmd: 'send eth0 5 200 1000000' },
      { at: 1 * ms, kind: 'exec', node: 'h2', cmd: 'send eth0 2 200 1000000' },
      { at: 2 * ms, kind: 'exec', node: 'h4', cmd: 'send eth0 6 64 700000' },
      { at: 2 * ms, kind: 'exec', node: 'h3', cmd: 'send eth1 4 80 300000' },
      { at: 3 * ms, kind: 'exec', node: 'h3', cmd: 'send eth0 4 64 500000 02:00:00:00:07:01' },
      { at: 4 * ms, kind: 'link', link: 'h1:eth0--r1:eth0', change: { up: false } },
      { at: 6 * ms, kind: 'link', link: 'h1:eth0--r1:eth0', change: { up: true, latencyNs: 0.8 * ms } },
      { at: 5 * ms, kind: 'node', node: 'r3', action: 'stop' },
      { at: 7 * ms, kind: 'node', node: 'r3', action: 'start' },
    ],
    expect: [{ at: 9 * ms, node: 'h2', cmd: 'stats', stdout: [{ kind: 'contains', text: 'h2 in' }], stderr: [{ kind: 'empty' }], notStdout: [], line: 1 }],
  });
}
