/**
 * A node's `mip6:` block: rendered as /etc/mip6d.conf (the syntax packages/mip6 reads, UMIP's),
 * with `mip6d` appended to the node's startup commands at the block's position; and what is wrong
 * with one reported at its line and column.
 */
import { describe, expect, test } from 'vitest';
import { checkTopology } from './load.js';

const topology = (mip6: string, extra = ''): string => `name: t
nodes:
  mn:
    exec: [ip link set eth0 up]
    mip6:
${mip6}
  r: {}${extra}
links:
  - { endpoints: [mn:eth0, r:eth0] }
  - { endpoints: [mn:eth1, r:eth1] }
`;

describe('the mip6: block', () => {
  test('a mobile node: mip6d.conf with its interfaces by preference, MCoA, the lifetime and the home link, and mip6d started last', () => {
    const result = checkTopology(
      topology(`      role: mobile-node
      home-address: 2001:db8:1::100/64
      home-agent: 2001:db8:1::1
      interfaces: { eth0: 1, eth1: 2 }
      binding-lifetime: 16`),
      't.yaml',
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const mn = result.spec.nodes.find((n) => n.name === 'mn');
    expect(mn?.files).toEqual([
      {
        path: '/etc/mip6d.conf',
        text: 'NodeConfig MN;\nInterface "eth0" { MnIfPreference 1; }\nInterface "eth1" { MnIfPreference 2; }\nUseMCoA enabled;\nMnMaxHaBindingLife 16;\nMnHomeLink "ip6tnl1" {\n  HomeAgentAddress 2001:db8:1::1;\n  HomeAddress 2001:db8:1::100/64;\n}\n',
      },
    ]);
    expect(mn?.exec).toEqual(['ip link set eth0 up', 'mip6d']);
    expect(mn?.execSource?.[1]).toEqual({ line: 5, column: 5 });
  });

  test('a home agent: its home link interface, MCoA off, bulk registration off', () => {
    const result = checkTopology(
      topology(`      role: home-agent
      interfaces: { eth0: 1 }
      mcoa: false
      bulk-registration: false`),
      't.yaml',
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.spec.nodes.find((n) => n.name === 'mn')?.files?.[0]?.text).toBe('NodeConfig HA;\nInterface "eth0";\nUseMCoA disabled;\nHaAcceptBulkRegistration disabled;\n');
  });

  test('a correspondent: NodeConfig CN with route optimisation, and a mobile node asking for it', () => {
    const file = (block: string): string | undefined => {
      const result = checkTopology(topology(block), 't.yaml');
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      return result.spec.nodes.find((n) => n.name === 'mn')?.files?.[0]?.text;
    };
    expect(file('      role: correspondent')).toBe('NodeConfig CN;\nDoRouteOptimizationCN enabled;\n');
    expect(file('      role: correspondent\n      route-optimisation: false')).toBe('NodeConfig CN;\nDoRouteOptimizationCN disabled;\n');
    expect(file('      role: mobile-node\n      home-address: 2001:db8:1::100/64\n      home-agent: 2001:db8:1::1\n      interfaces: { eth0: 1 }\n      route-optimisation: true')).toContain('UseMCoA enabled;\nDoRouteOptimizationMN enabled;\nMnHomeLink');
    const errors = (block: string): string[] => {
      const result = checkTopology(topology(block), 't.yaml');
      return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
    };
    expect(errors('      role: correspondent\n      home-agent: 2001:db8:1::1')).toEqual(["7:7: home-agent is not a correspondent's setting (a correspondent takes route-optimisation)"]);
    expect(errors('      role: home-agent\n      interfaces: { eth0: 1 }\n      route-optimisation: true')).toEqual(["8:7: route-optimisation is a mobile node's or a correspondent's setting, not a home agent's"]);
    expect(errors('      role: home-agent')).toEqual(['5:5: a home-agent needs at least one interface']);
  });

  test('reports a mobile node without a home address, an interface the node lacks, a bad home agent and an unknown role where they are written', () => {
    const errors = (text: string): string[] => {
      const result = checkTopology(text, 't.yaml');
      return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
    };
    expect(errors(topology(`      role: mobile-node
      home-agent: 2001:db8:1::1
      interfaces: { eth0: 1, eth7: 2 }`))).toEqual([
      '5:5: a mobile node needs home-address: an IPv6 address and prefix length, e.g. 2001:db8:1::100/64',
      '8:30: no interface "eth7" on this node (interfaces: eth0, eth1)',
    ]);
    expect(errors(topology(`      role: mobile-node
      home-address: 2001:db8:1::100/64
      home-agent: 10.0.0.1
      interfaces: { eth0: 1 }`))).toEqual(['8:19: a mobile node needs home-agent: an IPv6 address, got "10.0.0.1"']);
    expect(errors(topology(`      role: mobile-router
      interfaces: { eth0: 1 }`))).toEqual(['6:13: unknown mip6 role "mobile-router" (roles: mobile-node, home-agent, correspondent)']);
  });
});
