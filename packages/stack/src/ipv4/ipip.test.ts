/**
 * The ipip module on a real server (LVS-TUN): `modprobe ipip` makes tunl0, an IPIP packet is
 * decapsulated and its inner packet received as arriving on tunl0 — delivered to the VIP on tunl0,
 * subject to rp_filter for tunl0 — and without the module, or with tunl0 down, the packet is refused
 * with the ICMP error Linux sends (protocol unreachable from ip_local_deliver, port unreachable from
 * tunnel4_rcv). `ip link add … type ipip` with local, remote, ttl, tos, dev and mode as iproute2's
 * link_iptnl.c parses and prints them (texts from its source and from `ip -d link` of real tunnels:
 * the host recording here has no ipip module), and the receiving tunnel chosen as ip_tunnel_lookup
 * chooses it.
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

describe('ip link add … type ipip with its parameters', () => {
  const loaded = (): Lab => {
    const lab = realServer();
    expect(lab.exec('rs', 'modprobe ipip').status).toBe(0);
    return lab;
  };
  /** The `ip -d link show DEV` line of the kind and its print_opt, up to the queue counts. */
  const tunnelLine = (lab: Lab, dev: string): string => lab.exec('rs', `ip -d link show ${dev}`).stdout.split('\n')[2]!.replace(/ addrgenmode .*$/, '');

  test('shows local and remote as the link address and peer, POINTOPOINT, and iproute2\'s ipip details', () => {
    const lab = loaded();
    expect(lab.exec('rs', 'ip link add t1 type ipip local 10.0.0.2 remote 10.0.0.1 ttl 64')).toMatchObject({ stderr: '', status: 0 });
    expect(lab.exec('rs', 'ip link show t1').stdout).toBe(
      '4: t1: <POINTOPOINT,NOARP> mtu 1480 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ipip 10.0.0.2 peer 10.0.0.1\n',
    );
    expect(tunnelLine(lab, 't1')).toBe('    ipip any remote 10.0.0.1 local 10.0.0.2 ttl 64 pmtudisc');
    // The fallback: no endpoints, nopmtudisc (ipip_fb_tunnel_init).
    expect(tunnelLine(lab, 'tunl0')).toBe('    ipip any remote any local any ttl inherit nopmtudisc');
    expect(lab.exec('rs', 'ip link add t2 type ipip remote 192.0.2.9 dev eth0 mode ipip tos inherit').status).toBe(0);
    expect(lab.exec('rs', 'ip link show t2').stdout.split('\n')[1]).toBe('    link/ipip 0.0.0.0 peer 192.0.2.9');
    expect(tunnelLine(lab, 't2')).toBe('    ipip ipip remote 192.0.2.9 local any dev eth0 ttl inherit tos inherit pmtudisc');
    expect(lab.exec('rs', 'ip link add t3 type ipip local 10.0.0.2').status).toBe(0);
    expect(lab.exec('rs', 'ip link show t3').stdout).toBe('6: t3: <NOARP> mtu 1480 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ipip 10.0.0.2 brd 0.0.0.0\n');
    const json = JSON.parse(lab.exec('rs', 'ip -d -j link show t1').stdout) as { flags: string[]; broadcast: string; link_pointtopoint: boolean; linkinfo: unknown }[];
    expect(json[0]).toMatchObject({ flags: ['POINTOPOINT', 'NOARP'], broadcast: '10.0.0.1', link_pointtopoint: true });
    expect(json[0]!.linkinfo).toEqual({ info_kind: 'ipip', info_data: { proto: 'any', remote: '10.0.0.1', local: '10.0.0.2', ttl: 64, pmtudisc: true } });
  });

  test('takes its MTU from the device the remote is routed by, less the 20-byte header', () => {
    const lab = loaded();
    expect(lab.exec('rs', 'ip link set eth0 mtu 1400').status).toBe(0);
    expect(lab.exec('rs', 'ip link add t1 type ipip remote 10.0.0.1').status).toBe(0);
    expect(lab.exec('rs', 'ip link show t1').stdout).toMatch(/ mtu 1380 /);
    // No route to the remote and no device: ETH_DATA_LEN less the header.
    expect(lab.exec('rs', 'ip link add t2 type ipip remote 198.51.100.1').status).toBe(0);
    expect(lab.exec('rs', 'ip link show t2').stdout).toMatch(/ mtu 1480 /);
  });

  test.each([
    ['ttl 300', { stderr: 'Error: argument "300" is wrong: invalid TTL\n\n', status: 255 }],
    ['remote nowhere', { stderr: 'Error: an IP address is expected rather than "nowhere"\n', status: 1 }],
    ['dev nosuch', { stderr: 'Error: argument "nosuch" is wrong: "dev" is invalid\n', status: 255 }],
    ['ttl 64 nopmtudisc', { stderr: 'ttl != 0 and nopmtudisc are incompatible\n', status: 255 }],
    ['mode gre', { stderr: 'Error: argument "gre" is wrong: Cannot guess tunnel mode.\n', status: 255 }],
    ['remote', { stderr: 'Command line is not complete. Try option "help"\n', status: 255 }],
  ])('refuses `%s` as iproute2 does, creating nothing', (words, outcome) => {
    const lab = loaded();
    expect(lab.exec('rs', `ip link add t1 type ipip ${words}`)).toMatchObject(outcome);
    expect(lab.exec('rs', 'ip link show t1').status).toBe(1);
  });

  test('an unknown word prints the kind\'s help', () => {
    const lab = loaded();
    const run = lab.exec('rs', 'ip link add t1 type ipip color blue');
    expect(run.status).toBe(255);
    expect(run.stderr.split('\n').slice(0, 2)).toEqual(['Usage: ... ipip   [ remote ADDR ]', '                  [ local ADDR ]']);
    expect(run.stderr.endsWith('       MARK := { 0x0..0xffffffff }\n')).toBe(true);
  });
});

describe('ipip: the receiving tunnel (ip_tunnel_lookup)', () => {
  /** The RX packets `ip -s link` counts on each device. */
  const received = (lab: Lab, devs: readonly string[]): number[] =>
    devs.map((dev) => {
      const lines = lab.exec('rs', `ip -s link show ${dev}`).stdout.split('\n');
      return Number(lines[lines.findIndex((l) => l.trim().startsWith('RX:')) + 1]!.trim().split(/\s+/)[1]);
    });
  const TUNNELS = ['exact', 'remote', 'local', 'tunl0'];

  function tunnelledServer(): Lab {
    const lab = realServer();
    for (const line of [
      'modprobe ipip',
      'ip link add exact type ipip local 10.0.0.2 remote 10.0.0.1',
      'ip link add remote type ipip remote 10.0.0.1',
      'ip link add local type ipip local 10.0.0.2',
      ...TUNNELS.map((dev) => `ip link set ${dev} up`),
    ])
      expect(lab.exec('rs', line)).toMatchObject({ stderr: '', status: 0 });
    return lab;
  }

  test('takes the tunnel with both endpoints, then the remote alone, then the local alone, then tunl0; with none up, port unreachable', () => {
    const lab = tunnelledServer();
    const expected = [0, 0, 0, 0];
    for (const [i, dev] of TUNNELS.entries()) {
      sendTunnelled(lab);
      expected[i]!++;
      expect(received(lab, TUNNELS)).toEqual(expected);
      expect(lab.exec('rs', `ip link set ${dev} down`).status).toBe(0);
    }
    const before = lab.now;
    sendTunnelled(lab);
    expect(received(lab, TUNNELS)).toEqual([1, 1, 1, 1]);
    const refused = framesMatching(lab.sent('rs', 'eth0', before), ipv4({ protocol: IpProtocol.icmp }));
    expect(refused.map((f) => checkFrame(f, icmp({ kind: 'destinationUnreachable', code: 3, quotedDestination: '10.0.0.2' })))).toEqual([null]);
  });

  test('a packet for other endpoints goes to the fallback; a tunnel bound to the receiving device wins its pass', () => {
    const lab = tunnelledServer();
    expect(lab.exec('rs', 'ip link add elsewhere type ipip local 10.0.0.2 remote 10.0.0.99').status).toBe(0);
    expect(lab.exec('rs', 'ip link set exact down').status).toBe(0);
    expect(lab.exec('rs', 'ip link set remote down').status).toBe(0);
    expect(lab.exec('rs', 'ip link set local down').status).toBe(0);
    sendTunnelled(lab);
    expect(received(lab, ['elsewhere', 'tunl0'])).toEqual([0, 1]);
    // Two tunnels with the same endpoints: the one bound to eth0 takes eth0's packets (unbound, the
    // exact pass would keep its last candidate: the older one).
    expect(lab.exec('rs', 'ip link add unbound type ipip local 10.0.0.2 remote 10.0.0.1').status).toBe(0);
    expect(lab.exec('rs', 'ip link add bound type ipip local 10.0.0.2 remote 10.0.0.1 dev eth0').status).toBe(0);
    for (const dev of ['bound', 'unbound']) expect(lab.exec('rs', `ip link set ${dev} up`).status).toBe(0);
    sendTunnelled(lab);
    expect(received(lab, ['bound', 'unbound', 'tunl0'])).toEqual([1, 0, 1]);
  });

  test('a tunnel of another mode refuses the packet', () => {
    const lab = tunnelledServer();
    expect(lab.exec('rs', 'ip link add mpls type ipip local 10.0.0.2 remote 10.0.0.1 mode mplsip dev eth0').status).toBe(0);
    expect(lab.exec('rs', 'ip link set mpls up').status).toBe(0);
    sendTunnelled(lab);
    expect(received(lab, ['mpls', ...TUNNELS])).toEqual([0, 0, 0, 0, 0]);
    expect(lab.drops('rs').some((d) => d.event.type === 'drop' && d.event.detail === 'ipip: mpls is not an ipip tunnel')).toBe(true);
  });
});
