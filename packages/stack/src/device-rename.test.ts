/**
 * A device renamed on a running node (`ip link set eth0 name wan0`): the datapath follows it
 * (neighbour entries, packet counters, a socket bound with SO_BINDTODEVICE, an ARP listener), while
 * the host — the runtime, its links, traces and pcaps — keeps calling the port by its topology name.
 */
import { describe, expect, test } from 'vitest';
import { Lab, MS, SECOND } from './testing/lab.js';
import { echoProgram } from './testing/programs.js';
import type { Program } from './process.js';

/** `boundping DEV DEST COUNT`: echo requests 1 s apart on a socket bound to DEV, one line per reply. */
const boundPing: Program = (ctx) => {
  const socket = ctx.icmpSocket(4);
  if ('errno' in socket) return ctx.exit(2);
  const [, dev = '', destination = '', count = '1'] = ctx.argv;
  const bound = socket.setsockopt('SO_BINDTODEVICE', dev);
  if (!bound.ok) {
    ctx.stdout(`bind ${bound.errno}\n`);
    return ctx.exit(2);
  }
  socket.onMessage((m) => ctx.stdout(`reply seq ${m.sequence}\n`));
  let sequence = 0;
  const send = (): void => {
    sequence++;
    const sent = socket.sendEcho(destination, 0x4242, sequence, new Uint8Array(8));
    ctx.stdout(sent.ok ? `sent ${sequence} dev ${sent.info.ifname}\n` : `sent ${sequence} ${sent.errno}\n`);
    if (sequence < Number(count)) ctx.setTimer(SECOND, send);
    else ctx.setTimer(SECOND, () => ctx.exit(0));
  };
  send();
};

function twoHosts(): Lab {
  const lab = new Lab();
  lab.addNode('h1', { programs: { pinger: echoProgram, boundping: boundPing } });
  lab.addNode('h2', { programs: { pinger: echoProgram } });
  lab.link('h1:eth0', 'h2:eth0');
  lab.addr('h1', 'eth0', '10.0.0.1/24');
  lab.addr('h2', 'eth0', '10.0.0.2/24');
  return lab;
}

describe('renaming a device on a running node', () => {
  test('frames still leave and arrive through the topology port; the neighbour entry and counters follow the device', () => {
    const lab = twoHosts();
    expect(lab.exec('h1', 'pinger 10.0.0.2 1', 2 * SECOND).stdout).toBe('10.0.0.2 type 0 code 0 seq 1 ttl 64\n');
    expect(lab.exec('h1', 'ip link set eth0 name wan0').status).toBe(0);
    expect(lab.exec('h1', 'ip neigh show').stdout).toBe('10.0.0.2 dev wan0 lladdr 02:00:00:00:02:01 REACHABLE \n');
    const before = lab.sent('h1', 'eth0').length;
    expect(lab.exec('h1', 'pinger 10.0.0.2 1', 2 * SECOND).stdout).toBe('10.0.0.2 type 0 code 0 seq 1 ttl 64\n');
    expect(lab.sent('h1', 'eth0').length).toBeGreaterThan(before);
    expect(lab.sent('h1', 'wan0')).toEqual([]);
    // The counters moved with the device: everything sent and received so far is on wan0.
    const stats = lab.exec('h1', 'ip -s link show wan0').stdout.split('\n');
    expect(stats[3]?.trim().split(/\s+/)[1]).toBe(String(lab.node('h1').counters().framesIn));
    expect(stats[5]?.trim().split(/\s+/)[1]).toBe(String(lab.sent('h1').length));
    expect(lab.node('h1').interfaceNames()).toEqual(['lo', 'wan0']);
    expect(lab.node('h1').addresses()).toEqual([
      { ifname: 'lo', family: 4, address: '127.0.0.1', prefixLength: 8 },
      { ifname: 'lo', family: 6, address: '::1', prefixLength: 128 },
      { ifname: 'wan0', family: 4, address: '10.0.0.1', prefixLength: 24 },
      { ifname: 'wan0', family: 6, address: 'fe80::ff:fe00:101', prefixLength: 64 },
    ]);
  });

  test('carrier changes reach the renamed device, and trace events name the port', () => {
    const lab = twoHosts();
    lab.exec('h1', 'ip link set eth0 name wan0');
    lab.node('h1').setCarrier('eth0', false, lab.now);
    expect(lab.exec('h1', 'ip link show wan0').stdout).toContain('<NO-CARRIER,BROADCAST,MULTICAST,UP>');
    lab.node('h1').setCarrier('eth0', true, lab.now);
    // A frame for a port that is down is dropped; the drop names the port, not the device.
    lab.exec('h1', 'ip link set wan0 down');
    lab.exec('h2', 'pinger 10.0.0.1 1', 10 * MS);
    lab.run(10 * MS);
    const drops = lab.drops('h1').map((e) => (e.event.type === 'drop' ? `${e.event.ifname} ${e.event.reason}` : ''));
    expect(drops).toContain('eth0 interfaceDown');
    expect(drops.some((d) => d.startsWith('wan0'))).toBe(false);
  });

  test('a socket bound to the device (SO_BINDTODEVICE keeps its index) keeps working through the rename', () => {
    const lab = twoHosts();
    const run = lab.exec('h1', 'boundping eth0 10.0.0.2 3', 500 * MS);
    lab.exec('h1', 'ip link set eth0 name wan0');
    lab.run(4 * SECOND);
    expect(run.stdout).toBe('sent 1 dev eth0\nreply seq 1\nsent 2 dev wan0\nreply seq 2\nsent 3 dev wan0\nreply seq 3\n');
    expect(lab.exec('h1', 'boundping eth0 10.0.0.2 1').stdout).toBe('bind ENODEV\n');
  });

  test('two ports can swap names', () => {
    const lab = new Lab();
    lab.addNode('r', { programs: { pinger: echoProgram } });
    lab.addNode('a');
    lab.addNode('b');
    lab.link('r:eth0', 'a:eth0');
    lab.link('r:eth1', 'b:eth0');
    lab.addr('r', 'eth0', '10.0.1.1/24');
    lab.addr('r', 'eth1', '10.0.2.1/24');
    lab.addr('a', 'eth0', '10.0.1.2/24');
    lab.addr('b', 'eth0', '10.0.2.2/24');
    for (const line of ['ip link set eth0 name tmp', 'ip link set eth1 name eth0', 'ip link set tmp name eth1']) expect(lab.exec('r', line).status).toBe(0);
    expect(lab.exec('r', 'ip -4 -br addr').stdout).toBe('lo               UNKNOWN        127.0.0.1/8 \neth1             UP             10.0.1.1/24 \neth0             UP             10.0.2.1/24 \n');
    expect(lab.exec('r', 'pinger 10.0.2.2 1', 2 * SECOND).stdout).toBe('10.0.2.2 type 0 code 0 seq 1 ttl 64\n');
    // Toward b: the device now called eth0 is the port eth1.
    expect(lab.sent('r', 'eth1').length).toBeGreaterThan(0);
    expect(lab.sent('r', 'eth0')).toEqual([]);
  });
});
