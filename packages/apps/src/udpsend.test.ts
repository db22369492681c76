/**
 * udpsend on real nodes (testing/node-lab.ts): the line format (documented in udpsend.ts), the
 * schedule, and the errno a real route change gives (prohibit: EACCES, unreachable: EHOSTUNREACH,
 * no route: ENETUNREACH, as ip_route_output gives them on Linux). The seed's laptop: wm0
 * 193.71.2.59/24 on a LAN with the target 193.71.2.52 and the wireless gateway's 193.71.2.2; ath0
 * 10.13.65.16/24 to the wireless gateway's 10.13.65.1. What left the laptop is read from its frames.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { MS, NodeLab, SECOND, sentArp, sentProbes } from './testing/node-lab.js';

const EPHEMERAL = /^(3276[89]|327[7-9]\d|32[89]\d\d|3[3-9]\d{3}|[45]\d{4}|60\d{3})$/;

function laptop(): NodeLab {
  const lab = new NodeLab(programs);
  lab.addNode('laptop');
  lab.addNode('target');
  lab.addNode('wireless-gw', { forwarding: true });
  lab.link('laptop:wm0', 'target:eth0', 'wireless-gw:eth1');
  lab.link('laptop:ath0', 'wireless-gw:eth0');
  lab.sh('laptop', 'ip addr add 193.71.2.59/24 dev wm0');
  lab.sh('laptop', 'ip addr add 10.13.65.16/24 dev ath0');
  lab.sh('target', 'ip addr add 193.71.2.52/24 dev eth0');
  lab.sh('wireless-gw', 'ip addr add 10.13.65.1/24 dev eth0');
  lab.sh('wireless-gw', 'ip addr add 193.71.2.2/24 dev eth1');
  lab.exec('target', 'nc -u -l 9'); // the discard service, so that no port unreachable comes back
  return lab;
}

/** The laptop's UDP datagrams on both interfaces, in time order. */
function sent(lab: NodeLab) {
  return [...sentProbes(lab, 'laptop', 'wm0'), ...sentProbes(lab, 'laptop', 'ath0')].filter((p) => p.udpPort !== undefined).sort((x, y) => x.at - y.at);
}

describe('udpsend', () => {
  it('prints one line per send with the time, result, interface and source', () => {
    const lab = laptop();
    const run = lab.exec('laptop', 'udpsend 193.71.2.52 9 --count 4');
    lab.run(500 * MS);
    lab.sh('laptop', 'ip route add prohibit 193.71.2.52');
    lab.run(1 * SECOND);
    lab.sh('laptop', 'ip route replace unreachable 193.71.2.52');
    lab.run(1 * SECOND);
    lab.sh('laptop', 'ip route replace 193.71.2.52 via 10.13.65.1');
    lab.runUntil(lab.now + 10 * SECOND, () => run.status !== null);
    const [header = '', ...lines] = run.stdout.split('\n');
    expect(header).toMatch(/^udpsend to 193\.71\.2\.52 port 9, 512 bytes every 1\.000s, unconnected socket bound to 0\.0\.0\.0:(\d+)$/);
    const port = /:(\d+)$/.exec(header)?.[1] ?? '';
    expect(port).toMatch(EPHEMERAL);
    expect(lines).toEqual([
      '0.000 sendto #1: OK dev wm0 src 193.71.2.59',
      '1.000 sendto #2: EACCES (Permission denied)',
      '2.000 sendto #3: EHOSTUNREACH (No route to host)',
      '3.000 sendto #4: OK dev ath0 src 10.13.65.16',
      '--- udpsend: 4 sent, 2 ok, 2 failed',
      '',
    ]);
    expect(run.status).toBe(1);
    lab.run(10 * MS); // the last datagram waits for the wireless gateway's MAC
    // Only the two sends that succeeded left, each after its ARP (2 ms), from the one bound port.
    expect(sent(lab).map((p) => [p.at, p.source, p.destination, p.udpSourcePort, p.udpPayloadLength])).toEqual([
      [2 * MS, '193.71.2.59', '193.71.2.52', Number(port), 512],
      [3 * SECOND + 2 * MS, '10.13.65.16', '193.71.2.52', Number(port), 512],
    ]);
  });

  it('honours --interval, --size, --bind, --device, and short options', () => {
    const lab = laptop();
    const r = lab.exec('laptop', 'udpsend -i 500ms -s 64 -c 3 -b 193.71.2.59:5000 -I wm0 193.71.2.52 9', 10 * SECOND);
    expect(r.stdout).toBe(
      'udpsend to 193.71.2.52 port 9, 64 bytes every 0.500s, unconnected socket bound to 193.71.2.59:5000\n' +
        '0.000 sendto #1: OK dev wm0 src 193.71.2.59\n0.500 sendto #2: OK dev wm0 src 193.71.2.59\n1.000 sendto #3: OK dev wm0 src 193.71.2.59\n' +
        '--- udpsend: 3 sent, 3 ok, 0 failed\n',
    );
    expect(r.status).toBe(0);
    expect(sent(lab).map((p) => [p.at, p.udpSourcePort, p.udpPayloadLength])).toEqual([
      [2 * MS, 5000, 64],
      [500 * MS, 5000, 64],
      [1 * SECOND, 5000, 64],
    ]);
  });

  it('SO_BINDTODEVICE sends out of that device even where the route goes elsewhere (the destination taken as on-link)', () => {
    const lab = laptop();
    const r = lab.exec('laptop', 'udpsend -I ath0 -c 1 193.71.2.52 9', 1 * SECOND);
    expect(r.stdout.split('\n')[1]).toBe('0.000 sendto #1: OK dev ath0 src 10.13.65.16');
    lab.run(10 * MS);
    expect(sentArp(lab, 'laptop', 'ath0')).toMatchObject([{ operation: 'request', senderIp: '10.13.65.16', targetIp: '193.71.2.52' }]);
  });

  it('shows the connected source, and sends without a destination', () => {
    const lab = laptop();
    const r = lab.exec('laptop', 'udpsend --connect --count 1 193.71.2.52 9', 1 * SECOND);
    // connect() picks the source address and a port (getsockname), as on Linux.
    expect(r.stdout.split('\n')[0]).toMatch(/^udpsend to 193\.71\.2\.52 port 9, 512 bytes every 1\.000s, connected socket 193\.71\.2\.59:\d+ -> 193\.71\.2\.52:9$/);
    lab.run(10 * MS); // the datagram waits for the target's MAC
    expect(sent(lab)).toMatchObject([{ source: '193.71.2.59', destination: '193.71.2.52', udpPort: 9 }]);
  });

  it('reports a failed connect and exits 1', () => {
    const r = laptop().exec('laptop', 'udpsend --connect 10.99.0.1 9', 1 * SECOND);
    expect(r.stdout).toBe('udpsend to 10.99.0.1 port 9, 512 bytes every 1.000s, connect failed\n0.000 connect: ENETUNREACH (Network is unreachable)\n');
    expect(r.status).toBe(1);
  });

  it('sets SO_BROADCAST with --broadcast and IP_TTL with --ttl', () => {
    const lab = laptop();
    const r = lab.exec('laptop', 'udpsend --broadcast --ttl 1 -c 1 193.71.2.255 9', 1 * SECOND);
    expect(r.stdout.split('\n')[1]).toBe('0.000 sendto #1: OK dev wm0 src 193.71.2.59');
    expect(sent(lab)).toMatchObject([{ at: 0, destination: '193.71.2.255', ttl: 1 }]);
  });

  it('passes IP_PKTINFO source and interface', () => {
    const lab = laptop();
    const source = lab.exec('laptop', 'udpsend --pktinfo 10.13.65.16 -c 1 193.71.2.52 9', 1 * SECOND);
    expect(source.stdout.split('\n')[1]).toBe('0.000 sendto #1: OK dev wm0 src 10.13.65.16');
    const both = lab.exec('laptop', 'udpsend --pktinfo 10.13.65.16 --pktinfo-dev ath0 -c 1 193.71.2.52 9', 1 * SECOND);
    expect(both.stdout.split('\n')[1]).toBe('0.000 sendto #1: OK dev ath0 src 10.13.65.16');
    lab.run(10 * MS);
    // The first left wm0 from ath0's address; the second, sent out of ath0 to a destination taken as
    // on-link there, waits for an ARP answer nobody on ath0 gives.
    expect(sent(lab).map((p) => [p.source, p.destination])).toEqual([['10.13.65.16', '193.71.2.52']]);
    expect(sentArp(lab, 'laptop', 'ath0')).toMatchObject([{ operation: 'request', senderIp: '10.13.65.16', targetIp: '193.71.2.52' }]);
  });

  it('runs until Ctrl-C without --count', () => {
    const lab = laptop();
    const r = lab.exec('laptop', 'udpsend 193.71.2.52 9');
    lab.run(2500 * MS);
    r.interrupt();
    expect(r.stdout.trim().split('\n').slice(-2)).toEqual(['2.000 sendto #3: OK dev wm0 src 193.71.2.59', '--- udpsend: 3 sent, 3 ok, 0 failed']);
    expect(r.status).toBe(0);
  });

  it('rejects bad arguments with usage and status 2', () => {
    const lab = laptop();
    const cases: [string, string][] = [
      ['193.71.2.52', 'udpsend: need DEST and PORT'],
      ['193.71.2.52 x', "udpsend: invalid port 'x'"],
      ['--interval soon 193.71.2.52 9', "udpsend: invalid interval 'soon'"],
      ['--size -1 193.71.2.52 9', "udpsend: invalid size '-1'"],
      ['--bind here 193.71.2.52 9', "udpsend: invalid bind address 'here'"],
      ['--frobnicate 193.71.2.52 9', "udpsend: unrecognized option '--frobnicate'"],
    ];
    for (const [args, message] of cases) {
      const r = lab.exec('laptop', `udpsend ${args}`, SECOND);
      expect(r.stderr.split('\n')[0]).toBe(message);
      expect(r.stderr).toContain('Usage: udpsend DEST PORT');
      expect(r.status).toBe(2);
    }
    const bind = lab.exec('laptop', 'udpsend --bind 10.9.9.9 193.71.2.52 9', SECOND);
    expect(bind.stderr).toBe('udpsend: bind 10.9.9.9: EADDRNOTAVAIL (Cannot assign requested address)\n');
    expect(bind.status).toBe(2);
    const device = lab.exec('laptop', 'udpsend --device wlan9 193.71.2.52 9', SECOND);
    expect(device.stderr).toBe('udpsend: SO_BINDTODEVICE wlan9: ENODEV (No such device)\n');
    const name = lab.exec('laptop', 'udpsend nowhere 9', SECOND);
    expect(name.stderr).toBe('udpsend: nowhere: Name or service not known\n');
    expect(sent(lab)).toEqual([]);
  });
});
