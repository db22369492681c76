/**
 * The IPVS datapath on nodes of the stack (the test kit's in-memory links): a UDP service through a
 * director with each forwarding method, end to end — which real server each connection reaches, what
 * the packets look like on each link (addresses, MACs, TTL, checksums, the IPIP header), the answers
 * coming from the VIP — and ip_vs_leave's port unreachable, the ICMP error of a masqueraded real
 * server rewritten to come from the VIP, and the module's timer expiring the connections.
 */
import { formatIpv4, formatMac, IpProtocol, isWireError, parseEthernet, parseIpv4Packet, parseQuotedIpv4Packet, parseUdp } from '@netloom/wire';
import type { Program } from '@netloom/stack';
import { Lab, MS, SECOND, ip, type CapturedFrame } from '@netloom/stack/testing/lab';
import { describe, expect, test } from 'vitest';
import { inet4 } from '../inet-address.js';
import type { ForwardingMethod } from '../virtual-service.js';
import { IpvsModule } from './ipvs-module.js';

const VIP = '192.0.2.80';
const PORT = 53;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `udp-echo PORT [ADDR]`: answers each datagram with `HOSTNAME:TEXT`. A DR or TUN real server binds
 * the VIP, so that its answers leave from it (bound to the wildcard, the route's source, the RIP,
 * would answer: the client's connected socket takes nothing from it).
 */
const udpEcho: Program = (ctx) => {
  const socket = ctx.udpSocket(4);
  if ('errno' in socket) return ctx.exit(2);
  socket.bind(ctx.argv[2] ?? '0.0.0.0', Number(ctx.argv[1]));
  socket.onMessage((d) => {
    socket.sendto(encoder.encode(`${ctx.hostname}:${decoder.decode(d.data)}`), d.from);
  });
};

/** `udp-ask DEST PORT SPORT TEXT`: a connected socket sends TEXT once and prints the answer or the error. */
const udpAsk: Program = (ctx) => {
  const socket = ctx.udpSocket(4);
  if ('errno' in socket) return ctx.exit(2);
  const [, dest = '', port = '0', sport = '0', text = ''] = ctx.argv;
  socket.bind('0.0.0.0', Number(sport));
  socket.connect(dest, Number(port));
  socket.onMessage((d) => {
    ctx.stdout(`${d.from.address}:${d.from.port} ${decoder.decode(d.data)}\n`);
    ctx.exit(0);
  });
  socket.onError((errno, from) => {
    ctx.stdout(`${errno} from ${from}\n`);
    ctx.exit(1);
  });
  socket.sendto(encoder.encode(text));
  ctx.setTimer(2 * SECOND, () => ctx.exit(3));
};

const programs = { 'udp-echo': udpEcho, 'udp-ask': udpAsk };

interface Director {
  lab: Lab;
  module: IpvsModule;
}

function addService(module: IpvsModule, realServers: string[], method: ForwardingMethod): void {
  const key = { kind: 'udp' as const, address: inet4(ip(VIP)), port: PORT };
  expect(module.ipvs.addService(key, { scheduler: 'rr' })).toBe('ok');
  for (const rs of realServers) expect(module.ipvs.addDestination(key, { address: inet4(ip(rs)), port: PORT, forwarding: method, weight: 1, upperThreshold: 0, lowerThreshold: 0 })).toBe('ok');
}

/** LVS-NAT: client 192.168.1.10 — director (192.168.1.1 + VIP | 10.1.1.1) — rs1 10.1.1.2, rs2 10.1.1.3 (default via the director). */
function natDirector(): Director {
  const lab = new Lab();
  lab.addNode('client', { programs });
  const director = lab.addNode('director', { forwarding: true });
  for (const name of ['rs1', 'rs2']) lab.addNode(name, { programs });
  lab.link('client:eth0', 'director:eth0');
  lab.link('director:eth1', 'rs1:eth0', 'rs2:eth0');
  lab.addr('client', 'eth0', '192.168.1.10/24');
  lab.addr('director', 'eth0', '192.168.1.1/24');
  lab.addr('director', 'eth0', `${VIP}/32`);
  lab.addr('director', 'eth1', '10.1.1.1/24');
  lab.route('client', `${VIP}/32`, { via: '192.168.1.1' });
  for (const [name, address] of [['rs1', '10.1.1.2'], ['rs2', '10.1.1.3']] as const) {
    lab.addr(name, 'eth0', `${address}/24`);
    lab.route(name, 'default', { via: '10.1.1.1' });
  }
  const module = new IpvsModule(director);
  addService(module, ['10.1.1.2', '10.1.1.3'], 'masq');
  return { lab, module };
}

/** One LAN for LVS-DR and LVS-TUN: client 10.0.0.10, director 10.0.0.1 + VIP, rs1 10.0.0.2, rs2 10.0.0.3 (VIP on lo or tunl0). */
function oneLanDirector(method: 'droute' | 'tunnel'): Director {
  const lab = new Lab();
  lab.addNode('client', { programs });
  const director = lab.addNode('director', { forwarding: true });
  for (const name of ['rs1', 'rs2']) lab.addNode(name, { programs });
  lab.link('client:eth0', 'director:eth0', 'rs1:eth0', 'rs2:eth0');
  lab.addr('client', 'eth0', '10.0.0.10/24');
  lab.addr('director', 'eth0', '10.0.0.1/24');
  lab.addr('director', 'eth0', `${VIP}/32`);
  lab.route('client', `${VIP}/32`, { via: '10.0.0.1' });
  for (const [name, address] of [['rs1', '10.0.0.2'], ['rs2', '10.0.0.3']] as const) {
    lab.addr(name, 'eth0', `${address}/24`);
    lab.sysctl(name, 'net.ipv4.conf.all.arp_ignore', 1);
    lab.sysctl(name, 'net.ipv4.conf.all.arp_announce', 2);
    if (method === 'droute') lab.addr(name, 'lo', `${VIP}/32`);
    else for (const line of ['modprobe ipip', `ip addr add ${VIP}/32 dev tunl0`, 'ip link set tunl0 up']) expect(lab.exec(name, line).status).toBe(0);
  }
  const module = new IpvsModule(director);
  addService(module, ['10.0.0.2', '10.0.0.3'], method);
  return { lab, module };
}

function ask(lab: Lab, sport: number, text: string): string {
  const run = lab.exec('client', `udp-ask ${VIP} ${PORT} ${sport} ${text}`, 3 * SECOND);
  return run.stdout;
}

/** The IPv4 packets a node sent on a device, with the Ethernet header. */
function packets(frames: CapturedFrame[]): { dst: string; ip: NonNullable<Exclude<ReturnType<typeof parseIpv4Packet>, { error: string }>> }[] {
  const out = [];
  for (const f of frames) {
    const eth = parseEthernet(f.frame);
    if (isWireError(eth) || eth.ethertype !== 0x0800) continue;
    const packet = parseIpv4Packet(eth.payload);
    if (isWireError(packet)) throw new Error(`a bad IPv4 header left ${f.node}:${f.ifname}: ${packet.error}`);
    out.push({ dst: formatMac(eth.destination), ip: packet });
  }
  return out;
}

describe('the IPVS datapath', () => {
  test('masquerading: rr alternates the real servers, the requests are rewritten to them with valid checksums, the answers come from the VIP', () => {
    const { lab, module } = natDirector();
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT}`);
    // The list is newest first (rs2, rs1), and rr starts at its head.
    expect([ask(lab, 40001, 'a'), ask(lab, 40002, 'b'), ask(lab, 40003, 'c'), ask(lab, 40004, 'd')]).toEqual([
      `${VIP}:${PORT} rs2:a\n`,
      `${VIP}:${PORT} rs1:b\n`,
      `${VIP}:${PORT} rs2:c\n`,
      `${VIP}:${PORT} rs1:d\n`,
    ]);
    const towardsServers = packets(lab.sent('director', 'eth1')).filter((p) => p.ip.protocol === IpProtocol.udp);
    expect(towardsServers.map((p) => `${p.ip.source} ${p.ip.destination} ttl ${p.ip.ttl}`)).toEqual(
      [ip('10.1.1.3'), ip('10.1.1.2'), ip('10.1.1.3'), ip('10.1.1.2')].map((rs) => `${ip('192.168.1.10')} ${rs} ttl 63`),
    );
    for (const p of towardsServers) expect(isWireError(parseUdp(p.ip.payload, { family: 4, source: p.ip.source, destination: p.ip.destination }))).toBe(false);
    const towardsClient = packets(lab.sent('director', 'eth0')).filter((p) => p.ip.protocol === IpProtocol.udp);
    expect(towardsClient).toHaveLength(4);
    for (const p of towardsClient) {
      expect(p.ip.source).toBe(ip(VIP));
      expect(isWireError(parseUdp(p.ip.payload, { family: 4, source: p.ip.source, destination: p.ip.destination }))).toBe(false);
    }
    const [service] = module.ipvs.listServices();
    expect(service?.destinations.map((d) => `${d.name} ${d.activeConns}/${d.inactConns} in ${d.stats.inpkts} out ${d.stats.outpkts}`)).toEqual([
      '10.1.1.3:53 0/2 in 2 out 2',
      '10.1.1.2:53 0/2 in 2 out 2',
    ]);
  });

  test('the module timer expires the UDP connections 300 s after their last packet', () => {
    const { lab, module } = natDirector();
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT}`);
    ask(lab, 40001, 'a');
    module.arm();
    expect(module.ipvs.connections.size).toBe(1);
    lab.run(299 * SECOND);
    expect(module.ipvs.connections.size).toBe(1);
    lab.run(2 * SECOND);
    expect(module.ipvs.connections.size).toBe(0);
    expect(module.ipvs.listServices()[0]?.destinations.map((d) => d.inactConns)).toEqual([0, 0]);
  });

  test('no real server: the director answers port unreachable from the VIP (ip_vs_leave) and forwards nothing', () => {
    const { lab, module } = natDirector();
    for (const rs of module.ipvs.listServices()[0]!.destinations.slice()) module.ipvs.editDestination(module.ipvs.listServices()[0]!.key, { address: rs.address, port: rs.port, forwarding: 'masq', weight: 0, upperThreshold: 0, lowerThreshold: 0 });
    expect(ask(lab, 40001, 'a')).toBe(`ECONNREFUSED from ${VIP}\n`);
    expect(packets(lab.sent('director', 'eth1')).filter((p) => p.ip.protocol === IpProtocol.udp)).toEqual([]);
  });

  test("a masqueraded real server's port unreachable reaches the client from the VIP, about the VIP's port", () => {
    const { lab } = natDirector();
    // No server listens on the real servers: each answers ICMP port unreachable quoting CIP -> RIP:53.
    expect(ask(lab, 40001, 'a')).toBe(`ECONNREFUSED from ${VIP}\n`);
    const errors = packets(lab.sent('director', 'eth0')).filter((p) => p.ip.protocol === IpProtocol.icmp);
    expect(errors).toHaveLength(1);
    const quoted = parseQuotedIpv4Packet(errors[0]!.ip.payload.subarray(8));
    expect(isWireError(quoted) ? quoted.error : `${formatIpv4(quoted.source)} ${formatIpv4(quoted.destination)} dport ${(quoted.payload[2]! << 8) | quoted.payload[3]!}`).toBe(`192.168.1.10 ${VIP} dport ${PORT}`);
  });

  test('direct routing: the unchanged packet (TTL one less) goes to the real server\'s MAC, which answers the client from the VIP itself', () => {
    const { lab } = oneLanDirector('droute');
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT} ${VIP}`);
    expect([ask(lab, 40001, 'a'), ask(lab, 40002, 'b')]).toEqual([`${VIP}:${PORT} rs2:a\n`, `${VIP}:${PORT} rs1:b\n`]);
    const forwarded = packets(lab.sent('director')).filter((p) => p.ip.protocol === IpProtocol.udp);
    expect(forwarded.map((p) => `${p.dst} ${p.ip.source} ${p.ip.destination} ttl ${p.ip.ttl}`)).toEqual([
      `${formatMac(lab.node('rs2').kernel.device('eth0')!.mac)} ${ip('10.0.0.10')} ${ip(VIP)} ttl 63`,
      `${formatMac(lab.node('rs1').kernel.device('eth0')!.mac)} ${ip('10.0.0.10')} ${ip(VIP)} ttl 63`,
    ]);
    // The answers left the real servers straight for the client, from the VIP.
    for (const rs of ['rs1', 'rs2']) expect(packets(lab.sent(rs)).filter((p) => p.ip.protocol === IpProtocol.udp).map((p) => p.ip.source)).toEqual([ip(VIP)]);
  });

  test('tunnelling: the director sends a well-formed IPIP packet to the real server, which decapsulates it on tunl0 and answers from the VIP', () => {
    const { lab } = oneLanDirector('tunnel');
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT} ${VIP}`);
    expect(ask(lab, 40001, 'a')).toBe(`${VIP}:${PORT} rs2:a\n`);
    const tunnelled = packets(lab.sent('director')).filter((p) => p.ip.protocol === IpProtocol.ipip);
    expect(tunnelled).toHaveLength(1);
    const outer = tunnelled[0]!.ip;
    expect(`${outer.source} ${outer.destination} ttl ${outer.ttl}`).toBe(`${ip('10.0.0.1')} ${ip('10.0.0.3')} ttl 63`);
    const inner = parseIpv4Packet(outer.payload);
    expect(isWireError(inner) ? inner.error : `${inner.source} ${inner.destination} ttl ${inner.ttl} proto ${inner.protocol}`).toBe(`${ip('10.0.0.10')} ${ip(VIP)} ttl 63 proto 17`);
    lab.run(10 * MS);
  });
});
