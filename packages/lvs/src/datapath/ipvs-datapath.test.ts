/**
 * The IPVS datapath on nodes of the stack (the test kit's in-memory links): a UDP service through a
 * director with each forwarding method, end to end — which real server each connection reaches, what
 * the packets look like on each link (addresses, MACs, TTL, checksums, the IPIP header), the answers
 * coming from the VIP — and ip_vs_leave's port unreachable, the ICMP error of a masqueraded real
 * server rewritten to come from the VIP, and the module's timer expiring the connections.
 */
import { formatIpv4, formatMac, IpProtocol, isWireError, parseEthernet, parseIpv4Packet, parseIpv6Number, parseQuotedIpv4Packet, parseUdp } from '@netloom/wire';
import { Lab, MS, SECOND, ip, type CapturedFrame } from '@netloom/stack/testing/lab';
import { describe, expect, test } from 'vitest';
import { connectionStateName } from '../proc-net.js';
import { inet6 } from '../inet-address.js';
import { IpvsModule } from './ipvs-module.js';
import { ask, labPrograms, natDirector, oneLanDirector, PORT, VIP } from './testing/lvs-lab.js';

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
    expect(lab.drops('director').map((d) => (d.event.type === 'drop' ? `${d.event.reason}: ${d.event.detail}` : ''))).toEqual(['ipvs: no destination available']);
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

describe('TCP through the director', () => {
  const counters = (director: ReturnType<typeof natDirector>): string[] =>
    director.module.ipvs.listServices()[0]!.destinations.map((d) => `${d.name} ${d.activeConns}/${d.inactConns}`);
  const states = (director: ReturnType<typeof natDirector>): string => [...director.module.ipvs.connections.all()].map((c) => connectionStateName(c)).join(' ');

  test('masquerading: an open connection is active and ESTABLISHED, its close goes through the states to TIME_WAIT and inactive', () => {
    const director = natDirector('tcp');
    const { lab } = director;
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `tcp-serve ${PORT}`);
    const client = lab.exec('client', `tcp-hold ${VIP} ${PORT} hello`, 1 * SECOND);
    expect(client.stdout).toBe('rs2:hello\n');
    expect(counters(director)).toEqual(['10.1.1.3:53 1/0', '10.1.1.2:53 0/0']);
    expect(states(director)).toBe('ESTABLISHED');
    client.interrupt();
    lab.run(1 * SECOND);
    expect(states(director)).toBe('TIME_WAIT');
    expect(counters(director)).toEqual(['10.1.1.3:53 0/1', '10.1.1.2:53 0/0']);
    lab.run(121 * SECOND);
    expect(states(director)).toBe('');
    expect(counters(director)).toEqual(['10.1.1.3:53 0/0', '10.1.1.2:53 0/0']);
  });

  test('direct routing: the director sees only the client side (input-only states) and still counts the connection active', () => {
    const director = oneLanDirector('droute', 'tcp');
    const { lab } = director;
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `tcp-serve ${PORT}`);
    const client = lab.exec('client', `tcp-hold ${VIP} ${PORT} hello`, 1 * SECOND);
    expect(client.stdout).toBe('rs2:hello\n');
    expect(states(director)).toBe('ESTABLISHED');
    expect(counters(director)).toEqual(['10.0.0.3:53 1/0', '10.0.0.2:53 0/0']);
    client.interrupt();
    lab.run(1 * SECOND);
    // INPUT-ONLY table: the client's FIN then its last ACK — FIN_WAIT, not TIME_WAIT (no reply seen).
    expect(states(director)).toBe('FIN_WAIT');
    expect(counters(director)).toEqual(['10.0.0.3:53 0/1', '10.0.0.2:53 0/0']);
  });
});

describe('fragments', () => {
  test('a request in fragments is reassembled and balanced; a reply in fragments is forwarded as it is (ip_vs_gather_frags is not modelled)', () => {
    const { lab, module } = natDirector();
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT}`);
    // 3000 bytes: the client sends two fragments, the director reassembles them (LOCAL_IN) and sends the datagram on in fragments.
    expect(ask(lab, 40001, 'x'.repeat(3000))).toBe('');
    const [service] = module.ipvs.listServices();
    expect(service?.stats.conns).toBe(1);
    const fragments = packets(lab.sent('director', 'eth0')).filter((p) => p.ip.moreFragments || p.ip.fragmentOffset !== 0);
    expect(fragments.length).toBeGreaterThan(1);
    expect(new Set(fragments.map((p) => formatIpv4(p.ip.source)))).toEqual(new Set(['10.1.1.3']));
  });
});

describe("__ip_vs_get_out_rt's checks", () => {
  test('a packet for the VIP with TTL 1 is answered time exceeded (decrement_ttl) and not forwarded', () => {
    const { lab } = natDirector();
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT}`);
    lab.exec('client', `udp-ask ${VIP} ${PORT} 40001 a 1`, 3 * SECOND);
    const errors = packets(lab.sent('director', 'eth0')).filter((p) => p.ip.protocol === IpProtocol.icmp);
    expect(errors.map((p) => `${formatIpv4(p.ip.source)} type ${p.ip.payload[0]} code ${p.ip.payload[1]}`)).toEqual([`${VIP} type 11 code 0`]);
    expect(packets(lab.sent('director', 'eth1')).filter((p) => p.ip.protocol === IpProtocol.udp)).toEqual([]);
  });

  test('tunnelling: a DF packet that does not fit the route MTU less the IPIP header is answered frag-needed with 1480', () => {
    const { lab } = oneLanDirector('tunnel');
    // 1460 bytes of payload: a 1488-byte datagram, sent whole with DF (it fits the client's 1500).
    lab.exec('client', `udp-ask ${VIP} ${PORT} 40001 ${'x'.repeat(1460)}`, 3 * SECOND);
    const errors = packets(lab.sent('director')).filter((p) => p.ip.protocol === IpProtocol.icmp);
    expect(errors.map((p) => `type ${p.ip.payload[0]} code ${p.ip.payload[1]} mtu ${(p.ip.payload[6]! << 8) | p.ip.payload[7]!}`)).toEqual(['type 3 code 4 mtu 1480']);
    expect(packets(lab.sent('director')).filter((p) => p.ip.protocol === IpProtocol.ipip)).toEqual([]);
  });
});

describe('a client on the director itself', () => {
  test("its datagram to the VIP loops back through lo, is balanced at LOCAL_IN and the answer comes back from the VIP", () => {
    const { lab, module } = natDirector();
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT}`);
    expect(lab.exec('director', `udp-ask ${VIP} ${PORT} 40001 local`, 3 * SECOND).stdout).toBe(`${VIP}:${PORT} rs2:local\n`);
    expect(module.ipvs.listServices()[0]?.stats.conns).toBe(1);
  });
});

describe('IPv6 virtual services', () => {
  const VIP6 = '2001:db8:1::80';
  /** client 2001:db8:1::10 — director (2001:db8:1::1, VIP6 | fd00::1) — rs1 fd00::2, rs2 fd00::3; a UDP service on VIP6:53, rr. */
  function director6(method: 'masq' | 'droute'): { lab: Lab; module: IpvsModule } {
    const lab = new Lab();
    lab.addNode('client', { programs: labPrograms });
    const director = lab.addNode('director', { forwarding: true });
    for (const name of ['rs1', 'rs2']) lab.addNode(name, { programs: labPrograms });
    if (method === 'masq') {
      lab.link('client:eth0', 'director:eth0');
      lab.link('director:eth1', 'rs1:eth0', 'rs2:eth0');
    } else lab.link('client:eth0', 'director:eth0', 'rs1:eth0', 'rs2:eth0');
    const lines: [string, string][] = [
      ['client', 'ip -6 addr add 2001:db8:1::10/64 dev eth0'],
      ['director', 'sysctl -w net.ipv6.conf.all.forwarding=1'],
      ['director', 'ip -6 addr add 2001:db8:1::1/64 dev eth0'],
      ['director', `ip -6 addr add ${VIP6}/128 dev eth0`],
    ];
    if (method === 'masq') {
      lines.push(['director', 'ip -6 addr add fd00::1/64 dev eth1']);
      for (const [rs, a] of [['rs1', 'fd00::2'], ['rs2', 'fd00::3']] as const) lines.push([rs, `ip -6 addr add ${a}/64 dev eth0`], [rs, 'ip -6 route add default via fd00::1']);
    } else {
      for (const [rs, a] of [['rs1', '2001:db8:1::2'], ['rs2', '2001:db8:1::3']] as const) lines.push([rs, `ip -6 addr add ${a}/64 dev eth0`], [rs, `ip -6 addr add ${VIP6}/128 dev lo`]);
    }
    for (const [node, line] of lines) expect(lab.exec(node, line).status, `${node}: ${line}`).toBe(0);
    lab.run(3 * SECOND);
    const module = new IpvsModule(director);
    const key = { kind: 'udp' as const, address: inet6(parseIpv6Number(VIP6)!), port: PORT };
    expect(module.ipvs.addService(key, { scheduler: 'rr' })).toBe('ok');
    for (const rs of method === 'masq' ? ['fd00::2', 'fd00::3'] : ['2001:db8:1::2', '2001:db8:1::3']) {
      expect(module.ipvs.addDestination(key, { address: inet6(parseIpv6Number(rs)!), port: PORT, forwarding: method, weight: 1, upperThreshold: 0, lowerThreshold: 0 })).toBe('ok');
    }
    return { lab, module };
  }

  test('masquerading over IPv6: rr over two real servers, answers from the VIP', () => {
    const { lab, module } = director6('masq');
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT} ::`);
    const ask6 = (sport: number, text: string): string => lab.exec('client', `udp-ask ${VIP6} ${PORT} ${sport} ${text}`, 3 * SECOND).stdout;
    expect([ask6(40001, 'a'), ask6(40002, 'b')]).toEqual([`${VIP6}:${PORT} rs2:a\n`, `${VIP6}:${PORT} rs1:b\n`]);
    expect(module.ipvs.listServices()[0]?.destinations.map((d) => `${d.name} ${d.inactConns}`)).toEqual(['[fd00::3]:53 1', '[fd00::2]:53 1']);
  });

  test('no real server for an IPv6 service: ICMPv6 port unreachable from the VIP', () => {
    const { lab, module } = director6('masq');
    const [service] = module.ipvs.listServices();
    for (const d of service!.destinations.slice()) module.ipvs.editDestination(service!.key, { address: d.address, port: d.port, forwarding: 'masq', weight: 0, upperThreshold: 0, lowerThreshold: 0 });
    expect(lab.exec('client', `udp-ask ${VIP6} ${PORT} 40001 a`, 3 * SECOND).stdout).toBe(`ECONNREFUSED from ${VIP6}\n`);
  });

  test('direct routing over IPv6: the unchanged packet (hop limit one less) to the real server, which answers from the VIP', () => {
    const { lab } = director6('droute');
    for (const rs of ['rs1', 'rs2']) lab.exec(rs, `udp-echo ${PORT} ${VIP6}`);
    expect(lab.exec('client', `udp-ask ${VIP6} ${PORT} 40001 a`, 3 * SECOND).stdout).toBe(`${VIP6}:${PORT} rs2:a\n`);
    const forwarded = lab.sent('director').map((f) => f.frame).filter((f) => f[12] === 0x86 && f[13] === 0xdd && f[14 + 6] === IpProtocol.udp);
    expect(forwarded).toHaveLength(1);
    expect(formatMac(forwarded[0]!.subarray(0, 6))).toBe(formatMac(lab.node('rs2').kernel.device('eth0')!.mac));
    expect(forwarded[0]![14 + 7]).toBe(63);
  });
});
