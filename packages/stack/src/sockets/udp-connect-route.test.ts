/**
 * A connected UDP socket's route is the second of ip_route_connect's two lookups: the first chooses
 * the source, the route kept is looked up again with it, so a multipath hash (and a `from` rule)
 * sees the source; an unconnected send looks up with none. Shown where it shows: two gateways on one
 * device under `fib_multipath_hash_seed=12345`, where which gateway a datagram leaves by is the
 * neighbour entry it creates. The table was measured on Linux 6.18 (Python sockets in a namespace,
 * `ip neigh show dev …` after each send); when root, the same is measured again live (skips saying
 * so, fails under CI=true).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { Lab, SECOND } from '../testing/lab.js';
import { udpProgram } from '../testing/programs.js';

const SETUP = [
  'sysctl -qw net.ipv4.fib_multipath_hash_seed=12345',
  'ip route add 10.77.0.0/16 nexthop via 10.1.0.2 dev eth0 nexthop via 10.1.0.3 dev eth0',
];

/** Destination → the gateway a connected and an unconnected socket's datagram leaves by, on Linux 6.18. */
const LINUX: [destination: string, connected: string, unconnected: string][] = [
  ['10.77.1.1', '10.1.0.3', '10.1.0.2'],
  ['10.77.1.2', '10.1.0.3', '10.1.0.3'],
  ['10.77.1.6', '10.1.0.2', '10.1.0.3'],
  ['10.77.1.8', '10.1.0.3', '10.1.0.2'],
  ['10.77.1.11', '10.1.0.2', '10.1.0.3'],
];

/** The gateway a datagram from a fresh h1 leaves by (its one neighbour entry). */
function modelGateway(destination: string, connect: boolean): string {
  const lab = new Lab();
  lab.addNode('h1', { programs: { udp: udpProgram } });
  lab.addNode('h2');
  lab.link('h1:eth0', 'h2:eth0');
  lab.addr('h1', 'eth0', '10.1.0.1/24');
  for (const line of SETUP) expect(lab.exec('h1', line).status).toBe(0);
  expect(lab.exec('h1', `udp ${destination} 33434 1 1000${connect ? ' connect' : ''}`, SECOND).stdout).toBe('OK eth0 10.1.0.1\n');
  return lab.exec('h1', 'ip neigh show dev eth0').stdout.split(' ')[0] ?? '';
}

describe('the route of a connected UDP socket', () => {
  test('is looked up again with the source it chose: the gateways Linux took, connected and not', () => {
    expect(LINUX.map(([destination]) => [destination, modelGateway(destination, true), modelGateway(destination, false)])).toEqual(LINUX);
  });
});

const NS = `nl-udpconn-${process.pid}`;

/** The same measurement on this kernel: veth pair, the setup, a Python socket per send. */
function linuxGateways(): [string, string, string][] {
  const sh = (line: string): string => spawnSync('bash', ['-c', line], { encoding: 'utf8' }).stdout ?? '';
  try {
    sh(`ip netns add ${NS} && ip -n ${NS} link add eth0 type veth peer name p0 && ip -n ${NS} link set eth0 up && ip -n ${NS} link set p0 up && ip -n ${NS} addr add 10.1.0.1/24 dev eth0`);
    for (const line of SETUP) sh(`ip netns exec ${NS} ${line}`);
    const gateway = (destination: string, connect: boolean): string => {
      sh(`ip -n ${NS} neigh flush dev eth0`);
      const send = connect ? `s.connect(('${destination}', 33434)); s.send(b'x')` : `s.sendto(b'x', ('${destination}', 33434))`;
      sh(`ip netns exec ${NS} python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); ${send}"`);
      return sh(`ip -n ${NS} neigh show dev eth0`).split(' ')[0] ?? '';
    };
    return LINUX.map(([destination]) => [destination, gateway(destination, true), gateway(destination, false)]);
  } finally {
    sh(`ip netns del ${NS}`);
  }
}

needs({ netns: true, tools: ['bash', 'python3', 'sysctl'] }).describe('the route of a connected UDP socket on this kernel', () => {
  test('Linux still takes the recorded gateways', { timeout: 0 }, () => {
    expect(linuxGateways()).toEqual(LINUX);
    // Synchronous (namespaces and their commands through spawnSync), so no timeout, as stack's
    // other kernel comparisons (docs/testing.md): a timer cannot interrupt it and could only
    // judge speed. The same work at every NETLOOM_TEST_SCALE; 3.0 s (ten Python processes) here.
  });
});
