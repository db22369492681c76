/**
 * A director lab for the datapath's tests: the test kit's nodes (in-memory links, manual clock) with
 * UDP and TCP servers and clients as programs, an LVS-NAT director on two networks and one-LAN
 * directors for direct routing and tunnelling, each with a UDP round-robin service on the VIP.
 */
import type { Program } from '@netloom/stack';
import { Lab, SECOND, ip } from '@netloom/stack/testing/lab';
import { inet4 } from '../../inet-address.js';
import type { ForwardingMethod } from '../../virtual-service.js';
import { IpvsModule } from '../ipvs-module.js';

export const VIP = '192.0.2.80';
export const PORT = 53;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `udp-echo PORT [ADDR]`: answers each datagram with `HOSTNAME:TEXT` (over IPv6 when ADDR is, `::` for any). A DR or TUN real server binds
 * the VIP, so that its answers leave from it (bound to the wildcard, the route's source, the RIP,
 * would answer: the client's connected socket takes nothing from it).
 */
const udpEcho: Program = (ctx) => {
  const address = ctx.argv[2] ?? '0.0.0.0';
  const socket = ctx.udpSocket(address.includes(':') ? 6 : 4);
  if ('errno' in socket) return ctx.exit(2);
  socket.bind(address, Number(ctx.argv[1]));
  socket.onMessage((d) => {
    socket.sendto(encoder.encode(`${ctx.hostname}:${decoder.decode(d.data)}`), d.from);
  });
};

/** `udp-ask DEST PORT SPORT TEXT [TTL]`: a connected socket sends TEXT once and prints the answer or the error. */
const udpAsk: Program = (ctx) => {
  const [, dest = '', port = '0', sport = '0', text = '', ttl] = ctx.argv;
  const socket = ctx.udpSocket(dest.includes(':') ? 6 : 4);
  if ('errno' in socket) return ctx.exit(2);
  socket.bind(dest.includes(':') ? '::' : '0.0.0.0', Number(sport));
  if (ttl !== undefined) socket.setsockopt('IP_TTL', Number(ttl));
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

/** `tcp-serve PORT`: accepts connections and answers each chunk with `HOSTNAME:TEXT`; the peer's FIN is answered with ours. */
const tcpServe: Program = (ctx) => {
  const listener = ctx.tcpSocket(4);
  if ('errno' in listener) return ctx.exit(2);
  listener.bind('0.0.0.0', Number(ctx.argv[1]));
  listener.listen(16);
  listener.onAccept((connection) => {
    connection.onData((data) => void connection.send(encoder.encode(`${ctx.hostname}:${decoder.decode(data)}`)));
    connection.onEnd(() => connection.close());
  });
};

/** `tcp-hold DEST PORT TEXT`: connects, sends TEXT, prints the answer and keeps the connection until interrupted (then closes it). */
const tcpHold: Program = (ctx) => {
  const socket = ctx.tcpSocket(4);
  if ('errno' in socket) return ctx.exit(2);
  const [, dest = '', port = '0', text = ''] = ctx.argv;
  socket.onConnect(() => void socket.send(encoder.encode(text)));
  socket.onData((data) => void ctx.stdout(`${decoder.decode(data)}\n`));
  socket.onError((errno) => {
    ctx.stdout(`${errno}\n`);
    ctx.exit(1);
  });
  ctx.onInterrupt(() => {
    socket.close();
    ctx.exit(0);
  });
  socket.connect(dest, Number(port));
};

/** `http-status PORT CODE`: answers every request with `HTTP/1.0 CODE` and closes (a web server's health page). */
const httpStatus: Program = (ctx) => {
  const listener = ctx.tcpSocket(4);
  if ('errno' in listener) return ctx.exit(2);
  listener.bind('0.0.0.0', Number(ctx.argv[1]));
  listener.listen(16);
  listener.onAccept((connection) => {
    connection.onData(() => {
      connection.send(encoder.encode(`HTTP/1.0 ${ctx.argv[2] ?? '200'} Status\r\nContent-Length: 0\r\n\r\n`));
      connection.close();
    });
  });
};

export const labPrograms = { 'udp-echo': udpEcho, 'udp-ask': udpAsk, 'tcp-serve': tcpServe, 'tcp-hold': tcpHold, 'http-status': httpStatus };

export interface Director {
  lab: Lab;
  module: IpvsModule;
}

export function addService(module: IpvsModule, realServers: string[], method: ForwardingMethod, protocol: 'udp' | 'tcp' = 'udp'): void {
  const key = { kind: protocol, address: inet4(ip(VIP)), port: PORT };
  const results = [module.ipvs.addService(key, { scheduler: 'rr' })];
  for (const rs of realServers) results.push(module.ipvs.addDestination(key, { address: inet4(ip(rs)), port: PORT, forwarding: method, weight: 1, upperThreshold: 0, lowerThreshold: 0 }));
  if (results.some((r) => r !== 'ok')) throw new Error(`lab service: ${results.join(' ')}`);
}

/** LVS-NAT: client 192.168.1.10 — director (192.168.1.1 + VIP | 10.1.1.1) — rs1 10.1.1.2, rs2 10.1.1.3 (default via the director). */
export function natDirector(protocol: 'udp' | 'tcp' = 'udp'): Director {
  const lab = new Lab();
  lab.addNode('client', { programs: labPrograms });
  const director = lab.addNode('director', { forwarding: true, programs: labPrograms });
  for (const name of ['rs1', 'rs2']) lab.addNode(name, { programs: labPrograms });
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
  addService(module, ['10.1.1.2', '10.1.1.3'], 'masq', protocol);
  return { lab, module };
}

/** One LAN for LVS-DR and LVS-TUN: client 10.0.0.10, director 10.0.0.1 + VIP, rs1 10.0.0.2, rs2 10.0.0.3 (VIP on lo or tunl0). */
export function oneLanDirector(method: 'droute' | 'tunnel', protocol: 'udp' | 'tcp' = 'udp'): Director {
  const lab = new Lab();
  lab.addNode('client', { programs: labPrograms });
  const director = lab.addNode('director', { forwarding: true, programs: labPrograms });
  for (const name of ['rs1', 'rs2']) lab.addNode(name, { programs: labPrograms });
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
    else for (const line of ['modprobe ipip', `ip addr add ${VIP}/32 dev tunl0`, 'ip link set tunl0 up']) if (lab.exec(name, line).status !== 0) throw new Error(`${name}: ${line} failed`);
  }
  const module = new IpvsModule(director);
  addService(module, ['10.0.0.2', '10.0.0.3'], method, protocol);
  return { lab, module };
}

export function ask(lab: Lab, sport: number, text: string): string {
  const run = lab.exec('client', `udp-ask ${VIP} ${PORT} ${sport} ${text}`, 3 * SECOND);
  return run.stdout;
}

