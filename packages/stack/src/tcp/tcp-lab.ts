/**
 * Test helpers for TCP on the stack's lab (testing/lab.ts): programs that open TCP sockets and
 * report what happened (a server that accepts and collects or echoes bytes, a client that connects
 * and sends), a host–routers–host chain, and a reader of the TCP segments a node sent (flags,
 * sequence numbers, window, options) as tcpdump would list them. Used by the tcp/*.test.ts files.
 */
import { EtherType, isWireError, parseIpv4Packet, parseTcp, TcpFlag, type TcpRepr } from '@netloom/wire';
import type { Errno, Program, ProcessContext, TcpSocket } from '../process.js';
import { Lab, type CapturedFrame } from '../testing/lab.js';

/** What a test program saw, in order. */
export interface TcpLog {
  lines: string[];
  received: Uint8Array[];
  sockets: TcpSocket[];
}

export function newLog(): TcpLog {
  return { lines: [], received: [], sockets: [] };
}

function openTcp(ctx: ProcessContext, family: 4 | 6): TcpSocket {
  const socket = ctx.tcpSocket(family);
  if ('errno' in socket) throw new Error(`socket: ${socket.errno}`);
  return socket;
}

/** A program that listens on 0.0.0.0:`port` (backlog 5) and hands each accepted connection to `accepted`. */
export function listenerProgram(port: number, accepted: (connection: TcpSocket, ctx: ProcessContext) => void): Program {
  return (ctx) => {
    const listener = openTcp(ctx, 4);
    listener.bind('0.0.0.0', port);
    listener.listen(5);
    listener.onAccept((connection) => accepted(connection, ctx));
  };
}

/** A `chain` of `routers` with serverProgram and clientProgram on every node, and their logs. */
export function serverClientChain(routers: number): { lab: Lab; server: TcpLog; client: TcpLog } {
  const server = newLog();
  const client = newLog();
  return { lab: chain(routers, { server: serverProgram(server), client: clientProgram(client) }), server, client };
}

/** `server PORT [backlog] [noaccept] [family]`: listens, accepts, collects bytes, closes when the peer does. */
export function serverProgram(log: TcpLog): Program {
  return (ctx) => {
    const [, port = '80', backlog = '128', mode = '', family = '4'] = ctx.argv;
    const listener = openTcp(ctx, family === '6' ? 6 : 4);
    listener.setsockopt('SO_REUSEADDR', true);
    const bound = listener.bind(family === '6' ? '::' : '0.0.0.0', Number(port));
    const listening = bound.ok ? listener.listen(Number(backlog)) : bound;
    log.lines.push(`listen ${listening.ok ? 'ok' : listening.errno}`);
    log.sockets.push(listener);
    if (mode === 'noaccept') return;
    listener.onAccept((connection) => {
      const peer = connection.remoteAddress();
      log.lines.push(`accept ${peer?.address}:${peer?.port}`);
      log.sockets.push(connection);
      connection.onData((data) => log.received.push(data));
      connection.onEnd(() => {
        log.lines.push('server end');
        connection.close();
      });
      connection.onError((errno) => log.lines.push(`server error ${errno}`));
    });
  };
}

/** `client ADDRESS PORT BYTES [family]`: connects, sends BYTES of a counting pattern, shuts down, reads to the end. */
export function clientProgram(log: TcpLog): Program {
  return (ctx) => {
    const [, address = '127.0.0.1', port = '80', bytes = '0', family = '4'] = ctx.argv;
    const socket = openTcp(ctx, family === '6' ? 6 : 4);
    log.sockets.push(socket);
    const data = pattern(Number(bytes));
    let offset = 0;
    const push = (): void => {
      while (offset < data.length) {
        const sent = socket.send(data.subarray(offset));
        if (!sent.ok) {
          if (sent.errno !== 'EAGAIN') log.lines.push(`send ${sent.errno}`);
          return;
        }
        offset += sent.accepted;
        if (sent.accepted === 0) return;
      }
      socket.shutdown();
    };
    socket.onConnect(() => {
      log.lines.push(`connected ${ctx.now()}`);
      push();
    });
    socket.onWritable(push);
    socket.onData((d) => log.received.push(d));
    socket.onEnd(() => {
      log.lines.push(`client end ${ctx.now()}`);
      socket.close();
      ctx.exit(0);
    });
    socket.onError((errno: Errno) => {
      log.lines.push(`error ${errno} ${ctx.now()}`);
      ctx.exit(1);
    });
    const connected = socket.connect(address, Number(port));
    if (!connected.ok) {
      log.lines.push(`connect ${connected.errno}`);
      ctx.exit(1);
    }
  };
}

/** Bytes 0, 1, 2, … 250, 0, … (a prime period, so a shifted or repeated block shows). */
export function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 251;
  return bytes;
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * h1 — r1 — … — rN — h2 over 10.0.i.0/24 links, static routes both ways. h1 is 10.0.0.1, h2 is
 * 10.0.N.2; every node gets `programs`.
 */
export function chain(routers: number, programs: Readonly<Record<string, Program>>, seed = 1): Lab {
  const lab = new Lab();
  const names = ['h1', ...Array.from({ length: routers }, (_, i) => `r${i + 1}`), 'h2'];
  names.forEach((name, i) => lab.addNode(name, { programs, forwarding: name.startsWith('r'), seed: seed * 1000 + i }));
  for (let i = 0; i < names.length - 1; i++) {
    lab.link(`${names[i]}:eth1`, `${names[i + 1]}:eth0`);
    lab.addr(names[i]!, 'eth1', `10.0.${i}.1/24`);
    lab.addr(names[i + 1]!, 'eth0', `10.0.${i}.2/24`);
  }
  for (let i = 1; i < names.length - 1; i++) {
    lab.route(names[i]!, '10.0.0.0/16', { via: `10.0.${i - 1}.1` });
    if (i < routers) lab.route(names[i]!, `10.0.${routers}.0/24`, { via: `10.0.${i}.2` });
  }
  lab.route('h1', 'default', { via: '10.0.0.2' });
  lab.route('h2', 'default', { via: `10.0.${routers}.1` });
  return lab;
}

/** One TCP segment as a node sent it. */
export interface SentSegment {
  at: number;
  tcp: TcpRepr;
  identification: number;
}

/** The IPv4 TCP segments in captured frames. */
export function tcpSegments(frames: readonly CapturedFrame[]): SentSegment[] {
  const segments: SentSegment[] = [];
  for (const f of frames) {
    if (((f.frame[12] ?? 0) << 8 | (f.frame[13] ?? 0)) !== EtherType.ipv4) continue;
    const ip = parseIpv4Packet(f.frame.subarray(14), { verifyChecksum: true });
    if (isWireError(ip) || ip.protocol !== 6) continue;
    const tcp = parseTcp(ip.payload, { family: 4, source: ip.source, destination: ip.destination });
    if (isWireError(tcp)) throw new Error(`a malformed TCP segment was sent: ${tcp.error}`);
    segments.push({ at: f.at, tcp, identification: ip.identification });
  }
  return segments;
}

/** tcpdump's flags text: [S], [S.], [.], [P.], [F.], [R], [R.]. */
export function flagText(flags: number): string {
  let text = '';
  if (flags & TcpFlag.syn) text += 'S';
  if (flags & TcpFlag.fin) text += 'F';
  if (flags & TcpFlag.psh) text += 'P';
  if (flags & TcpFlag.rst) text += 'R';
  if (flags & TcpFlag.ack) text += '.';
  return text;
}

/** tcpdump's options text: mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 10. */
export function optionText(tcp: TcpRepr): string {
  return tcp.options
    .map((o) => {
      switch (o.kind) {
        case 'maxSegmentSize':
          return `mss ${o.maxSegmentSize}`;
        case 'sackPermitted':
          return 'sackOK';
        case 'timestamps':
          return `TS`;
        case 'noOperation':
          return 'nop';
        case 'windowScale':
          return `wscale ${o.shift}`;
        case 'sack':
          return `sack ${o.blocks.length}`;
        case 'endOfList':
          return 'eol';
        default:
          return `opt-${o.type}`;
      }
    })
    .join(',');
}
