/**
 * Seed 000, the roaming laptop: a UDP socket while addresses and routes change under it.
 *
 * Default mode is checked against the real kernel: the expectations below are
 * test/kernel/roaming-laptop.expected.txt, recorded by test/kernel/roaming-laptop.py in network
 * namespaces (same topology, same steps, one unconnected and one connected socket). The
 * `netbsd-2004` expectations are the seed's own observations, step by step.
 */
import { describe, expect, it } from 'vitest';
import { Lab, MS, opened } from '../testing/lab.js';
import { checkFrame, udp } from '../testing/frame-checks.js';
import type { UdpSocket } from '../process.js';
import type { CompatSettings } from '../node-host.js';

/** laptop wm0 193.71.2.59/24 + ath0 10.13.65.16/24; target 193.71.2.52 (and .1); wireless gw 10.13.65.1 / 193.71.2.2. */
function roamingLaptop(compat?: CompatSettings): { lab: Lab; received: string[] } {
  const lab = new Lab();
  lab.addNode('laptop', compat !== undefined ? { compat } : {});
  lab.addNode('target');
  lab.addNode('wgw', { forwarding: true });
  lab.link('laptop:wm0', 'target:eth0', 'wgw:wd0');
  lab.link('laptop:ath0', 'wgw:wl0');
  lab.addr('laptop', 'wm0', '193.71.2.59/24');
  lab.addr('laptop', 'ath0', '10.13.65.16/24');
  lab.route('laptop', 'default', { via: '193.71.2.1' });
  lab.addr('target', 'eth0', '193.71.2.52/24');
  lab.addr('target', 'eth0', '193.71.2.1/24');
  lab.addr('wgw', 'wl0', '10.13.65.1/24');
  lab.addr('wgw', 'wd0', '193.71.2.2/24');
  const received: string[] = [];
  const rx = opened(lab.node('target').parts.sockets.openUdp({}));
  rx.bind('0.0.0.0', 9);
  rx.onMessage((d) => received.push(d.from.address));
  return { lab, received };
}

/** Send one datagram; `RESULT DEV SRC` as the script prints it. */
function sendOne(lab: Lab, received: string[], socket: UdpSocket, connected: boolean): string {
  const start = lab.now;
  received.length = 0;
  const result = connected ? socket.sendto(new Uint8Array(512)) : socket.sendto(new Uint8Array(512), { address: '193.71.2.52', port: 9 });
  lab.run(50 * MS);
  if (!result.ok) return `${result.errno} - -`;
  const devs = ['wm0', 'ath0'].filter((dev) => lab.sent('laptop', dev, start).some((f) => checkFrame(f.frame, udp({ destinationPort: 9, length: 512 })) === null));
  return `OK ${devs.join(',') || '?'} ${received[0] ?? 'lost'}`;
}

const REAL_KERNEL = `
start unconnected OK wm0 193.71.2.59
start connected OK wm0 193.71.2.59
wm0-down unconnected ENETUNREACH - -
wm0-down connected ENETUNREACH - -
wm0-up unconnected OK wm0 193.71.2.59
wm0-up connected OK wm0 193.71.2.59
del-wired-addr unconnected ENETUNREACH - -
del-wired-addr connected ENETUNREACH - -
add-wired-addr unconnected OK wm0 193.71.2.59
add-wired-addr connected OK wm0 193.71.2.59
del-wired-addr-2 unconnected ENETUNREACH - -
del-wired-addr-2 connected ENETUNREACH - -
del-default unconnected ENETUNREACH - -
del-default connected ENETUNREACH - -
default-via-wireless unconnected OK ath0 10.13.65.16
default-via-wireless connected ENETUNREACH - -
readd-wired-addr unconnected OK wm0 193.71.2.59
readd-wired-addr connected OK wm0 193.71.2.59
del-wireless-addr unconnected OK wm0 193.71.2.59
del-wireless-addr connected OK wm0 193.71.2.59
del-default-2 unconnected OK wm0 193.71.2.59
del-default-2 connected OK wm0 193.71.2.59
default-via-wired unconnected OK wm0 193.71.2.59
default-via-wired connected OK wm0 193.71.2.59
readd-wireless-addr unconnected OK wm0 193.71.2.59
readd-wireless-addr connected OK wm0 193.71.2.59
del-wireless-addr-2 unconnected OK wm0 193.71.2.59
del-wireless-addr-2 connected OK wm0 193.71.2.59
readd-wireless-addr-3 unconnected OK wm0 193.71.2.59
readd-wireless-addr-3 connected OK wm0 193.71.2.59
backup-default unconnected OK wm0 193.71.2.59
backup-default connected OK wm0 193.71.2.59
del-wired-addr-3 unconnected OK ath0 10.13.65.16
del-wired-addr-3 connected ENETUNREACH - -
readd-wired-addr-3 unconnected OK wm0 193.71.2.59
readd-wired-addr-3 connected OK wm0 193.71.2.59
host-route-via-wireless unconnected OK ath0 10.13.65.16
host-route-via-wireless connected OK ath0 193.71.2.59
`.trim();

const STEPS: [string, string | null][] = [
  ['start', null],
  ['wm0-down', 'ip link set wm0 down'],
  ['wm0-up', 'ip link set wm0 up'],
  ['del-wired-addr', 'ip addr del 193.71.2.59/24 dev wm0'],
  ['add-wired-addr', 'ip addr add 193.71.2.59/24 dev wm0'],
  ['del-wired-addr-2', 'ip addr del 193.71.2.59/24 dev wm0'],
  ['del-default', 'ip route del default'],
  ['default-via-wireless', 'ip route add default via 10.13.65.1'],
  ['readd-wired-addr', 'ip addr add 193.71.2.59/24 dev wm0'],
  ['del-wireless-addr', 'ip addr del 10.13.65.16/24 dev ath0'],
  ['del-default-2', 'ip route del default'],
  ['default-via-wired', 'ip route add default via 193.71.2.1'],
  ['readd-wireless-addr', 'ip addr add 10.13.65.16/24 dev ath0'],
  ['del-wireless-addr-2', 'ip addr del 10.13.65.16/24 dev ath0'],
  ['readd-wireless-addr-3', 'ip addr add 10.13.65.16/24 dev ath0'],
  ['backup-default', 'ip route add default via 10.13.65.1 metric 100'],
  ['del-wired-addr-3', 'ip addr del 193.71.2.59/24 dev wm0'],
  ['readd-wired-addr-3', 'ip addr add 193.71.2.59/24 dev wm0'],
  ['host-route-via-wireless', 'ip route add 193.71.2.52/32 via 10.13.65.1'],
];

describe('the roaming laptop (seed 000)', () => {
  it('default mode gives what the real kernel gave, step by step, for unconnected and connected sockets', () => {
    const { lab, received } = roamingLaptop();
    const sockets = lab.node('laptop').parts.sockets;
    const unconnected = opened(sockets.openUdp({}));
    unconnected.bind('0.0.0.0', 0);
    const connected = opened(sockets.openUdp({}));
    expect(connected.connect('193.71.2.52', 9)).toEqual({ ok: true });
    // Resolve the neighbours first, as the script's ping does.
    unconnected.sendto(new Uint8Array(1), { address: '193.71.2.52', port: 9 });
    lab.run(100 * MS);
    const lines: string[] = [];
    for (const [name, command] of STEPS) {
      if (command !== null) {
        // As the script does, a failing command is not an error (`ip route del default` fails
        // when deleting the last address already flushed the route).
        lab.exec('laptop', command);
        lab.run(50 * MS);
      }
      lines.push(`${name} unconnected ${sendOne(lab, received, unconnected, false)}`);
      lines.push(`${name} connected ${sendOne(lab, received, connected, true)}`);
    }
    expect(lines.join('\n')).toBe(REAL_KERNEL);
  });

  it('netbsd-2004 mode reproduces the seed: ENETDOWN, EADDRNOTAVAIL stuck until the address returns', () => {
    const { lab, received } = roamingLaptop({ 'netbsd-2004': true });
    const sockets = lab.node('laptop').parts.sockets;
    let socket = opened(sockets.openUdp({}));
    socket.bind('0.0.0.0', 0);
    const step = (commands: string[]): string => {
      // `route delete default` fails where Linux already flushed the route with the address.
      for (const command of commands) lab.exec('laptop', command);
      lab.run(50 * MS);
      return sendOne(lab, received, socket, false);
    };
    expect(step([])).toBe('OK wm0 193.71.2.59');
    expect(step(['ifconfig wm0 down'])).toBe('ENETDOWN - -');
    expect(step(['ifconfig wm0 up'])).toBe('OK wm0 193.71.2.59');
    expect(step(['ifconfig wm0 inet 193.71.2.59 delete'])).toBe('EADDRNOTAVAIL - -');
    expect(step(['ifconfig wm0 inet 193.71.2.59'])).toBe('OK wm0 193.71.2.59');
    expect(step(['ifconfig wm0 inet 193.71.2.59 delete', 'route delete default', 'route add default 10.13.65.1'])).toBe('EADDRNOTAVAIL - -');
    expect(step([])).toBe('EADDRNOTAVAIL - -');
    // ^C and a new run of the test program: a new socket sends over the wireless link.
    socket.close();
    socket = opened(sockets.openUdp({}));
    socket.bind('0.0.0.0', 0);
    expect(step([])).toBe('OK ath0 10.13.65.16');
    // The wired network comes back: the socket keeps its cached route through ath0.
    expect(step(['ifconfig wm0 inet 193.71.2.59 netmask 255.255.255.0'])).toBe('OK ath0 10.13.65.16');
    expect(step(['ifconfig ath0 inet 10.13.65.16 delete'])).toBe('EADDRNOTAVAIL - -');
    expect(step(['route delete default', 'route add default 193.71.2.1'])).toBe('EADDRNOTAVAIL - -');
    expect(step(['ifconfig ath0 inet 10.13.65.16'])).toBe('OK wm0 193.71.2.59');
    expect(step(['ifconfig ath0 inet 10.13.65.16 delete'])).toBe('OK wm0 193.71.2.59');
  });

  it('an unconnected socket fails over when its source address is deleted (default mode)', () => {
    const { lab, received } = roamingLaptop();
    lab.exec('laptop', 'ip route add default via 10.13.65.1 metric 100');
    const socket = opened(lab.node('laptop').parts.sockets.openUdp({}));
    expect(sendOne(lab, received, socket, false)).toBe('OK wm0 193.71.2.59');
    lab.exec('laptop', 'ip addr del 193.71.2.59/24 dev wm0');
    expect(sendOne(lab, received, socket, false)).toBe('OK ath0 10.13.65.16');
  });
});
