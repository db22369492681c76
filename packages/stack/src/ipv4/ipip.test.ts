/**
 * The ipip module on a real server (LVS-TUN): `modprobe ipip` makes tunl0, an IPIP packet is
 * decapsulated and its inner packet received as arriving on tunl0 — delivered to the VIP on tunl0,
 * subject to rp_filter for tunl0 — and without the module, or with tunl0 down, the packet is refused
 * with the ICMP error Linux sends (protocol unreachable from ip_local_deliver, port unreachable from
 * tunnel4_rcv).
 */
import { buildIpv4Packet, buildUdpIpv4Packet, IpProtocol } from '@netloom/wire';
import { describe, expect, test } from 'vitest';
import { checkFrame, framesMatching, icmp, ipv4, udp } from '../testing/frame-checks.js';
import { ip, MS, SECOND, twoNodes, type Lab } from '../testing/lab.js';

const VIP = '192.0.2.80';

/** h1 sends an IPIP packet to rs (10.0.0.2) carrying a UDP datagram h1 → VIP:9 (no one listens). */
function sendTunnelled(lab: Lab): void {
  const h1 = lab.node('h1');
  const inner = buildUdpIpv4Packet({ source: ip('10.0.0.1'), destination: ip(VIP), ttl: 63, identification: 7 }, 40000, 9, new TextEncoder().encode('hello'));
  const outer = buildIpv4Packet({ source: ip('10.0.0.1'), destination: ip('10.0.0.2'), ttl: 64, identification: 8, protocol: IpProtocol.ipip }, inner);
  const flow = { dst: ip('10.0.0.2') };
  const route = h1.kernel.routeOutput(flow, lab.now);
  if (!route.ok) throw new Error('no route');
  expect(h1.parts.ipv4.localOut(outer, route.route, flow, lab.now).ok).toBe(true);
  lab.run(100 * MS);
}

function realServer(): Lab {
  const lab = twoNodes(['h1', '10.0.0.1/24'], ['rs', '10.0.0.2/24']);
  return lab;
}

describe('ipip: tunl0 on a real server', () => {
  test('modprobe ipip creates tunl0 as Linux shows it; loading again changes nothing; an unknown module is FATAL', () => {
    const lab = realServer();
    expect(lab.exec('rs', 'ip link show tunl0').stderr).toBe('Device "tunl0" does not exist.\n');
    expect(lab.exec('rs', 'ip link add t1 type ipip').stderr).toBe('Error: Unknown device type.\n');
    expect(lab.exec('rs', 'modprobe ipip')).toMatchObject({ stdout: '', stderr: '', status: 0 });
    expect(lab.exec('rs', 'modprobe ipip').status).toBe(0);
    expect(lab.exec('rs', 'ip link show tunl0').stdout).toBe(
      '3: tunl0: <NOARP> mtu 1480 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ipip 0.0.0.0 brd 0.0.0.0\n',
    );
    expect(lab.exec('rs', 'ip link add t1 type ipip').status).toBe(0);
    expect(lab.exec('rs', 'ip link show t1').stdout).toBe('4: t1: <NOARP> mtu 1480 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ipip 0.0.0.0 brd 0.0.0.0\n');
    expect(lab.exec('rs', 'modprobe nosuch')).toMatchObject({ stderr: 'modprobe: FATAL: Module nosuch not found in directory /lib/modules/6.18.0\n', status: 1 });
    expect(lab.exec('rs', 'modprobe -q nosuch')).toMatchObject({ stderr: '', status: 1 });
    expect(lab.exec('rs', 'modprobe')).toMatchObject({ stderr: 'modprobe: ERROR: missing parameters. See -h.\n', status: 1 });
  });

  test('an IPIP packet is decapsulated and its datagram delivered to the VIP on tunl0 (the port unreachable comes from the VIP)', () => {
    const lab = realServer();
    for (const line of ['modprobe ipip', `ip addr add ${VIP}/32 dev tunl0`, 'ip link set tunl0 up']) expect(lab.exec('rs', line).status).toBe(0);
    sendTunnelled(lab);
    const errors = framesMatching(lab.sent('rs'), ipv4({ protocol: IpProtocol.icmp }));
    expect(errors).toHaveLength(1);
    expect(checkFrame(errors[0], ipv4({ source: VIP, destination: '10.0.0.1' }), icmp({ kind: 'destinationUnreachable', code: 3, quotedDestination: VIP }))).toBeNull();
    const rx = lab.exec('rs', 'ip -s link show tunl0').stdout.split('\n');
    // RX: bytes packets …: the 33-byte inner packet, counted on tunl0.
    expect(rx[rx.findIndex((l) => l.trim().startsWith('RX:')) + 1]!.trim().split(/\s+/).slice(0, 2)).toEqual(['33', '1']);
  });

  test('the inner packet meets rp_filter as arriving on tunl0: strict mode drops it (the client is reached by eth0)', () => {
    const lab = realServer();
    for (const line of ['modprobe ipip', `ip addr add ${VIP}/32 dev tunl0`, 'ip link set tunl0 up', 'sysctl -w net.ipv4.conf.all.rp_filter=1']) expect(lab.exec('rs', line).status).toBe(0);
    sendTunnelled(lab);
    expect(framesMatching(lab.sent('rs'), ipv4({ protocol: IpProtocol.icmp }))).toHaveLength(0);
    expect(lab.drops('rs').map((d) => d.event.type === 'drop' && d.event.ifname)).toContain('tunl0');
  });

  test('without the module IP protocol 4 is unreachable; with tunl0 down tunnel4_rcv answers port unreachable about the outer packet', () => {
    const lab = realServer();
    sendTunnelled(lab);
    const unloaded = framesMatching(lab.sent('rs'), ipv4({ protocol: IpProtocol.icmp }));
    expect(unloaded).toHaveLength(1);
    expect(checkFrame(unloaded[0], ipv4({ source: '10.0.0.2' }), icmp({ kind: 'destinationUnreachable', code: 2, quotedDestination: '10.0.0.2' }))).toBeNull();
    expect(lab.exec('rs', 'modprobe ipip').status).toBe(0);
    lab.run(2 * SECOND);
    const before = lab.now;
    sendTunnelled(lab);
    const down = framesMatching(lab.sent('rs', 'eth0', before), ipv4({ protocol: IpProtocol.icmp }));
    expect(down).toHaveLength(1);
    expect(checkFrame(down[0], ipv4({ source: '10.0.0.2' }), icmp({ kind: 'destinationUnreachable', code: 3, quotedDestination: '10.0.0.2' }))).toBeNull();
    expect(framesMatching(lab.sent('rs'), udp({}))).toHaveLength(0);
  });
});
