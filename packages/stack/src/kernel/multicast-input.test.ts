/**
 * `ip route get GROUP iif DEV [from SRC]` for multicast destinations (ip_route_input_mc), replayed
 * from a table recorded on the Linux kernel (fixtures/multicast-input-route.json): which group,
 * source and device combinations answer `RTNETLINK answers: Invalid argument` and what a valid one
 * prints. The replay runs everywhere; when root, the same lines are run again in a fresh namespace
 * and must give the recorded answers (skips saying so, fails under CI=true).
 * `NETLOOM_RECORD=1` (as root) writes the fixture anew from the kernel instead of comparing.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { recordedTableTests } from '../testing/recorded-table.js';

const FIXTURE_PATH = fileURLToPath(new URL('./fixtures/multicast-input-route.json', import.meta.url));

/** eth0 up with 10.1.0.1/24, eth1 up without an address, eth2 down; all with carrier. */
const DEVICES = ['eth0', 'eth1', 'eth2'];
const SETUP = ['ip link set eth0 up', 'ip link set eth1 up', 'ip addr add 10.1.0.1/24 dev eth0'];
const LINES = [
  // all-hosts (joined by every up device), a link-local group and a global group nobody joined
  'ip route get 224.0.0.1 iif eth0',
  'ip route get 224.0.0.1 iif eth0 from 10.1.0.2',
  'ip -j route get 224.0.0.1 iif eth0 from 10.1.0.2',
  'ip -d route get 224.0.0.1 iif eth0 from 10.1.0.2',
  'ip route get 224.0.0.251 iif eth0 from 10.1.0.2',
  'ip route get 224.0.0.251 iif eth0',
  'ip route get 239.1.2.3 iif eth0 from 10.1.0.2',
  'ip route get 239.1.2.3 iif eth0',
  // sources ip_mc_validate_source refuses, and one with no route back (rp_filter off: accepted)
  'ip route get 224.0.0.1 iif eth0 from 127.0.0.1',
  'ip route get 224.0.0.1 iif eth0 from 224.1.1.1',
  'ip route get 224.0.0.1 iif eth0 from 255.255.255.255',
  'ip route get 224.0.0.1 iif eth0 from 10.1.0.1',
  'ip route get 224.0.0.1 iif eth0 from 192.168.9.9',
  // devices: up without an address, down, loopback
  'ip route get 224.0.0.1 iif eth1 from 10.1.0.2',
  'ip route get 224.0.0.1 iif eth2 from 10.1.0.2',
  'ip route get 224.0.0.1 iif lo from 10.1.0.2',
  'ip link set eth1 down',
  'ip route get 224.0.0.1 iif eth1 from 10.1.0.2',
  'ip link set eth1 up',
  'ip route get 224.0.0.1 iif eth1 from 10.1.0.2',
  // getroute accepts only TCP, UDP and ICMP as ipproto
  'ip route get 224.0.0.1 iif eth0 from 10.1.0.2 ipproto igmp',
  'ip route get 224.0.0.1 iif eth0 from 10.1.0.2 ipproto udp',
  'ip route get 10.1.0.2 ipproto igmp',
  // without iif: the output route has no multicast route here
  'ip route get 224.0.0.1',
  // route_localnet lets a loopback source through; strict rp_filter refuses what has no route back
  'sysctl -qw net.ipv4.conf.eth0.route_localnet=1',
  'ip route get 224.0.0.1 iif eth0 from 127.0.0.1',
  'sysctl -qw net.ipv4.conf.all.rp_filter=1',
  'ip route get 224.0.0.1 iif eth0 from 192.168.9.9',
  'ip route get 224.0.0.1 iif eth0 from 10.1.0.2',
  'ip route get 224.0.0.1 iif eth1 from 10.1.0.2',
  'ip route get 224.0.0.1 iif eth0',
];

recordedTableTests(
  'multicast input routes',
  { fixturePath: FIXTURE_PATH, devices: DEVICES, setup: SETUP, lines: LINES },
  {
    up: false,
    checkTable: (table) => {
      // A table that says something: valid answers and EINVAL ones.
      expect(table.cases.filter((c) => c.output.startsWith('multicast 224.0.0.1')).length).toBeGreaterThan(3);
      expect(table.cases.filter((c) => c.output === 'RTNETLINK answers: Invalid argument\n').length).toBeGreaterThan(8);
    },
  },
);
