/**
 * A deterministic stand-in for a node's ProcessContext, for unit-testing the programs without a
 * stack. A test describes a small world (interfaces, names, routes, and functions that answer each
 * probe with replies after a delay); `runProgram` runs a program against it in virtual time
 * (a manual clock and an event queue ordered by time, then by scheduling order) and returns what
 * it printed and its exit status.
 *
 * Leaves out: real packets — replies are synthesised by the world's functions. The integration
 * tests (real nodes from @netloom/stack) cover the wire.
 */
import type {
  ArpReply,
  ArpSocket,
  Datagram,
  Errno,
  IcmpMessage,
  IcmpSocket,
  Nanos,
  PktInfo,
  ProcessContext,
  Program,
  SendResult,
  SockAddr,
  SocketResult,
  TimerHandle,
  UdpProbeError,
  UdpSocket,
} from '@netloom/stack';

export const MS = 1_000_000;
export const SECOND = 1_000_000_000;

export interface FakeInterface {
  name: string;
  index: number;
  addresses: string[];
  mac?: string;
}

export interface EchoProbe {
  to: string;
  id: number;
  sequence: number;
  payload: Uint8Array;
  ttl: number;
  source: string;
  ifname: string;
  sentAt: Nanos;
}

/** What the world answers to a probe: an ICMP message arriving `delay` ns later. */
export interface FakeIcmpAnswer {
  delay: Nanos;
  from: string;
  type: number;
  code: number;
  ttl?: number;
  /** ee_info: a frag-needed MTU, a parameter problem's pointer, a redirect's gateway (host order). */
  info?: number;
}

export interface UdpProbe {
  to: string;
  sport: number;
  dport: number;
  ttl: number;
  source: string;
  sentAt: Nanos;
  size: number;
}

export interface FakeArpAnswer {
  delay: Nanos;
  senderIp: string;
  senderMac: string;
}

export interface UdpSendAttempt {
  to: SockAddr;
  bytes: number;
  boundAddress: string | null;
  boundDevice: string | null;
  connected: SockAddr | null;
  pktinfo?: PktInfo;
  at: Nanos;
}

export interface FakeWorld {
  hostname?: string;
  interfaces?: FakeInterface[];
  /** Names resolve(): name → address. Address literals always resolve to themselves. */
  hosts?: Record<string, string>;
  /** ip route get; default: the first interface with an address. */
  route?: (dst: string, ifname?: string) => { source: string; ifname: string } | { errno: Errno };
  /** Echo requests: return the answers (echo reply type 0, or ICMP errors). */
  echo?: (probe: EchoProbe) => FakeIcmpAnswer[];
  /** Result of sendEcho (default: ok). */
  echoSendResult?: (probe: EchoProbe) => Errno | null;
  /** UDP datagrams sent by traceroute-like callers: ICMP errors quoting them. */
  udpProbe?: (probe: UdpProbe) => FakeIcmpAnswer[];
  arp?: (request: { target: string; source: string; ifname: string; at: Nanos }) => FakeArpAnswer[];
  /** Result of UdpSocket.sendto (default: ok through the route's interface). */
  udpSend?: (attempt: UdpSendAttempt) => SendResult;
  /** Datagrams arriving at bound UDP sockets: at time `at` to local `port`. */
  udpArrivals?: { at: Nanos; port: number; from: SockAddr; data: Uint8Array; ttl?: number }[];
  /** Errno returned when creating sockets of a family. */
  socketErrno?: Partial<Record<4 | 6, Errno>>;
}

export interface RunOptions {
  /** Stop the simulation at this time if the program has not exited (default 10 minutes). */
  until?: Nanos;
  /** Deliver Ctrl-C at this time. */
  interruptAt?: Nanos;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** null when the program was still running at `until`. */
  status: number | null;
  endedAt: Nanos;
  /** A log of what the program did with its sockets, for assertions. */
  log: string[];
  /** Sent UDP datagrams (udpsend / nc clients). */
  udpSent: UdpSendAttempt[];
}

interface QueuedEvent {
  at: Nanos;
  order: number;
  run: () => void;
  cancelled: boolean;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isAddressLiteral(text: string): boolean {
  return IPV4.test(text) || text.includes(':');
}

/** Run `program` with `argv` in `world`. */
export function runProgram(program: Program, argv: readonly string[], world: FakeWorld = {}, options: RunOptions = {}): RunResult {
  const until = options.until ?? 600 * SECOND;
  const interfaces = world.interfaces ?? [
    { name: 'lo', index: 1, addresses: ['127.0.0.1'] },
    { name: 'eth0', index: 2, addresses: ['10.0.0.1'], mac: '02:00:00:00:00:01' },
  ];
  let now = 0;
  let order = 0;
  let exited = false;
  let status: number | null = null;
  let stdout = '';
  let stderr = '';
  const log: string[] = [];
  const udpSent: UdpSendAttempt[] = [];
  const queue: QueuedEvent[] = [];
  let interruptHandler: (() => void) | null = null;
  const udpProbeHandlers: ((error: UdpProbeError) => void)[] = [];
  const boundUdp = new Map<number, (d: Datagram) => void>();
  let nextEphemeralPort = 40000;

  const schedule = (delay: Nanos, run: () => void): QueuedEvent => {
    const event = { at: now + Math.max(0, delay), order: order++, run, cancelled: false };
    queue.push(event);
    return event;
  };
  const defaultRoute = (dst: string, ifname?: string): { source: string; ifname: string } | { errno: Errno } => {
    const candidates = interfaces.filter((i) => i.name !== 'lo' && i.addresses.length > 0);
    const chosen = ifname ? interfaces.find((i) => i.name === ifname) : candidates[0];
    if (!chosen || chosen.addresses.length === 0) return { errno: 'ENETUNREACH' };
    void dst;
    return { source: chosen.addresses[0] ?? '0.0.0.0', ifname: chosen.name };
  };
  const route = world.route ?? defaultRoute;
  const isLocal = (address: string): boolean => interfaces.some((i) => i.addresses.includes(address));
  const hasDevice = (name: string): boolean => interfaces.some((i) => i.name === name);

  const makeUdpSocket = (family: 4 | 6): UdpSocket => {
    let bound: SockAddr | null = null;
    let device: string | null = null;
    let connected: SockAddr | null = null;
    let ttl = 64;
    let closed = false;
    let messageHandler: ((d: Datagram) => void) | null = null;
    const ensurePort = (): number => {
      if (!bound) bound = { address: family === 4 ? '0.0.0.0' : '::', port: nextEphemeralPort++ };
      if (bound.port === 0) bound = { address: bound.address, port: nextEphemeralPort++ };
      return bound.port;
    };
    const socket: UdpSocket = {
      family,
      bind(address: string, port: number): SocketResult {
        if (address !== '0.0.0.0' && address !== '::' && !isLocal(address)) return { ok: false, errno: 'EADDRNOTAVAIL' };
        if (port !== 0 && boundUdp.has(port)) return { ok: false, errno: 'EADDRINUSE' };
        bound = { address, port: port === 0 ? nextEphemeralPort++ : port };
        log.push(`udp bind ${address}:${bound.port}`);
        if (messageHandler) boundUdp.set(bound.port, messageHandler);
        return { ok: true };
      },
      connect(address: string, port: number): SocketResult {
        const r = route(address, device ?? undefined);
        if ('errno' in r) return { ok: false, errno: r.errno };
        ensurePort();
        connected = { address, port };
        log.push(`udp connect ${address}:${port}`);
        return { ok: true };
      },
      sendto(data: Uint8Array, to?: SockAddr, control?: { pktinfo?: PktInfo }): SendResult {
        const dest = to ?? connected;
        if (!dest) return { ok: false, errno: 'EDESTADDRREQ' };
        const sport = ensurePort();
        const attempt: UdpSendAttempt = {
          to: dest,
          bytes: data.length,
          boundAddress: bound?.address ?? null,
          boundDevice: device,
          connected,
          at: now,
          ...(control?.pktinfo ? { pktinfo: control.pktinfo } : {}),
        };
        udpSent.push(attempt);
        let result: SendResult;
        if (world.udpSend) result = world.udpSend(attempt);
        else {
          const r = route(dest.address, device ?? undefined);
          result = 'errno' in r ? { ok: false, errno: r.errno } : { ok: true, info: { ifname: r.ifname, source: bound && bound.address !== '0.0.0.0' ? bound.address : r.source, bytes: data.length } };
        }
        if (result.ok && world.udpProbe) {
          const probe: UdpProbe = { to: dest.address, sport, dport: dest.port, ttl, source: result.info.source, sentAt: now, size: data.length };
          for (const answer of world.udpProbe(probe)) {
            schedule(answer.delay, () => {
              if (closed) return;
              const error: UdpProbeError = { from: answer.from, type: answer.type, code: answer.code, sport, dport: dest.port, receivedAt: now };
              for (const h of udpProbeHandlers) h(error);
            });
          }
        }
        return result;
      },
      setsockopt(option: string, value: string | boolean | number): SocketResult {
        if (option === 'SO_BINDTODEVICE') {
          if (typeof value !== 'string' || (value !== '' && !hasDevice(value))) return { ok: false, errno: 'ENODEV' };
          device = value === '' ? null : value;
        }
        if (option === 'IP_TTL') {
          if (typeof value !== 'number' || value < 1 || value > 255) return { ok: false, errno: 'EINVAL' };
          ttl = value;
        }
        log.push(`udp setsockopt ${option} ${String(value)}`);
        return { ok: true };
      },
      localAddress: () => bound,
      onMessage(handler: (d: Datagram) => void): void {
        messageHandler = handler;
        if (bound) boundUdp.set(bound.port, handler);
      },
      onError(): void {},
      close(): void {
        closed = true;
        if (bound) boundUdp.delete(bound.port);
      },
    } as UdpSocket;
    return socket;
  };

  const makeIcmpSocket = (family: 4 | 6): IcmpSocket => {
    let device: string | null = null;
    let boundAddress: string | null = null;
    let ttl = 64;
    let handler: ((m: IcmpMessage) => void) | null = null;
    let closed = false;
    const socket = {
      family,
      bind(address: string): SocketResult {
        if (!isLocal(address)) return { ok: false, errno: 'EADDRNOTAVAIL' };
        boundAddress = address;
        log.push(`icmp bind ${address}`);
        return { ok: true };
      },
      setsockopt(option: string, value: string | number | boolean): SocketResult {
        if (option === 'SO_BINDTODEVICE') {
          if (typeof value !== 'string' || !hasDevice(value)) return { ok: false, errno: 'ENODEV' };
          device = value;
        }
        if (option === 'IP_TTL') {
          if (typeof value !== 'number' || value < 1 || value > 255) return { ok: false, errno: 'EINVAL' };
          ttl = value;
        }
        log.push(`icmp setsockopt ${option} ${String(value)}`);
        return { ok: true };
      },
      sendEcho(to: string, id: number, sequence: number, payload: Uint8Array): SendResult {
        const r = route(to, device ?? undefined);
        if ('errno' in r) return { ok: false, errno: r.errno };
        const probe: EchoProbe = { to, id, sequence, payload, ttl, source: boundAddress ?? r.source, ifname: r.ifname, sentAt: now };
        log.push(`echo ${to} id=${id} seq=${sequence} ttl=${ttl} len=${payload.length}`);
        const errno = world.echoSendResult?.(probe) ?? null;
        if (errno) return { ok: false, errno };
        for (const answer of world.echo?.(probe) ?? []) {
          schedule(answer.delay, () => {
            if (closed || !handler) return;
            const isReply = answer.type === 0 || answer.type === 129;
            const quoted = isReply ? payload : new Uint8Array(28 + Math.min(payload.length, 8));
            handler({
              from: answer.from,
              type: answer.type,
              code: answer.code,
              id,
              sequence,
              payload: isReply ? payload : quoted,
              ttl: answer.ttl ?? 64,
              ipLength: 20 + 8 + (isReply ? payload.length : quoted.length),
              info: answer.info ?? 0,
              receivedAt: now,
            });
          });
        }
        return { ok: true, info: { ifname: r.ifname, source: probe.source, bytes: payload.length + 8 } };
      },
      onMessage(h: (m: IcmpMessage) => void): void {
        handler = h;
      },
      close(): void {
        closed = true;
      },
    } as IcmpSocket;
    return socket;
  };

  const ctx: ProcessContext = {
    argv,
    hostname: world.hostname ?? 'node',
    now: () => now,
    stdout: (text) => {
      if (exited) return { ok: false, errno: 'EBADF' };
      stdout += text;
      return { ok: true };
    },
    stderr: (text) => {
      if (!exited) stderr += text;
    },
    exit: (code) => {
      if (exited) return;
      exited = true;
      status = code;
    },
    setTimer(delay: Nanos, callback: () => void): TimerHandle {
      const event = schedule(delay, callback);
      return { cancel: () => void (event.cancelled = true) };
    },
    onInterrupt(handler) {
      interruptHandler = handler;
    },
    udpSocket(family) {
      const errno = world.socketErrno?.[family];
      return errno ? { errno } : makeUdpSocket(family);
    },
    icmpSocket(family) {
      const errno = world.socketErrno?.[family];
      return errno ? { errno } : makeIcmpSocket(family);
    },
    onUdpProbeError(handler) {
      udpProbeHandlers.push(handler);
    },
    arp(ifname): ArpSocket | { errno: Errno } {
      const iface = interfaces.find((i) => i.name === ifname);
      if (!iface) return { errno: 'ENODEV' };
      if (iface.name === 'lo') return { errno: 'EINVAL' };
      let handler: ((r: ArpReply) => void) | null = null;
      let closed = false;
      return {
        request(target, source, broadcastOnly) {
          log.push(`arp request ${target} from ${source}${broadcastOnly ? ' broadcast' : ''}`);
          for (const answer of world.arp?.({ target, source, ifname, at: now }) ?? []) {
            schedule(answer.delay, () => {
              if (!closed && handler) handler({ senderIp: answer.senderIp, senderMac: answer.senderMac, receivedAt: now });
            });
          }
          return { ok: true };
        },
        announce(address, asReply) {
          log.push(`arp announce ${address}${asReply ? ' reply' : ' request'}`);
          return { ok: true };
        },
        onReply(h) {
          handler = h;
        },
        localMac: () => iface.mac ?? '02:00:00:00:00:01',
        close() {
          closed = true;
        },
      };
    },
    resolve(name, family) {
      if (isAddressLiteral(name)) {
        const isV6 = name.includes(':');
        if (family === 4 && isV6) return null;
        if (family === 6 && !isV6) return null;
        return name;
      }
      return world.hosts?.[name] ?? null;
    },
    ifindex: (name) => interfaces.find((i) => i.name === name)?.index ?? 0,
    ifname: (index) => interfaces.find((i) => i.index === index)?.name ?? null,
    routeSource: (dst, ifname) => route(dst, ifname),
  };

  for (const arrival of world.udpArrivals ?? []) {
    queue.push({
      at: arrival.at,
      order: order++,
      cancelled: false,
      run: () => {
        const handler = boundUdp.get(arrival.port);
        if (handler) handler({ data: arrival.data, from: arrival.from, ttl: arrival.ttl ?? 64 });
        else log.push(`udp drop to port ${arrival.port}`);
      },
    });
  }
  if (options.interruptAt !== undefined) {
    queue.push({
      at: options.interruptAt,
      order: order++,
      cancelled: false,
      run: () => {
        if (interruptHandler) interruptHandler();
        else ctx.exit(130);
      },
    });
  }

  program(ctx);
  while (!exited) {
    queue.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = queue.shift();
    if (!next || next.at > until) break;
    if (next.cancelled) continue;
    now = next.at;
    next.run();
  }
  return { stdout, stderr, status, endedAt: now, log, udpSent };
}
