/**
 * The MCoA network of the tests, built on the stack's Lab (real nodes, in-memory links, a manual
 * clock): a mobile node `mn` with eth0 in visited network A (router `va`) and eth1 in visited
 * network B (router `vb`), its home agent `ha` alone on the home link 2001:db8:1::/64, and a
 * correspondent `cn`, all three routers and the CN on a core segment, and `hh`, a host on the home
 * link (2001:db8:1::9, default route via the home agent):
 *
 *   mn:eth0 — va (2001:db8:a::/64)        va:eth1, vb:eth1, ha:eth1, cn:eth0 — core 2001:db8:ff::/64
 *   mn:eth1 — vb (2001:db8:b::/64)        ha:eth0, hh:eth0 — home link 2001:db8:1::/64
 *
 * The MN's care-of addresses are static (2001:db8:a::100, 2001:db8:b::100), its default routes
 * via va (metric 100, the "first" one) and vb (metric 200). Bindings live 16 s (4 units of 4 s)
 * so that expiry shows within a test.
 */
import { registerMip6 } from '../mip6.js';
import { Lab, MS, SECOND } from '@netloom/stack/testing/lab';
import type { CompatSettings } from '@netloom/stack';
import { echo6Program } from '@netloom/stack/testing/programs';

export { MS, SECOND };

export const HOME_ADDRESS = '2001:db8:1::100';
export const HOME_AGENT = '2001:db8:1::1';
export const CARE_OF_A = '2001:db8:a::100';
export const CARE_OF_B = '2001:db8:b::100';
export const CORRESPONDENT = '2001:db8:ff::9';

export const MOBILE_NODE_CONF = `NodeConfig MN;
Interface "eth0" { MnIfPreference 1; }
Interface "eth1" { MnIfPreference 2; }
UseMCoA enabled;
MnMaxHaBindingLife 16;
MnHomeLink "ip6tnl1" {
  HomeAgentAddress ${HOME_AGENT};
  HomeAddress ${HOME_ADDRESS}/64;
}
`;

export const HOME_AGENT_CONF = `NodeConfig HA;
Interface "eth0";
UseMCoA enabled;
HaMaxBindingLife 16;
`;

/** A counter `mip6d stats` prints on `node`. */
export function statistic(lab: Lab, node: string, name: string): number {
  const line = lab.exec(node, 'mip6d stats').stdout.split('\n').find((l) => l.startsWith(`${name}:`));
  return Number(line?.split(': ')[1]);
}

/** The sequence numbers the pinger (stack's echo6Program) saw echo replies for. */
export function repliesOf(stdout: string): number[] {
  return [...stdout.matchAll(/type 129 code 0 seq (\d+)/g)].map((m) => Number(m[1]));
}

export interface McoaLab {
  lab: Lab;
  /** The segment of mn:eth0 — va:eth0 (cut it with lab.setLink(segmentA, false)). */
  segmentA: number;
  segmentB: number;
}

function run(lab: Lab, node: string, line: string): void {
  const result = lab.exec(node, line);
  if (result.status !== 0) throw new Error(`${node}: ${line}: ${result.stderr}`);
}

export function writeFile(lab: Lab, node: string, path: string, text: string): void {
  const files = lab.node(node).shell.files;
  const opened = files.open(path, false);
  if (!opened.ok) throw new Error(`${node}: ${path}: ${opened.errno}`);
  const written = files.append(path, text);
  if (!written.ok) throw new Error(`${node}: ${path}: ${written.errno}`);
}

/** The network, with mip6d configured (not started) on mn and ha; `compat` for the mobile node. */
export function mcoaLab(compat: CompatSettings = {}, homeAgentConf = HOME_AGENT_CONF, mobileNodeConf = MOBILE_NODE_CONF): McoaLab {
  const lab = new Lab();
  lab.addNode('mn', { compat });
  for (const name of ['va', 'vb', 'ha']) lab.addNode(name, { forwarding: true });
  lab.addNode('cn', { programs: { pinger6: echo6Program } });
  lab.addNode('hh', { programs: { pinger6: echo6Program } });
  const segmentA = lab.link('mn:eth0', 'va:eth0');
  const segmentB = lab.link('mn:eth1', 'vb:eth0');
  lab.link('ha:eth0', 'hh:eth0');
  lab.link('va:eth1', 'vb:eth1', 'ha:eth1', 'cn:eth0');
  for (const router of ['va', 'vb', 'ha']) run(lab, router, 'sysctl -w net.ipv6.conf.all.forwarding=1');
  run(lab, 'ha', 'sysctl -w net.ipv6.conf.all.proxy_ndp=1');
  const addresses: [string, string, string][] = [
    ['va', 'eth0', '2001:db8:a::1/64'],
    ['va', 'eth1', '2001:db8:ff::a/64'],
    ['vb', 'eth0', '2001:db8:b::1/64'],
    ['vb', 'eth1', '2001:db8:ff::b/64'],
    ['ha', 'eth0', `${HOME_AGENT}/64`],
    ['ha', 'eth1', '2001:db8:ff::1/64'],
    ['cn', 'eth0', `${CORRESPONDENT}/64`],
    ['hh', 'eth0', '2001:db8:1::9/64'],
    ['mn', 'eth0', `${CARE_OF_A}/64`],
    ['mn', 'eth1', `${CARE_OF_B}/64`],
  ];
  for (const [node, dev, cidr] of addresses) run(lab, node, `ip -6 addr add ${cidr} dev ${dev} nodad`);
  run(lab, 'va', 'ip -6 route add default via 2001:db8:ff::1');
  run(lab, 'vb', 'ip -6 route add default via 2001:db8:ff::1');
  run(lab, 'ha', 'ip -6 route add 2001:db8:a::/64 via 2001:db8:ff::a');
  run(lab, 'ha', 'ip -6 route add 2001:db8:b::/64 via 2001:db8:ff::b');
  run(lab, 'cn', 'ip -6 route add default via 2001:db8:ff::1');
  run(lab, 'hh', `ip -6 route add default via ${HOME_AGENT}`);
  run(lab, 'mn', 'ip -6 route add default via 2001:db8:a::1 dev eth0 metric 100');
  run(lab, 'mn', 'ip -6 route add default via 2001:db8:b::1 dev eth1 metric 200');
  for (const name of ['mn', 'ha']) registerMip6(lab.node(name), name === 'mn' ? compat : {});
  writeFile(lab, 'mn', '/etc/mip6d.conf', mobileNodeConf);
  writeFile(lab, 'ha', '/etc/mip6d.conf', homeAgentConf);
  return { lab, segmentA, segmentB };
}

/**
 * Start mip6d on the home agent, then the mobile node, and let the first registrations finish.
 * First 2 s pass: the routers' link-local addresses finish DAD (until then they send no
 * neighbour solicitation for a packet they forward, as Linux).
 */
export function startMip6(lab: Lab): void {
  lab.run(2 * SECOND);
  run(lab, 'ha', 'mip6d');
  run(lab, 'mn', 'mip6d');
  lab.run(500 * MS);
}
