import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { buildEthernetFrame, buildIcmpv4Packet, buildIpv4Frame, formatIpv4, internetChecksum, isWireError, parseIpv4Packet } from '@netloom/wire';
import { Lab, MS, SECOND, ip, type NodeOptions, opened } from '../testing/lab.js';
import { checkFrame, ethernet, framesMatching, icmp, ipv4 } from '../testing/frame-checks.js';
import { echoProgram } from '../testing/programs.js';
import type { UdpProbeError } from '../process.js';

/** h1 10.0.1.2 — (10.0.1.1) r1 (10.0.2.1) — h2 10.0.2.2; `router`: more options of r1. */
function chain(router: NodeOptions = {}): Lab {
  const lab = new Lab();
  lab.addNode('h1', { programs: { pinger: echoProgram } });
  lab.addNode('r1', { forwarding: true, ...router });
  lab.addNode('h2', { programs: { pinger: echoProgram } });
  lab.link('h1:eth0', 'r1:eth0');
  lab.link('r1:eth1', 'h2:eth0');
  lab.addr('h1', 'eth0', '10.0.1.2/24');
  lab.addr('r1', 'eth0', '10.0.1.1/24');
  lab.addr('r1', 'eth1', '10.0.2.1/24');
  lab.addr('h2', 'eth0', '10.0.2.2/24');
  lab.route('h1', 'default', { via: '10.0.1.1' });
  lab.route('h2', 'default', { via: '10.0.2.1' });
  return lab;
}

/** A UDP socket on h1 whose ICMP probe errors are collected (traceroute's view). */
function probeSocket(lab: Lab, ttl: number) {
  const errors: UdpProbeError[] = [];
  const socket = opened(lab.node('h1').parts.sockets.openUdp({ onUdpProbeError: (e) => errors.push(e) }));
  socket.setsockopt('IP_TTL', ttl);
  return { socket, errors };
}

describe('echo and forwarding', () => {
  it('answers an echo request across a router: TTL 64 at the sender, 63 after one hop', () => {
    const lab = chain();
    const run = lab.exec('h1', 'pinger 10.0.2.2', 100 * MS);
    expect(run.stdout).toBe('10.0.2.2 type 0 code 0 seq 1 ttl 63\n');
    const request = framesMatching(lab.sent('r1', 'eth1'), icmp({ kind: 'echoRequest' }))[0];
    expect(checkFrame(request, ethernet({ source: '02:00:00:00:02:02', destination: '02:00:00:00:03:01' }), ipv4({ source: '10.0.1.2', destination: '10.0.2.2', ttl: 63, dontFragment: true }), icmp({ identifier: 0x4e4c, sequence: 1 }))).toBeNull();
    const reply = framesMatching(lab.sent('h2'), icmp({ kind: 'echoReply' }))[0];
    expect(checkFrame(reply, ipv4({ source: '10.0.2.2', destination: '10.0.1.2', ttl: 64 }))).toBeNull();
    expect(lab.events.filter((e) => e.event.type === 'forward').map((e) => `${e.node} ${e.event.type === 'forward' ? `${e.event.inIf}>${e.event.outIf}` : ''}`)).toEqual(['r1 eth0>eth1', 'r1 eth1>eth0']);
  });

  it('a forward trace event carries the packet as forwarded (TTL 63), also on a router whose devices were renamed', () => {
    const lab = chain();
    lab.exec('h1', 'pinger 10.0.2.2', 100 * MS);
    lab.exec('r1', 'ip link set eth1 name wan1');
    lab.exec('h1', 'pinger 10.0.2.2', 100 * MS);
    const forwards = lab.events.flatMap((e) => (e.event.type === 'forward' ? [e.event] : []));
    // The port names, not the devices', before and after the rename.
    expect(forwards.map((f) => `${f.inIf}>${f.outIf}`)).toEqual(['eth0>eth1', 'eth1>eth0', 'eth0>eth1', 'eth1>eth0']);
    for (const [i, forward] of forwards.entries()) {
      const packet = parseIpv4Packet(forward.frame);
      if (isWireError(packet)) throw new Error(`forward ${i}: ${packet.error}`);
      expect(forward.frame.length).toBe(20 + packet.payload.length);
      expect(packet.ttl).toBe(63);
      expect(formatIpv4(packet.source)).toBe(i % 2 === 0 ? '10.0.1.2' : '10.0.2.2');
    }
  });

  it('a router whose host records no trace builds no forward events and forwards the same frames', () => {
    const run = (tracing: boolean) => {
      const lab = chain({ tracing: () => tracing });
      const stdout = lab.exec('h1', 'pinger 10.0.2.2', 100 * MS).stdout;
      return { stdout, sent: lab.sent('r1').map((f) => [...f.frame].join(',')), forwards: lab.events.filter((e) => e.event.type === 'forward').length };
    };
    const traced = run(true);
    const untraced = run(false);
    expect(traced.forwards).toBe(2);
    expect(untraced.forwards).toBe(0);
    expect(untraced.stdout).toBe('10.0.2.2 type 0 code 0 seq 1 ttl 63\n');
    expect(untraced.sent).toEqual(traced.sent);
  });

  it('pings its own address through lo', () => {
    const lab = chain();
    const run = lab.exec('h1', 'pinger 10.0.1.2', 10 * MS);
    expect(run.stdout).toBe('10.0.1.2 type 0 code 0 seq 1 ttl 64\n');
    expect(lab.sent('h1')).toHaveLength(0);
  });

  it('sends time exceeded from the router for TTL 1, quoting the probe (traceroute)', () => {
    const lab = chain();
    const { socket, errors } = probeSocket(lab, 1);
    socket.sendto(new Uint8Array(32), { address: '10.0.2.2', port: 33434 });
    lab.run(100 * MS);
    expect(errors).toEqual([{ from: '10.0.1.1', type: 11, code: 0, sport: socket.localAddress()!.port, dport: 33434, receivedAt: 4 * MS }]);
    const error = framesMatching(lab.sent('r1', 'eth0'), icmp({ kind: 'timeExceeded' }))[0];
    expect(checkFrame(error, ipv4({ source: '10.0.1.1', destination: '10.0.1.2', ttl: 64, tos: 0xc0 }), icmp({ code: 0, quotedDestination: '10.0.2.2' }))).toBeNull();
    expect(lab.drops('r1').map((d) => d.event.type === 'drop' && d.event.reason)).toEqual(['ttlExpired']);
  });

  it('a ping socket sees the time exceeded quoting its echo request (traceroute -I, ping -t 1)', () => {
    const lab = chain();
    const socket = opened(lab.node('h1').parts.sockets.openIcmp({}));
    const seen: string[] = [];
    socket.onMessage((m) => seen.push(`${m.from} ${m.type}/${m.code} id ${m.id} seq ${m.sequence}`));
    socket.setsockopt('IP_TTL', 1);
    socket.sendEcho('10.0.2.2', 4242, 7, new Uint8Array(16));
    lab.run(100 * MS);
    expect(seen).toEqual(['10.0.1.1 11/0 id 4242 seq 7']);
  });

  it('a ping socket gets a parameter problem with its pointer as info (ee_info)', () => {
    const lab = chain();
    const socket = opened(lab.node('h1').parts.sockets.openIcmp({}));
    const seen: string[] = [];
    socket.onMessage((m) => seen.push(`${m.from} ${m.type}/${m.code} seq ${m.sequence} info ${m.info}`));
    socket.sendEcho('10.0.2.2', 4242, 7, new Uint8Array(16));
    lab.run(100 * MS);
    seen.length = 0;
    const request = framesMatching(lab.sent('h1'), icmp({ kind: 'echoRequest' }))[0]!;
    const problem = buildIcmpv4Packet({ source: ip('10.0.1.1'), destination: ip('10.0.1.2') }, { kind: 'parameterProblem', code: 0, pointer: 1, datagram: request.slice(14, 14 + 28) });
    lab.node('h1').receive('eth0', buildEthernetFrame(request.slice(6, 12), request.slice(0, 6), 0x0800, problem), lab.now);
    lab.run(10 * MS);
    expect(seen).toEqual(['10.0.1.1 12/0 seq 7 info 1']);
  });

  it('answers a closed port with port unreachable; a connected socket gets ECONNREFUSED', () => {
    const lab = chain();
    const { socket, errors } = probeSocket(lab, 64);
    const asyncErrors: string[] = [];
    socket.onError((errno, from) => asyncErrors.push(`${errno} ${from}`));
    expect(socket.connect('10.0.2.2', 33434)).toEqual({ ok: true });
    socket.sendto(new Uint8Array(32));
    lab.run(100 * MS);
    expect(errors.map((e) => `${e.from} ${e.type}/${e.code}`)).toEqual(['10.0.2.2 3/3']);
    expect(asyncErrors).toEqual(['ECONNREFUSED 10.0.2.2']);
  });

  it('a router without a route answers net unreachable; prohibit → code 13; unreachable → host; blackhole is silent', () => {
    const lab = chain();
    lab.route('r1', '10.67.0.0/16', { type: 'unreachable' });
    lab.route('r1', '10.68.0.0/16', { type: 'prohibit' });
    lab.route('r1', '10.66.0.0/16', { type: 'blackhole' });
    const { socket, errors } = probeSocket(lab, 64);
    // 2 s apart: each no-route packet takes two tokens from h1's inet_peer (the next test).
    for (const destination of ['10.99.0.1', '10.67.0.1', '10.68.0.1', '10.66.0.1']) {
      socket.sendto(new Uint8Array(8), { address: destination, port: 9 });
      lab.run(2000 * MS);
    }
    expect(errors.map((e) => `${e.from} ${e.type}/${e.code}`)).toEqual(['10.0.1.1 3/0', '10.0.1.1 3/1', '10.0.1.1 3/13']);
    expect(lab.drops('r1').map((d) => d.event.type === 'drop' && d.event.reason)).toEqual(['noRoute', 'hostUnreachable', 'prohibited', 'blackhole']);
  });

  it('a router drops a martian source, a martian destination and an rp_filter failure silently, each with its reason', () => {
    const lab = chain();
    lab.sysctl('r1', 'net.ipv4.conf.eth0.rp_filter', 1);
    const h1Mac = new Uint8Array([0x02, 0, 0, 0, 1, 1]);
    const r1Mac = new Uint8Array([0x02, 0, 0, 0, 2, 1]);
    const udp = (source: string, destination: string) => buildIpv4Frame(r1Mac, h1Mac, { source: ip(source), destination: ip(destination), protocol: 17 }, new Uint8Array(8));
    // Loopback source; zeronet destination; a source r1 reaches through eth1, arriving on eth0 (strict rp_filter).
    for (const [source, destination] of [['127.0.0.1', '10.0.2.2'], ['10.0.1.2', '0.1.2.3'], ['10.0.2.7', '10.0.2.2']] as const) {
      lab.node('r1').receive('eth0', udp(source, destination), lab.now);
      lab.run(10 * MS);
    }
    expect(lab.drops('r1').map((d) => d.event.type === 'drop' && d.event.reason)).toEqual(['martianSource', 'martianDestination', 'rpFilter']);
    expect(framesMatching(lab.sent('r1'), icmp({}))).toEqual([]);
    expect(lab.sent('r1', 'eth1')).toEqual([]);
  });

  it('a host that does not forward drops packets for others silently', () => {
    const lab = chain();
    lab.sysctl('r1', 'net.ipv4.ip_forward', 0);
    const { socket, errors } = probeSocket(lab, 64);
    socket.sendto(new Uint8Array(8), { address: '10.0.2.2', port: 9 });
    lab.run(100 * MS);
    expect(errors).toEqual([]);
    expect(lab.drops('r1').map((d) => d.event.type === 'drop' && d.event.reason)).toEqual(['forwardingDisabled']);
  });

  it('sends frag-needed with the next-hop MTU for a DF packet too big for the next link, and the sender learns the PMTU', () => {
    const lab = chain();
    lab.node('r1').kernel.setMtu('eth1', 1000);
    const socket = opened(lab.node('h1').parts.sockets.openIcmp({}));
    const messages: string[] = [];
    socket.onMessage((m) => messages.push(`${m.from} ${m.type}/${m.code} seq ${m.sequence}`));
    socket.setsockopt('IP_MTU_DISCOVER', 'do');
    expect(socket.sendEcho('10.0.2.2', 1, 1, new Uint8Array(1200)).ok).toBe(true);
    lab.run(100 * MS);
    expect(messages).toEqual(['10.0.1.1 3/4 seq 1']);
    expect(checkFrame(framesMatching(lab.sent('r1', 'eth0'), icmp({ kind: 'destinationUnreachable' }))[0], icmp({ code: 4, mtu: 1000 }))).toBeNull();
    const route = lab.node('h1').kernel.routeOutput({ dst: ip('10.0.2.2') }, lab.now);
    expect(route.ok && route.route.mtu).toBe(1000);
    // Now the socket refuses what no longer fits, and fragments without -M do.
    expect(socket.sendEcho('10.0.2.2', 1, 2, new Uint8Array(1200))).toEqual({ ok: false, errno: 'EMSGSIZE', localErrorMtu: 1000 });
  });

  it('fragments a UDP datagram larger than the MTU and the receiver reassembles it', () => {
    const lab = chain();
    const received: number[] = [];
    const rx = opened(lab.node('h2').parts.sockets.openUdp({}));
    rx.bind('0.0.0.0', 7000);
    rx.onMessage((d) => received.push(d.data.length));
    const tx = opened(lab.node('h1').parts.sockets.openUdp({}));
    expect(tx.sendto(new Uint8Array(4000), { address: '10.0.2.2', port: 7000 }).ok).toBe(true);
    lab.run(100 * MS);
    expect(received).toEqual([4000]);
    const fragments = framesMatching(lab.sent('h1'), ipv4({ destination: '10.0.2.2', dontFragment: false }));
    // 4008 bytes of UDP: 1480 + 1480 + 1048 behind 20-byte headers.
    expect(fragments.map((f) => f.length - 14)).toEqual([1500, 1500, 1068]);
  });

  it('limits ICMP errors per destination: a burst of 6, then one per second', () => {
    const lab = chain();
    const { socket, errors } = probeSocket(lab, 1);
    for (let i = 0; i < 20; i++) {
      socket.sendto(new Uint8Array(8), { address: '10.0.2.2', port: 9 });
      lab.run(100 * MS);
    }
    // 20 datagrams at 10/s, each expiring at r1: the first 6 time exceeded at once, then one when a
    // token (1 s, counted in jiffies) has refilled at 1.0 s.
    expect(errors.map((e) => Math.floor(e.receivedAt / (100 * MS)) * 100)).toEqual([0, 100, 200, 300, 400, 500, 1000]);
    expect(lab.drops('r1').filter((d) => d.event.type === 'drop' && d.event.reason === 'rateLimited')).toHaveLength(13);
  });

  it('a router with no route charges the sender twice per packet (ip_error, then icmp_send): 2 net unreachables, 5 with icmp_ratemask 0', () => {
    const burst = (ratemask?: number) => {
      const lab = chain();
      if (ratemask !== undefined) lab.sysctl('r1', 'net.ipv4.icmp_ratemask', ratemask);
      const { socket, errors } = probeSocket(lab, 64);
      for (let i = 0; i < 20; i++) {
        socket.sendto(new Uint8Array(8), { address: '10.99.0.1', port: 9 });
        lab.run(100 * MS);
      }
      return errors.map((e) => Math.floor(e.receivedAt / (100 * MS)) * 100);
    };
    // Linux 6.18 (test/kernel/multinode/cases/no-route-ratelimit): at 10/s, ip_error's bucket
    // (error_burst 5 s, error_cost 1 s) refills one send a second, which icmp_send's then refuses.
    expect(burst()).toEqual([0, 100]);
    // Without the ICMP budget, ip_error's alone: a burst of 5, then one a second.
    expect(burst(0)).toEqual([0, 100, 200, 300, 400, 1000]);
  });
});

describe('malformed input', () => {
  it('counts a bad IPv4 checksum as a drop and never throws', () => {
    const lab = chain();
    lab.exec('h1', 'pinger 10.0.2.2', 100 * MS);
    const frame = framesMatching(lab.sent('h1'), icmp({ kind: 'echoRequest' }))[0]!.slice();
    frame[24] = (frame[24] ?? 0) ^ 0xff;
    const before = lab.node('r1').counters().drops;
    lab.node('r1').receive('eth0', frame, lab.now);
    expect(lab.node('r1').counters().drops).toBe(before + 1);
    expect(lab.drops('r1').at(-1)?.event).toMatchObject({ type: 'drop', reason: 'badChecksum' });
  });

  it('never throws on arbitrary bytes (property): receive() lets any exception out, so a bug fails it', () => {
    const lab = chain();
    const node = lab.node('r1');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 120, size: 'max' }), fc.boolean(), (bytes, asIp) => {
        const frame = new Uint8Array(14 + bytes.length);
        frame.set([0x02, 0, 0, 0, 2, 1, 0x02, 0, 0, 0, 1, 1, 0x08, asIp ? 0x00 : 0x06], 0);
        frame.set(bytes, 14);
        if (asIp && frame.length > 14) frame[14] = 0x45;
        if (asIp && bytes.length >= 20) {
          // A consistent total length and header checksum, so the packet gets past ip_rcv's checks.
          frame[16] = bytes.length >>> 8;
          frame[17] = bytes.length & 0xff;
          frame[24] = 0;
          frame[25] = 0;
          const sum = internetChecksum(frame, 14, 34);
          frame[24] = sum >>> 8;
          frame[25] = sum & 0xff;
        }
        node.receive('eth0', frame, lab.now);
        lab.run(10 * MS);
      }),
      { numRuns: scaled(300) },
    );
    expect(lab.drops('r1').length).toBeGreaterThan(0);
  });
});

describe('UDP sockets', () => {
  it('IP_PKTINFO reports the destination address and the interface index', () => {
    const lab = chain();
    const rx = opened(lab.node('h2').parts.sockets.openUdp({}));
    rx.bind('0.0.0.0', 5000);
    rx.setsockopt('IP_PKTINFO', true);
    const got: string[] = [];
    rx.onMessage((d) => got.push(`${d.from.address}:${d.from.port} -> ${d.pktinfo?.address} if ${d.pktinfo?.ifindex} ${d.pktinfo?.ifname} ttl ${d.ttl}`));
    const tx = opened(lab.node('h1').parts.sockets.openUdp({}));
    tx.bind('0.0.0.0', 4000);
    tx.sendto(new TextEncoder().encode('hello'), { address: '10.0.2.2', port: 5000 });
    lab.run(100 * MS);
    expect(got).toEqual(['10.0.1.2:4000 -> 10.0.2.2 if 2 eth0 ttl 63']);
  });

  it('SO_BINDTODEVICE selects the interface and the wildcard socket does not receive what a bound one takes', () => {
    const lab = chain();
    const wildcard = opened(lab.node('h2').parts.sockets.openUdp({}));
    const specific = opened(lab.node('h2').parts.sockets.openUdp({}));
    expect(wildcard.bind('0.0.0.0', 6000)).toEqual({ ok: true });
    expect(specific.bind('10.0.2.2', 6000)).toEqual({ ok: false, errno: 'EADDRINUSE' });
    const seen: string[] = [];
    wildcard.onMessage(() => seen.push('wildcard'));
    const tx = opened(lab.node('h1').parts.sockets.openUdp({}));
    tx.sendto(new Uint8Array(1), { address: '10.0.2.2', port: 6000 });
    lab.run(100 * MS);
    expect(seen).toEqual(['wildcard']);
    expect(tx.setsockopt('SO_BINDTODEVICE', 'nosuch')).toEqual({ ok: false, errno: 'ENODEV' });
    expect(tx.setsockopt('SO_BINDTODEVICE', 'lo')).toEqual({ ok: true });
    const result = tx.sendto(new Uint8Array(1), { address: '10.0.2.2', port: 6000 });
    expect(result.ok ? result.info.ifname : result.errno).toBe('lo');
  });

  it('after the source address is deleted, an unconnected socket uses the promoted secondary; a connected one fails', () => {
    const lab = chain();
    lab.sysctl('h1', 'net.ipv4.conf.eth0.promote_secondaries', 1);
    lab.addr('h1', 'eth0', '10.0.1.3/24');
    const unconnected = opened(lab.node('h1').parts.sockets.openUdp({}));
    const connected = opened(lab.node('h1').parts.sockets.openUdp({}));
    expect(connected.connect('10.0.2.2', 9)).toEqual({ ok: true });
    const sourceOf = (r: ReturnType<typeof connected.sendto>): string => (r.ok ? `${r.info.ifname} ${r.info.source}` : r.errno);
    expect(sourceOf(unconnected.sendto(new Uint8Array(1), { address: '10.0.2.2', port: 9 }))).toBe('eth0 10.0.1.2');
    expect(sourceOf(connected.sendto(new Uint8Array(1)))).toBe('eth0 10.0.1.2');
    lab.delAddr('h1', 'eth0', '10.0.1.2/24');
    expect(sourceOf(unconnected.sendto(new Uint8Array(1), { address: '10.0.2.2', port: 9 }))).toBe('eth0 10.0.1.3');
    expect(sourceOf(connected.sendto(new Uint8Array(1)))).toBe('ENETUNREACH');
  });
});

describe('determinism', () => {
  it('the same network and traffic give byte-identical frames at identical times', () => {
    const capture = (): string => {
      const lab = chain();
      lab.exec('h1', 'pinger 10.0.2.2 5 200', 3 * SECOND);
      const socket = opened(lab.node('h2').parts.sockets.openUdp({}));
      socket.sendto(new Uint8Array(3000), { address: '10.0.1.2', port: 4444 });
      lab.run(40 * SECOND);
      return lab.transmitted.map((f) => `${f.at} ${f.node} ${f.ifname} ${Buffer.from(f.frame).toString('hex')}`).join('\n');
    };
    const first = capture();
    expect(first.split('\n').length).toBeGreaterThan(20);
    expect(capture()).toBe(first);
  });
});

describe('timers', () => {
  it('two timers due at the same time run in the order they were armed', () => {
    const lab = chain();
    const timers = lab.node('h1').parts.timers;
    const order: string[] = [];
    timers.schedule(5 * SECOND, () => order.push('a'));
    timers.schedule(5 * SECOND, () => order.push('b'));
    timers.schedule(4 * SECOND, () => order.push('c'));
    lab.run(6 * SECOND);
    expect(order).toEqual(['c', 'a', 'b']);
  });
});

describe('IP counters (netstat -s)', () => {
  it('says Forwarding: 1 on a router and counts what it forwards and fragments', () => {
    const lab = chain();
    const socket = opened(lab.node('h1').parts.sockets.openIcmp({}));
    socket.sendEcho('10.0.2.2', 1, 1, new Uint8Array(2000));
    lab.run(100 * MS);
    const stats = lab.exec('r1', 'netstat -s').stdout.split('\n');
    expect(stats.slice(0, 4)).toEqual(['Ip:', '    Forwarding: 1', '    4 total packets received', '    4 forwarded']);
    expect(lab.node('r1').parts.ipv4.mib).toMatchObject({ forwDatagrams: 4, inDelivers: 0, outTransmits: 4, reasmReqds: 0 });
    expect(lab.node('h1').parts.ipv4.mib).toMatchObject({ outRequests: 1, fragOKs: 1, fragCreates: 2, reasmOKs: 1 });
  });
});
