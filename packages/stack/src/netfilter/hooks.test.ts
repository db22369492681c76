/**
 * Netfilter hook points on real nodes in a small emulated network (h1 — r1 — h2, and h1 — r2 — h2
 * as a second way): each point sees exactly the packets Linux shows it (local delivery, forwarded,
 * locally sent including ICMP errors, fragments before reassembly and the whole datagram after), a
 * drop(reason) reaches the trace as that reason, a stolen packet goes no further, and a LOCAL_OUT
 * hook that marks a ping re-routes it out another interface (ip_route_me_harder with an fwmark rule).
 * The hook table on its own: hook-table.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { IpProtocol } from '@netloom/wire';
import { Lab, MS, ip, opened } from '../testing/lab.js';
import { framesMatching, icmp, udp } from '../testing/frame-checks.js';
import { HOOK_POINTS, drop, type HookPacket } from './hooks.js';

/**
 * h1 eth0 10.0.1.2 — 10.0.1.1 r1 10.0.2.1 — h2 eth0 10.0.2.2
 * h1 eth1 10.0.3.2 — 10.0.3.1 r2 10.0.4.1 — h2 eth1 10.0.4.2
 */
function network(): Lab {
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('r1', { forwarding: true });
  lab.addNode('h2');
  lab.addNode('r2', { forwarding: true });
  lab.link('h1:eth0', 'r1:eth0');
  lab.link('r1:eth1', 'h2:eth0');
  lab.link('h1:eth1', 'r2:eth0');
  lab.link('r2:eth1', 'h2:eth1');
  lab.addr('h1', 'eth0', '10.0.1.2/24');
  lab.addr('r1', 'eth0', '10.0.1.1/24');
  lab.addr('r1', 'eth1', '10.0.2.1/24');
  lab.addr('h2', 'eth0', '10.0.2.2/24');
  lab.addr('h1', 'eth1', '10.0.3.2/24');
  lab.addr('r2', 'eth0', '10.0.3.1/24');
  lab.addr('r2', 'eth1', '10.0.4.1/24');
  lab.addr('h2', 'eth1', '10.0.4.2/24');
  lab.route('h1', 'default', { via: '10.0.1.1' });
  lab.route('h2', 'default', { via: '10.0.2.1' });
  lab.route('r2', '10.0.2.0/24', { via: '10.0.4.2' });
  return lab;
}

/** What a hook saw: `point in>out source>destination what`. */
function describePacket(p: HookPacket<4>): string {
  const h = p.header;
  const payload = p.bytes.subarray(h.headerLength);
  // Only a first fragment carries the transport header.
  const head = h.fragmentOffset === 0;
  const what =
    h.protocol === IpProtocol.icmp
      ? `icmp ${head ? payload[0] : ''}`
      : h.protocol === IpProtocol.udp
        ? `udp ${head ? (payload[2] ?? 0) * 256 + (payload[3] ?? 0) : ''}`
        : `proto ${h.protocol}`;
  const fragment = h.isFragment ? ` frag@${h.fragmentOffset}` : '';
  return `${p.hook} ${p.inDev ?? '-'}>${p.outDev ?? '-'} ${fmt(h.source)}>${fmt(h.destination)} ${what}${fragment} len ${p.bytes.length}`;
}

function fmt(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

/** Record every packet at every point of `node`, accepting all. */
function watch(lab: Lab, node: string): string[] {
  const seen: string[] = [];
  for (const hook of HOOK_POINTS) {
    lab.node(node).netfilter.register({ hook, family: 4, priority: 0, fn: (p) => (seen.push(describePacket(p)), 'accept') });
  }
  return seen;
}

function ping(lab: Lab, node: string, to: string, options: { sequence?: number; size?: number } = {}) {
  const replies: string[] = [];
  const socket = opened(lab.node(node).parts.sockets.openIcmp({}));
  socket.onMessage((m) => replies.push(`${m.from} type ${m.type} code ${m.code} seq ${m.sequence}`));
  const sent = socket.sendEcho(to, 0x77, options.sequence ?? 1, new Uint8Array(options.size ?? 8));
  return { sent, replies };
}

const reasons = (lab: Lab, node: string) => lab.drops(node).map((d) => (d.event.type === 'drop' ? `${d.event.ifname} ${d.event.reason} ${d.event.detail ?? ''}` : ''));

describe('netfilter hook points on a network', () => {
  it('each point sees exactly its packets: sent, forwarded and delivered, in Linux order', () => {
    const lab = network();
    const h1 = watch(lab, 'h1');
    const r1 = watch(lab, 'r1');
    const h2 = watch(lab, 'h2');
    const { sent, replies } = ping(lab, 'h1', '10.0.2.2');
    expect(sent.ok).toBe(true);
    lab.run(100 * MS);
    expect(replies).toEqual(['10.0.2.2 type 0 code 0 seq 1']);
    expect(h1).toEqual([
      'localOut ->eth0 10.0.1.2>10.0.2.2 icmp 8 len 36',
      'postrouting ->eth0 10.0.1.2>10.0.2.2 icmp 8 len 36',
      'prerouting eth0>- 10.0.2.2>10.0.1.2 icmp 0 len 36',
      'localIn eth0>- 10.0.2.2>10.0.1.2 icmp 0 len 36',
    ]);
    // A router: PREROUTING, FORWARD, POSTROUTING each way; nothing is for it or from it.
    expect(r1).toEqual([
      'prerouting eth0>- 10.0.1.2>10.0.2.2 icmp 8 len 36',
      'forward eth0>eth1 10.0.1.2>10.0.2.2 icmp 8 len 36',
      'postrouting eth0>eth1 10.0.1.2>10.0.2.2 icmp 8 len 36',
      'prerouting eth1>- 10.0.2.2>10.0.1.2 icmp 0 len 36',
      'forward eth1>eth0 10.0.2.2>10.0.1.2 icmp 0 len 36',
      'postrouting eth1>eth0 10.0.2.2>10.0.1.2 icmp 0 len 36',
    ]);
    // The echo reply is a locally sent packet too (icmp_reply → ip_local_out).
    expect(h2).toEqual([
      'prerouting eth0>- 10.0.1.2>10.0.2.2 icmp 8 len 36',
      'localIn eth0>- 10.0.1.2>10.0.2.2 icmp 8 len 36',
      'localOut ->eth0 10.0.2.2>10.0.1.2 icmp 0 len 36',
      'postrouting ->eth0 10.0.2.2>10.0.1.2 icmp 0 len 36',
    ]);
  });

  it("a router's ICMP error goes out through LOCAL_OUT and POSTROUTING, never FORWARD, and reaches the sender's socket", () => {
    const lab = network();
    const r1 = watch(lab, 'r1');
    const h1 = watch(lab, 'h1');
    const errors: string[] = [];
    const socket = opened(lab.node('h1').parts.sockets.openUdp({ onUdpProbeError: (e) => errors.push(`${e.from} ${e.type}/${e.code} dport ${e.dport}`) }));
    socket.setsockopt('IP_TTL', 1);
    expect(socket.sendto(new Uint8Array(8), { address: '10.0.2.2', port: 33434 }).ok).toBe(true);
    lab.run(100 * MS);
    expect(r1).toEqual([
      'prerouting eth0>- 10.0.1.2>10.0.2.2 udp 33434 len 36',
      'localOut ->eth0 10.0.1.1>10.0.1.2 icmp 11 len 64',
      'postrouting ->eth0 10.0.1.1>10.0.1.2 icmp 11 len 64',
    ]);
    expect(h1.slice(2)).toEqual(['prerouting eth0>- 10.0.1.1>10.0.1.2 icmp 11 len 64', 'localIn eth0>- 10.0.1.1>10.0.1.2 icmp 11 len 64']);
    expect(errors).toEqual(['10.0.1.1 11/0 dport 33434']);
  });

  it('PREROUTING sees each fragment, LOCAL_IN the reassembled datagram; a packet to ourselves passes lo', () => {
    const lab = network();
    const h2 = watch(lab, 'h2');
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    expect(socket.sendto(new Uint8Array(3000), { address: '10.0.2.2', port: 9 }).ok).toBe(true);
    lab.run(100 * MS);
    // 3008 bytes of UDP in pieces of 1480: two of 1500 bytes and one of 68; then the port unreachable.
    expect(h2).toEqual([
      'prerouting eth0>- 10.0.1.2>10.0.2.2 udp 9 frag@0 len 1500',
      'prerouting eth0>- 10.0.1.2>10.0.2.2 udp  frag@1480 len 1500',
      'prerouting eth0>- 10.0.1.2>10.0.2.2 udp  frag@2960 len 68',
      'localIn eth0>- 10.0.1.2>10.0.2.2 udp 9 len 3028',
      'localOut ->eth0 10.0.2.2>10.0.1.2 icmp 3 len 576',
      'postrouting ->eth0 10.0.2.2>10.0.1.2 icmp 3 len 576',
    ]);
    const h1 = watch(lab, 'h1');
    ping(lab, 'h1', '10.0.1.2');
    lab.run(10 * MS);
    expect(h1).toEqual([
      'localOut ->lo 10.0.1.2>10.0.1.2 icmp 8 len 36',
      'postrouting ->lo 10.0.1.2>10.0.1.2 icmp 8 len 36',
      'prerouting lo>- 10.0.1.2>10.0.1.2 icmp 8 len 36',
      'localIn lo>- 10.0.1.2>10.0.1.2 icmp 8 len 36',
      'localOut ->lo 10.0.1.2>10.0.1.2 icmp 0 len 36',
      'postrouting ->lo 10.0.1.2>10.0.1.2 icmp 0 len 36',
      'prerouting lo>- 10.0.1.2>10.0.1.2 icmp 0 len 36',
      'localIn lo>- 10.0.1.2>10.0.1.2 icmp 0 len 36',
    ]);
  });

  it("a mark set at PREROUTING is in the input route's flow: an fwmark rule sends the packet to another table", () => {
    const lab = network();
    expect(lab.exec('r1', 'ip rule add fwmark 5 table 100').status).toBe(0);
    expect(lab.exec('r1', 'ip route add prohibit 10.0.2.0/24 table 100').status).toBe(0);
    lab.node('r1').netfilter.register({
      hook: 'prerouting',
      family: 4,
      priority: -150,
      fn: (p) => {
        if (p.header.protocol === IpProtocol.udp) p.mark = 5;
        return 'accept';
      },
    });
    const errors: string[] = [];
    const socket = opened(lab.node('h1').parts.sockets.openUdp({ onUdpProbeError: (e) => errors.push(`${e.from} ${e.type}/${e.code}`) }));
    expect(socket.sendto(new Uint8Array(8), { address: '10.0.2.2', port: 9 }).ok).toBe(true);
    lab.run(100 * MS);
    // Table 100's prohibit: dropped as prohibited, and ICMP packet filtered (ip_error) to the sender.
    expect(reasons(lab, 'r1')).toEqual(['eth0 prohibited EACCES']);
    expect(errors).toEqual(['10.0.1.1 3/13']);
    // Unmarked, a ping passes by the main table.
    const { replies } = ping(lab, 'h1', '10.0.2.2');
    lab.run(100 * MS);
    expect(replies).toEqual(['10.0.2.2 type 0 code 0 seq 1']);
  });

  it('a FORWARD drop reaches the trace with its reason and goes no further; at LOCAL_OUT the sender gets EPERM', () => {
    const lab = network();
    lab.node('r1').netfilter.register({
      hook: 'forward',
      family: 4,
      priority: 0,
      fn: (p) => (p.header.protocol === IpProtocol.udp ? drop('prohibited', 'filter: udp') : 'accept'),
    });
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    expect(socket.sendto(new Uint8Array(8), { address: '10.0.2.2', port: 9 }).ok).toBe(true);
    lab.run(100 * MS);
    expect(reasons(lab, 'r1')).toEqual(['eth0 prohibited filter: udp']);
    expect(framesMatching(lab.sent('r1', 'eth1'), udp({}))).toHaveLength(0);
    expect(lab.events.filter((e) => e.event.type === 'forward')).toHaveLength(0);
    // ICMP still passes the same hook.
    expect(ping(lab, 'h1', '10.0.2.2').sent.ok).toBe(true);
    lab.run(100 * MS);
    expect(framesMatching(lab.sent('r1', 'eth1'), icmp({ kind: 'echoRequest' }))).toHaveLength(1);

    lab.node('h1').netfilter.register({ hook: 'localOut', family: 4, priority: 0, fn: () => drop('prohibited', 'output filter') });
    expect(socket.sendto(new Uint8Array(8), { address: '10.0.2.2', port: 9 })).toEqual({ ok: false, errno: 'EPERM' });
    expect(reasons(lab, 'h1')).toEqual(['eth0 prohibited output filter']);
  });

  it('a stolen packet goes no further and is not a drop; the thief may send it on through ip_local_out', () => {
    const lab = network();
    const stolen: Uint8Array[] = [];
    const off = lab.node('r1').netfilter.register({ hook: 'prerouting', family: 4, priority: 0, fn: (p) => (stolen.push(p.bytes.slice()), 'stolen') });
    const { replies } = ping(lab, 'h1', '10.0.2.2');
    lab.run(100 * MS);
    expect(stolen).toHaveLength(1);
    expect(replies).toEqual([]);
    expect(lab.drops('r1')).toHaveLength(0);
    expect(lab.sent('r1', 'eth1')).toHaveLength(0);
    off();
    // What IPVS does with a packet it took: route it and send it itself.
    const r1 = lab.node('r1');
    const flow = { dst: ip('10.0.2.2') };
    const route = r1.kernel.routeOutput(flow, lab.now);
    if (!route.ok) throw new Error(route.errno);
    expect(r1.parts.ipv4.localOut(stolen[0]!, route.route, flow, lab.now)).toEqual({ ok: true, dev: 'eth1' });
    lab.run(100 * MS);
    expect(replies).toEqual(['10.0.2.2 type 0 code 0 seq 1']);
  });

  it('a LOCAL_OUT hook that marks a ping re-routes it out another interface (fwmark rule), as ip -s link counts', () => {
    const lab = network();
    expect(lab.exec('h1', 'ip rule add fwmark 7 table 100').status).toBe(0);
    expect(lab.exec('h1', 'ip route add default via 10.0.3.1 dev eth1 table 100').status).toBe(0);
    const txPackets = (dev: string) => {
      const text = lab.exec('h1', `ip -s link show ${dev}`).stdout;
      return Number(text.split('\n')[5]?.trim().split(/\s+/)[1]);
    };
    const before = { eth0: txPackets('eth0'), eth1: txPackets('eth1') };
    const marked: string[] = [];
    lab.node('h1').netfilter.register({
      hook: 'localOut',
      family: 4,
      priority: -150,
      fn: (p) => {
        if (p.header.protocol === IpProtocol.icmp) p.mark = 7;
        return 'accept';
      },
    });
    lab.node('h1').netfilter.register({ hook: 'postrouting', family: 4, priority: 0, fn: (p) => (marked.push(`${p.outDev} mark ${p.mark}`), 'accept') });
    const { sent, replies } = ping(lab, 'h1', '10.0.2.2');
    expect(sent).toMatchObject({ ok: true, info: { ifname: 'eth1' } });
    lab.run(100 * MS);
    // Out by r2 (eth1); h2 answers by its default route through r1 (eth0).
    expect(marked).toEqual(['eth1 mark 7']);
    expect(framesMatching(lab.sent('h1', 'eth1'), icmp({ kind: 'echoRequest' }))).toHaveLength(1);
    expect(framesMatching(lab.sent('h1', 'eth0'), icmp({ kind: 'echoRequest' }))).toHaveLength(0);
    expect(replies).toEqual(['10.0.2.2 type 0 code 0 seq 1']);
    // eth1 sent the ARP request and the echo request; eth0 only the ARP reply to r1, which brings the echo reply.
    expect({ eth0: txPackets('eth0') - before.eth0, eth1: txPackets('eth1') - before.eth1 }).toEqual({ eth0: 1, eth1: 2 });
    // UDP is not marked: it keeps the main table's route.
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    expect(socket.sendto(new Uint8Array(8), { address: '10.0.2.2', port: 9 })).toMatchObject({ ok: true, info: { ifname: 'eth0' } });
  });

  it("LOCAL_OUT's reroute verdict after rewriting the destination routes to the new one; a failed re-route is the send's errno", () => {
    const lab = network();
    lab.node('h1').netfilter.register({
      hook: 'localOut',
      family: 4,
      priority: 0,
      fn: (p) => {
        if (p.header.destination !== ip('192.0.2.1')) return 'accept';
        p.header.destination = ip('10.0.4.2');
        p.header.fillChecksum();
        return 'reroute';
      },
    });
    // 192.0.2.1 goes by the default route (eth0); rewritten to 10.0.4.2 it is h2's eth1, by r1 still (default).
    lab.route('h1', '10.0.4.0/24', { via: '10.0.3.1' });
    const { sent } = ping(lab, 'h1', '192.0.2.1');
    expect(sent).toMatchObject({ ok: true, info: { ifname: 'eth1' } });
    lab.run(100 * MS);
    expect(framesMatching(lab.sent('r2', 'eth1'), icmp({ kind: 'echoRequest' }))).toHaveLength(1);

    lab.node('h1').netfilter.register({ hook: 'localOut', family: 4, priority: 10, fn: (p) => ((p.mark = 9), 'accept') });
    expect(lab.exec('h1', 'ip rule add fwmark 9 table 200').status).toBe(0);
    expect(lab.exec('h1', 'ip route add unreachable default table 200').status).toBe(0);
    expect(ping(lab, 'h1', '10.0.2.2').sent).toEqual({ ok: false, errno: 'EHOSTUNREACH' });
    expect(reasons(lab, 'h1')).toEqual(['null hostUnreachable ip_route_me_harder: EHOSTUNREACH']);
  });
});
