/**
 * The multipath next hop for a flow, with `net.ipv4.fib_multipath_hash_seed` set, is the kernel's:
 * `ip route get` over a few hundred flows through multipath routes of 2, 3 and 4 weighted next
 * hops — output routes with and without a source (the source preference of fib_select_multipath),
 * input routes (`iif`), UDP, TCP and ICMP, hash policies 0 (L3) and 1 (L4) with two seeds, 2 and 3
 * (custom fields: four `fib_multipath_hash_fields` masks) with one — recorded on
 * Linux (fixtures/multipath-hash-seed.json) and replayed on the model, every answer compared as
 * text. The replay runs everywhere; when root, the same lines are run again in a fresh namespace
 * and must give the recorded answers (skips saying so, fails under CI=true).
 * `NETLOOM_RECORD=1` (as root) writes the fixture anew from the kernel instead of comparing.
 * With seed 0 Linux hashes with a random per-boot key; netloom's own deterministic hash is then
 * only held to spreading flows over the next hops by weight.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { recordedTableTests } from '../testing/recorded-table.js';
import { DEFAULT_HASH_FIELDS, hashedFields, multipathHash, seededFlowHash, selectMultipath } from './multipath.js';
import type { FibNexthop } from './types.js';

const FIXTURE_PATH = fileURLToPath(new URL('./fixtures/multipath-hash-seed.json', import.meta.url));

/** eth0–eth3 lead to the next hops, eth4 is where forwarded packets come in. */
const DEVICES = ['eth0', 'eth1', 'eth2', 'eth3', 'eth4'];
const SETUP = [
  ...DEVICES.map((dev, i) => `ip addr add 10.1.${i}.1/24 dev ${dev}`),
  ...DEVICES.map((dev) => `ip link set ${dev} up`),
  'sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth4.rp_filter=0',
  'ip route add 10.9.0.0/16 nexthop via 10.1.0.2 dev eth0 weight 1 nexthop via 10.1.1.2 dev eth1 weight 2 nexthop via 10.1.2.2 dev eth2 weight 3 nexthop via 10.1.3.2 dev eth3',
  'ip route add 198.51.100.0/24 nexthop via 10.1.0.3 dev eth0 nexthop via 10.1.3.3 dev eth3',
  'ip route add 203.0.113.0/24 nexthop via 10.1.1.4 dev eth1 weight 5 nexthop via 10.1.2.4 dev eth2 nexthop via 10.1.3.4 dev eth3 weight 10',
];

/** A fixed xorshift32 stream: the same flows every run. */
function flowStream(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const SEEDS = [12345, 0xdeadbeef];
const FLOWS_PER_SETTING = 50;
const FLOWS_PER_CUSTOM_SETTING = 20;

/** The lines: per seed and policy, flows of four shapes over the three routes. */
function caseLines(): string[] {
  const next = flowStream(0x6e6c6f6f);
  const lines: string[] = [];
  const destinations = [(r: number) => `10.9.${(r >>> 8) & 0xff}.${r & 0xff}`, (r: number) => `198.51.100.${r & 0xff}`, (r: number) => `203.0.113.${r & 0xff}`];
  const flows = (count: number): void => {
    for (let k = 0; k < count; k++) {
      const r = next();
      const dst = destinations[r % 3]!(next());
      const proto = ['udp', 'tcp', 'icmp'][next() % 3]!;
      const ports = proto === 'icmp' ? '' : ` sport ${1 + (next() % 65535)} dport ${1 + (next() % 65535)}`;
      const l4 = ` ipproto ${proto}${ports}`;
      const shape = k % 4;
      if (shape === 0) lines.push(`ip route get ${dst}${l4}`);
      else if (shape === 1) lines.push(`ip route get ${dst}`);
      else if (shape === 2) {
        const s = next();
        const src = s % 2 ? `10.1.4.${2 + (s % 250)}` : `172.16.${(s >>> 8) & 0xff}.${1 + ((s >>> 16) % 254)}`;
        lines.push(`ip route get ${dst} from ${src} iif eth4${l4}`);
      } else lines.push(`ip route get ${dst} from 10.1.${next() % 4}.1${l4}`);
    }
  };
  for (const seed of SEEDS) {
    lines.push(`sysctl -qw net.ipv4.fib_multipath_hash_seed=${seed}`);
    for (const policy of [0, 1]) {
      lines.push(`sysctl -qw net.ipv4.fib_multipath_hash_policy=${policy}`);
      flows(FLOWS_PER_SETTING);
    }
  }
  // Policy 2 (inner L3: the outer addresses when nothing is encapsulated) and 3 (custom fields:
  // the default src, dst and protocol; all outer fields; ports only; source and protocol).
  lines.push('sysctl -qw net.ipv4.fib_multipath_hash_policy=2');
  flows(FLOWS_PER_CUSTOM_SETTING);
  lines.push('sysctl -qw net.ipv4.fib_multipath_hash_policy=3');
  for (const fields of [0x7, 0x37, 0x30, 0x5]) {
    lines.push(`sysctl -qw net.ipv4.fib_multipath_hash_fields=${fields}`);
    flows(FLOWS_PER_CUSTOM_SETTING);
  }
  return lines;
}

const LINES = caseLines();

recordedTableTests(
  'the multipath next hop with a hash seed',
  { fixturePath: FIXTURE_PATH, devices: DEVICES, setup: SETUP, lines: LINES },
  {
    checkTable: (table) => {
      // Every answer a route, and every next hop of the three routes chosen somewhere.
      expect(table.cases.every((c) => c.status === 0)).toBe(true);
      const gateways = new Set(table.cases.map((c) => / via (\S+)/.exec(c.output)?.[1]).filter((g) => g !== undefined));
      expect([...gateways].sort()).toEqual(['10.1.0.2', '10.1.0.3', '10.1.1.2', '10.1.1.4', '10.1.2.2', '10.1.2.4', '10.1.3.2', '10.1.3.3', '10.1.3.4']);
    },
  },
);

describe('the flow hash', () => {
  const flow = { src: 0x0a010001, dst: 0x0a090102, proto: 17, sport: 1000, dport: 53 };

  test('with a seed, the kernel hash is symmetric: a reply hashes as its request (__flow_hash_consistentify)', () => {
    const reply = { src: flow.dst, dst: flow.src, proto: 17, sport: flow.dport, dport: flow.sport };
    for (const policy of [0, 1, 3]) {
      const fields = hashedFields(policy, DEFAULT_HASH_FIELDS);
      expect(seededFlowHash(reply, fields, 7)).toBe(seededFlowHash(flow, fields, 7));
    }
  });

  test('policy 0 ignores the protocol and ports, policy 1 does not, policy 3 hashes what its fields name', () => {
    const otherPort = { ...flow, sport: 1001 };
    expect(multipathHash(otherPort, 0, 7)).toBe(multipathHash(flow, 0, 7));
    expect(multipathHash(otherPort, 1, 7)).not.toBe(multipathHash(flow, 1, 7));
    expect(multipathHash(otherPort, 0)).toBe(multipathHash(flow, 0));
    expect(multipathHash(otherPort, 1)).not.toBe(multipathHash(flow, 1));
    // Policy 3 with the default fields (addresses and protocol): the port does not count, the protocol does.
    expect(multipathHash(otherPort, 3, 7)).toBe(multipathHash(flow, 3, 7));
    expect(multipathHash({ ...flow, proto: 6 }, 3, 7)).not.toBe(multipathHash(flow, 3, 7));
    expect(multipathHash(otherPort, 3, 7, 0x30)).not.toBe(multipathHash(flow, 3, 7, 0x30));
    expect(multipathHash({ ...flow, src: 1 }, 3, 7, 0x30)).toBe(multipathHash(flow, 3, 7, 0x30));
  });

  test('without a seed, flows spread over the next hops by weight (1:2:3:1 over 7,000 flows)', () => {
    const weights = [1, 2, 3, 1];
    const nexthops = weights.map((weight) => ({ weight }) as FibNexthop);
    let w = 0;
    const bounds = weights.map((weight) => {
      w += weight;
      return Math.round((w * 2 ** 31) / 7) - 1;
    });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 7000; i++) {
      const hash = multipathHash({ src: 0x0a000001 + (i % 97), dst: 0x0a090000 + i, proto: 17, sport: 0, dport: 0 }, 0);
      counts[selectMultipath(nexthops, bounds, hash, 0, () => 0)]! += 1;
    }
    // Within 15% of the weight's share each.
    counts.forEach((count, i) => expect(Math.abs(count - 1000 * weights[i]!)).toBeLessThan(150 * weights[i]!));
  });
});
