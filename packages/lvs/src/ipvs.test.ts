/**
 * Connections through their life on the control plane alone: IPVS's TCP states per forwarding
 * method, ActiveConn/InActConn, timeouts in virtual time, UDP, persistence templates, quiescent and
 * deleted real servers, thresholds and the connection reuse rule (ip_vs_core.c, ip_vs_conn.c,
 * ip_vs_proto_tcp.c as the module headers cite them).
 */
import { describe, expect, it } from 'vitest';
import { inet4, type InetAddress } from './inet-address.js';
import { Ipvs, type IpvsPacket } from './ipvs.js';
import { TCP_STATE_NAMES, type TcpFlags } from './protocol-states.js';
import type { ForwardingMethod, RealServer, ServiceKey } from './virtual-service.js';

const S = 1e9;
const ip = (text: string): InetAddress => inet4(text.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0));
const VIP = ip('10.0.0.1');
const tcp80: ServiceKey = { kind: 'tcp', address: VIP, port: 80 };
const udp53: ServiceKey = { kind: 'udp', address: VIP, port: 53 };
const flags = (text: string): TcpFlags => ({ syn: text.includes('S'), fin: text.includes('F'), ack: text.includes('A'), rst: text.includes('R') });

function director(method: ForwardingMethod, servers: readonly [string, number][], persistentTimeout?: number, scheduler = 'rr'): Ipvs {
  const ipvs = new Ipvs();
  expect(ipvs.addService(tcp80, { scheduler, persistentTimeout, netmask: persistentTimeout === undefined ? undefined : 0xffffff00 })).toBe('ok');
  for (const [address, weight] of servers) {
    expect(ipvs.addDestination(tcp80, { address: ip(address), port: 80, forwarding: method, weight, upperThreshold: 0, lowerThreshold: 0 })).toBe('ok');
  }
  return ipvs;
}

const fromClient = (client: string, port: number, f: string, dport = 80): IpvsPacket => ({
  family: 4,
  protocol: 6,
  source: ip(client),
  sourcePort: port,
  destination: VIP,
  destinationPort: dport,
  fwmark: 0,
  tcp: flags(f),
  length: 60,
});
const fromServer = (server: string, client: string, port: number, f: string): IpvsPacket => ({
  family: 4,
  protocol: 6,
  source: ip(server),
  sourcePort: 80,
  destination: ip(client),
  destinationPort: port,
  fwmark: 0,
  tcp: flags(f),
  length: 52,
});

const counters = (dest: RealServer): string => `${dest.activeConns}/${dest.inactConns}/${dest.persistConns}`;

describe('a TCP connection through a masquerading director', () => {
  it('goes SYN_RECV, ESTABLISHED, CLOSE_WAIT, TIME_WAIT and expires 120 s later, counted active then inactive', () => {
    const ipvs = director('masq', [['192.168.10.2', 1]]);
    const dest = ipvs.listServices()[0]!.destinations[0]!;
    const syn = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    expect(syn.kind).toBe('forward');
    const conn = syn.kind === 'forward' ? syn.conn : undefined;
    const state = (): string => TCP_STATE_NAMES[conn!.state]!;
    expect([state(), counters(dest), conn!.expiresAt]).toEqual(['SYN_RECV', '1/0/0', 60 * S]);
    expect(ipvs.outbound(fromServer('192.168.10.2', '203.0.113.7', 40000, 'SA'), 1e6)).toBe(conn);
    expect(state()).toBe('SYN_RECV');
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), 2e6);
    expect([state(), counters(dest), conn!.expiresAt]).toEqual(['ESTABLISHED', '1/0/0', 900 * S + 2e6]);
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'FA'), 3 * S);
    expect([state(), counters(dest)]).toEqual(['CLOSE_WAIT', '0/1/0']);
    ipvs.outbound(fromServer('192.168.10.2', '203.0.113.7', 40000, 'FA'), 3 * S);
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), 3 * S);
    expect([state(), conn!.expiresAt]).toEqual(['TIME_WAIT', 123 * S]);
    ipvs.tick(123 * S - 1);
    expect(ipvs.connections.size).toBe(1);
    ipvs.tick(123 * S);
    expect([ipvs.connections.size, counters(dest)]).toEqual([0, '0/0/0']);
    expect([dest.stats.conns, dest.stats.inpkts, dest.stats.outpkts, dest.stats.inbytes, dest.stats.outbytes]).toEqual([1, 4, 2, 240, 104]);
  });

  it('an RST closes an established connection (CLOSE, 10 s) but not a SYN_RECV one', () => {
    const ipvs = director('masq', [['192.168.10.2', 1]]);
    const d = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const conn = d.kind === 'forward' ? d.conn : undefined;
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'R'), S);
    expect(TCP_STATE_NAMES[conn!.state]).toBe('SYN_RECV'); // the input table keeps SYN_RECV on an RST
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), S);
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'R'), S);
    expect([TCP_STATE_NAMES[conn!.state], conn!.expiresAt]).toEqual(['CLOSE', 11 * S]);
  });

  it('a segment without SYN from an unknown client is not scheduled; with sloppy_tcp it is', () => {
    const ipvs = director('masq', [['192.168.10.2', 1]]);
    expect(ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), 0).kind).toBe('accept');
    ipvs.settings.sloppy_tcp = 1;
    const d = ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), 0);
    expect(d.kind === 'forward' ? TCP_STATE_NAMES[d.conn.state] : d.kind).toBe('ESTABLISHED');
  });
});

describe('direct routing: the director sees only the client side (INPUT-ONLY table)', () => {
  it('a FIN from the client moves ESTABLISHED to FIN_WAIT, which lasts the tcpfin timeout', () => {
    const ipvs = director('droute', [['192.168.10.2', 1]]);
    const d = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const conn = d.kind === 'forward' ? d.conn : undefined;
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), S);
    expect(TCP_STATE_NAMES[conn!.state]).toBe('ESTABLISHED');
    ipvs.timeouts.set(0, 30, 0); // ipvsadm --set 0 30 0
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'FA'), 2 * S);
    expect([TCP_STATE_NAMES[conn!.state], conn!.expiresAt]).toEqual(['FIN_WAIT', 32 * S]);
    expect(ipvs.outbound(fromServer('192.168.10.2', '203.0.113.7', 40000, 'A'), 2 * S)).toBe(conn); // (a masq reply would clear NOOUTPUT)
  });
});

describe('UDP', () => {
  it('counts as inactive and lives 300 s (or --set udp) after each datagram', () => {
    const ipvs = new Ipvs();
    ipvs.addService(udp53, { scheduler: 'wlc' });
    ipvs.addDestination(udp53, { address: ip('192.168.10.2'), port: 53, forwarding: 'droute', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
    const dgram: IpvsPacket = { family: 4, protocol: 17, source: ip('203.0.113.7'), sourcePort: 5353, destination: VIP, destinationPort: 53, fwmark: 0, length: 40 };
    const d = ipvs.inbound(dgram, 0);
    const dest = ipvs.listServices()[0]!.destinations[0]!;
    expect([counters(dest), d.kind === 'forward' ? d.conn.expiresAt : 0]).toEqual(['0/1/0', 300 * S]);
    ipvs.timeouts.set(0, 0, 20);
    ipvs.inbound(dgram, 10 * S);
    expect(d.kind === 'forward' ? d.conn.expiresAt : 0).toBe(30 * S);
    ipvs.tick(30 * S);
    expect([ipvs.connections.size, counters(dest)]).toEqual([0, '0/0/0']);
  });
});

describe('persistence', () => {
  it('sends a client network to one real server through a template that outlives its connections', () => {
    const ipvs = director('masq', [['192.168.10.2', 1], ['192.168.10.3', 1]], 360);
    const servers = ipvs.listServices()[0]!.destinations;
    const a = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const b = ipvs.inbound(fromClient('203.0.113.99', 40001, 'S'), S); // same /24
    expect(a.kind === 'forward' && b.kind === 'forward' && a.conn.dest === b.conn.dest).toBe(true);
    const dest = a.kind === 'forward' ? a.conn.dest! : servers[0]!;
    expect(counters(dest)).toBe('2/0/1');
    const template = a.kind === 'forward' ? a.conn.control! : undefined;
    expect([template!.cport, template!.controlled, TCP_STATE_NAMES[template!.state], template!.expiresAt]).toEqual([0, 2, 'NONE', 361 * S]);
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), 2 * S);
    expect(template!.state).toBe(1); // ASSURED
    // Both connections reset: CLOSE for 10 s, then gone; the template waits (re-armed 60 s while it controls).
    ipvs.inbound(fromClient('203.0.113.99', 40001, 'A'), 2 * S);
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'R'), 3 * S);
    ipvs.inbound(fromClient('203.0.113.99', 40001, 'R'), 3 * S);
    ipvs.tick(13 * S);
    expect([ipvs.connections.size, counters(dest)]).toEqual([1, '0/0/1']);
    ipvs.tick(361 * S);
    expect(ipvs.connections.size).toBe(0);
    expect(counters(dest)).toBe('0/0/0');
  });

  it('a template still controlling a connection when it runs out waits 60 s at a time, and keeps that timeout', () => {
    const ipvs = director('masq', [['192.168.10.2', 1]], 30);
    const a = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), S); // ESTABLISHED: 900 s
    const template = a.kind === 'forward' ? a.conn.control! : undefined;
    ipvs.tick(30 * S);
    expect([template!.hashed, template!.expiresAt, template!.timeoutNs]).toEqual([true, 90 * S, 60 * S]);
    ipvs.inbound(fromClient('203.0.113.8', 40001, 'S'), 40 * S); // a new connection through it restarts it with 60 s
    expect(template!.expiresAt).toBe(100 * S);
  });

  it('keeps a persistent client on a quiesced server unless expire_quiescent_template', () => {
    const ipvs = director('masq', [['192.168.10.2', 1], ['192.168.10.3', 1]], 360);
    const first = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const dest = first.kind === 'forward' ? first.conn.dest! : undefined;
    ipvs.editDestination(tcp80, { address: dest!.address, port: 80, forwarding: 'masq', weight: 0, upperThreshold: 0, lowerThreshold: 0 });
    const again = ipvs.inbound(fromClient('203.0.113.8', 40000, 'S'), S);
    expect(again.kind === 'forward' && again.conn.dest).toBe(dest);
    ipvs.settings.expire_quiescent_template = 1;
    const moved = ipvs.inbound(fromClient('203.0.113.9', 40000, 'S'), 2 * S);
    expect(moved.kind === 'forward' && moved.conn.dest !== dest).toBe(true);
    // The invalidated template lives on with ports 65535 until it expires.
    const stale = [...ipvs.connections.all()].find((c) => c.isTemplate && c.vport === 0xffff);
    expect(stale?.dest).toBe(dest);
  });
});

describe('real servers taken out', () => {
  it('weight 0: existing connections continue, new ones go elsewhere', () => {
    const ipvs = director('masq', [['192.168.10.2', 1], ['192.168.10.3', 1]]);
    const first = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const dest = first.kind === 'forward' ? first.conn.dest! : undefined;
    ipvs.editDestination(tcp80, { address: dest!.address, port: 80, forwarding: 'masq', weight: 0, upperThreshold: 0, lowerThreshold: 0 });
    expect(ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), S)).toMatchObject({ kind: 'forward', isNew: false });
    for (let port = 1; port < 5; port++) {
      const d = ipvs.inbound(fromClient('203.0.113.7', 41000 + port, 'S'), S);
      expect(d.kind === 'forward' && d.conn.dest !== dest).toBe(true);
    }
  });

  it('deleted: packets are dropped silently (expire_nodest_conn 0), or (1) its connections are flushed and the packet is scheduled anew', () => {
    for (const expire of [0, 1]) {
      const ipvs = director('masq', [['192.168.10.2', 1], ['192.168.10.3', 1]]);
      ipvs.settings.expire_nodest_conn = expire;
      const first = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
      const dest = first.kind === 'forward' ? first.conn.dest! : undefined;
      expect(ipvs.deleteDestination(tcp80, dest!.address, 80)).toBe('ok');
      // expire_nodest_conn 1 flushes the deleted server's connections at once (5.9+); 0 keeps them, and it, in the trash.
      expect([ipvs.trashSize, ipvs.connections.size]).toEqual(expire === 0 ? [1, 1] : [0, 0]);
      const next = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), S);
      if (expire === 0) {
        expect(next).toEqual({ kind: 'drop', reason: 'destinationUnavailable' });
        expect(first.kind === 'forward' && first.conn.expiresAt).toBe(60 * S); // timer not restarted
      } else {
        expect(next.kind === 'forward' && next.isNew && next.conn.dest !== dest).toBe(true);
        expect(ipvs.trashSize).toBe(0);
      }
    }
  });

  it('with expire_nodest_conn, deleting a server flushes its persistent connections and the templates left controlling nothing', () => {
    const ipvs = director('masq', [['192.168.10.2', 1], ['192.168.10.3', 1]], 300);
    ipvs.settings.expire_nodest_conn = 1;
    const a = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const b = ipvs.inbound(fromClient('198.51.100.7', 40000, 'S'), 0);
    const gone = a.kind === 'forward' ? a.conn.dest! : undefined;
    expect(b.kind === 'forward' && b.conn.dest !== gone).toBe(true);
    expect(ipvs.connections.size).toBe(4);
    ipvs.deleteDestination(tcp80, gone!.address, 80);
    expect([...ipvs.connections.all()].every((c) => c.dest !== gone)).toBe(true);
    expect([ipvs.connections.size, ipvs.trashSize]).toEqual([2, 0]);
  });

  it('no server available: noDestination (ICMP port unreachable) and the kernel log line', () => {
    const ipvs = director('masq', [['192.168.10.2', 0]]);
    expect(ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0).kind).toBe('noDestination');
    expect(ipvs.log).toEqual(['IPVS: rr: TCP 10.0.0.1:80 - no destination available']);
  });
});

describe('thresholds and reuse', () => {
  it('-x 2 overloads a server at two connections; it takes new ones again below 3/4 of it', () => {
    const ipvs = director('masq', [['192.168.10.2', 1], ['192.168.10.3', 1]], undefined, 'wlc');
    const [b, a] = ipvs.listServices()[0]!.destinations; // newest first
    ipvs.editDestination(tcp80, { address: a!.address, port: 80, forwarding: 'masq', weight: 5, upperThreshold: 2, lowerThreshold: 0 });
    const dests = [1, 2, 3, 4].map((p) => {
      const d = ipvs.inbound(fromClient('203.0.113.7', 40000 + p, 'S'), 0);
      return d.kind === 'forward' ? d.conn.dest : null;
    });
    // wlc, list b(1) a(5): b on the tie, then a twice (256×5 > 0, 256×5 > 256×1), then a is overloaded.
    expect(dests).toEqual([b, a, a, b]);
    expect(a!.isOverloaded).toBe(true);
    ipvs.inbound(fromClient('203.0.113.7', 40002, 'A'), S);
    ipvs.inbound(fromClient('203.0.113.7', 40002, 'R'), S);
    ipvs.tick(11 * S); // one of a's expires: 1 × 4 < 2 × 3 → not overloaded
    expect(a!.isOverloaded).toBe(false);
  });

  it('a SYN reusing the ports of a connection to a quiesced server goes elsewhere with expire_nodest_conn, even with conn_reuse_mode 0', () => {
    const ipvs = director('droute', [['192.168.10.2', 1], ['192.168.10.3', 1]]);
    ipvs.settings.conn_reuse_mode = 0;
    const first = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const dest = first.kind === 'forward' ? first.conn.dest! : undefined;
    ipvs.editDestination(tcp80, { address: dest!.address, port: 80, forwarding: 'droute', weight: 0, upperThreshold: 0, lowerThreshold: 0 });
    expect(ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), S)).toMatchObject({ kind: 'forward', isNew: false });
    ipvs.settings.expire_nodest_conn = 1;
    const again = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 2 * S);
    expect(again.kind === 'forward' && again.isNew && again.conn.dest !== dest).toBe(true);
  });

  it('a SYN on a TIME_WAIT connection that a template controls keeps the connection (5.16+)', () => {
    const ipvs = director('masq', [['192.168.10.2', 1], ['192.168.10.3', 1]], 300);
    const first = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const conn = first.kind === 'forward' ? first.conn : undefined;
    const server = [24, 16, 8, 0].map((s) => ((conn!.daddr.family === 4 ? conn!.daddr.v4 : 0) >>> s) & 255).join('.');
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), 0);
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'FA'), 0);
    ipvs.outbound(fromServer(server, '203.0.113.7', 40000, 'FA'), 0);
    expect(TCP_STATE_NAMES[conn!.state]).toBe('TIME_WAIT');
    expect(ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), S)).toMatchObject({ kind: 'forward', isNew: false, conn });
    expect(TCP_STATE_NAMES[conn!.state]).toBe('SYN_RECV'); // the input table: SYN from TIME_WAIT
    expect(ipvs.connections.size).toBe(2); // the connection and its template
  });

  it('a SYN on a TIME_WAIT connection schedules a new one (conn_reuse_mode 1)', () => {
    const ipvs = director('masq', [['192.168.10.2', 1], ['192.168.10.3', 1]]);
    const first = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), 0);
    const rip = first.kind === 'forward' && first.conn.daddr.family === 4 ? first.conn.daddr : VIP;
    const server = [24, 16, 8, 0].map((s) => ((rip.family === 4 ? rip.v4 : 0) >>> s) & 255).join('.');
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'A'), 0);
    ipvs.inbound(fromClient('203.0.113.7', 40000, 'FA'), 0); // CLOSE_WAIT
    ipvs.outbound(fromServer(server, '203.0.113.7', 40000, 'FA'), 0); // output fin from CLOSE_WAIT: TIME_WAIT
    expect(first.kind === 'forward' && TCP_STATE_NAMES[first.conn.state]).toBe('TIME_WAIT');
    const again = ipvs.inbound(fromClient('203.0.113.7', 40000, 'S'), S);
    expect(again.kind === 'forward' && again.isNew && again.conn !== (first.kind === 'forward' ? first.conn : null)).toBe(true);
    expect(ipvs.connections.size).toBe(1);
  });
});
