/**
 * A keepalived-like health checker for one virtual service of a director (keepalived's
 * check_tcp.c, check_http.c, check_udp.c, check_ping.c and ipwrapper.c; ldirectord's quiescent
 * mode), running as a process on the director: every `interval` it checks each real server with
 * the node's own sockets — a TCP connect (TCP_CHECK), an HTTP GET whose status line must carry the
 * expected code (HTTP_GET), a UDP datagram answered by no ICMP error within the timeout (UDP_CHECK)
 * or an ICMP echo answered (PING_CHECK) — and after `fall` failures in a row takes the server out of
 * the service: deleted (`remove`, keepalived's default) or set to weight 0 (`quiesce`, keepalived's
 * inhibit_on_failure, ldirectord's quiescent=yes), so existing connections drain. After `rise`
 * successes in a row it is put back with its configured weight. When every real server is out, the
 * sorry server is added (weight 1, the service's forwarding method), and removed when one is back.
 * Servers start alive, in the service (keepalived without `alpha`); the first round runs one interval
 * after the start, and without a list of real servers the checker takes the service's as they are
 * then (a service not there yet is looked for again at the next round).
 *
 * Log lines follow keepalived 2.x's texts (`TCP connection to [10.1.1.2]:tcp:80 success.`,
 * `Removing service [10.1.1.2]:tcp:80 from VS [192.168.1.110]:tcp:80`) with the virtual time in
 * front, and go to /var/log/keepalived.log on the director (bounded as every node file is) and to
 * the trace and the TUI's packet log as the node's `log` events.
 * Leaves out: keepalived's retry/delay_before_retry (fall/rise take their place, as in haproxy),
 * SSL_GET, MISC_CHECK, digest checks, alpha/omega, VRRP.
 */
import type { CommandHandle, LinuxNode, Nanos, Program } from '@netloom/stack';
import { FileStore } from '@netloom/stack/shell/file-store';
import { formatAddress, inet4, parseAddress, type InetAddress } from '../inet-address.js';
import type { Ipvs } from '../ipvs.js';
import type { ForwardingMethod, ServiceKey } from '../virtual-service.js';

export type CheckType = 'tcp' | 'http' | 'udp' | 'ping';

export interface HealthCheckConfig {
  readonly service: ServiceKey;
  readonly type: CheckType;
  /** The port checked (default: each real server's port). */
  readonly port?: number;
  /** HTTP_GET: the path and the status code wanted. */
  readonly path?: string;
  readonly statusCode?: number;
  readonly intervalNs: Nanos;
  readonly timeoutNs: Nanos;
  readonly fall: number;
  readonly rise: number;
  readonly onFailure: 'remove' | 'quiesce';
  /** The servers checked; when not given, the service's real servers at the first round (the topology's ipvsadm lines made them). */
  readonly realServers?: readonly { address: InetAddress; port: number; weight: number; forwarding: ForwardingMethod }[];
  readonly sorryServer?: { address: InetAddress; port: number };
}

export const KEEPALIVED_LOG = '/var/log/keepalived.log';

interface ServerState {
  readonly address: InetAddress;
  readonly port: number;
  readonly weight: number;
  readonly forwarding: ForwardingMethod;
  alive: boolean;
  failures: number;
  successes: number;
}

const protoName = (key: ServiceKey): string => (key.kind === 'fwmark' ? 'fwmark' : key.kind);
const bracketed = (address: InetAddress, port: number, proto: string): string => `[${formatAddress(address)}]:${proto}:${port}`;
const vsName = (key: ServiceKey): string => (key.kind === 'fwmark' ? `FWM ${key.fwmark}` : bracketed(key.address, key.port, key.kind));

/** The checker's process: runs until interrupted. `ipvs` is the director's (the module loaded first). */
export function healthCheckProgram(node: LinuxNode, ipvs: Ipvs, config: HealthCheckConfig): Program {
  return (ctx) => {
    const proto = protoName(config.service);
    let servers: ServerState[] | null = config.realServers === undefined ? null : config.realServers.map((rs) => ({ ...rs, alive: true, failures: 0, successes: 0 }));
    let sorryActive = false;
    let probeId = 0;
    const log = (text: string): void => {
      node.logLine(`Keepalived_healthcheckers: ${text}`);
      const line = `${(ctx.now() / 1e9).toFixed(3)} Keepalived_healthcheckers: ${text}\n`;
      const path = FileStore.resolve(KEEPALIVED_LOG);
      const files = node.shell.files;
      const opened = files.has(path) ? { ok: true as const } : files.open(path, true);
      if (opened.ok) files.append(path, line);
    };

    const serviceName = vsName(config.service);
    const setMember = (server: ServerState, alive: boolean): void => {
      const name = bracketed(server.address, server.port, proto);
      const options = { address: server.address, port: server.port, forwarding: server.forwarding, weight: server.weight, upperThreshold: 0, lowerThreshold: 0 };
      if (config.onFailure === 'quiesce') {
        ipvs.editDestination(config.service, { ...options, weight: alive ? server.weight : 0 });
        log(`${alive ? 'Enabling' : 'Disabling'} service ${name} ${alive ? 'to' : 'from'} VS ${serviceName}`);
      } else {
        if (alive) ipvs.addDestination(config.service, options);
        else ipvs.deleteDestination(config.service, server.address, server.port);
        log(`${alive ? 'Adding' : 'Removing'} service ${name} ${alive ? 'to' : 'from'} VS ${serviceName}`);
      }
      const sorry = config.sorryServer;
      if (sorry === undefined) return;
      const anyAlive = servers?.some((s) => s.alive) ?? false;
      const sorryName = bracketed(sorry.address, sorry.port, proto);
      if (!anyAlive && !sorryActive) {
        ipvs.addDestination(config.service, { address: sorry.address, port: sorry.port, forwarding: server.forwarding, weight: 1, upperThreshold: 0, lowerThreshold: 0 });
        sorryActive = true;
        log(`Adding sorry server ${sorryName} to VS ${serviceName}`);
      } else if (anyAlive && sorryActive) {
        ipvs.deleteDestination(config.service, sorry.address, sorry.port);
        sorryActive = false;
        log(`Removing sorry server ${sorryName} from VS ${serviceName}`);
      }
    };

    /** A check's result; `what` names the check (`… success.`, `… failed.`), `failure` replaces the failure's whole text. */
    const outcome = (server: ServerState, ok: boolean, what: string, failure = `${what} failed.`): void => {
      if (ok) {
        server.failures = 0;
        server.successes++;
        if (!server.alive && server.successes >= config.rise) {
          server.alive = true;
          log(`${what} success.`);
          setMember(server, true);
        }
        return;
      }
      server.successes = 0;
      server.failures++;
      // keepalived logs a failure while the server is still up (the checks that count towards fall), not every one after.
      if (server.alive) log(failure);
      if (server.alive && server.failures >= config.fall) {
        server.alive = false;
        setMember(server, false);
      }
    };

    const check = (server: ServerState): void => {
      const port = config.port ?? server.port;
      const target = formatAddress(server.address);
      const name = bracketed(server.address, port, proto);
      let done = false;
      const finish = (ok: boolean, what: string, cleanup: () => void, failure?: string): void => {
        if (done) return;
        done = true;
        cleanup();
        outcome(server, ok, what, failure);
      };
      switch (config.type) {
        case 'ping': {
          const socket = ctx.icmpSocket(4);
          if ('errno' in socket) return outcome(server, false, `PING_CHECK on ${target}`);
          const id = (0x4b00 + probeId++) & 0xffff;
          socket.onMessage((m) => {
            if (m.type === 0 && m.id === id) finish(true, `PING_CHECK on ${target}`, () => socket.close());
          });
          socket.sendEcho(target, id, 1, new Uint8Array(56));
          ctx.setTimer(config.timeoutNs, () => finish(false, `PING_CHECK on ${target}`, () => socket.close()));
          return;
        }
        case 'udp': {
          const socket = ctx.udpSocket(4);
          if ('errno' in socket) return outcome(server, false, `UDP_CHECK on service ${name}`);
          socket.connect(target, port);
          socket.onError(() => finish(false, `UDP_CHECK on service ${name}`, () => socket.close()));
          socket.onMessage(() => finish(true, `UDP connection to ${name}`, () => socket.close()));
          socket.sendto(new Uint8Array(0));
          // No ICMP error within the timeout: the port is open (UDP_CHECK without require_reply).
          ctx.setTimer(config.timeoutNs, () => finish(true, `UDP connection to ${name}`, () => socket.close()));
          return;
        }
        case 'tcp':
        case 'http': {
          const socket = ctx.tcpSocket(4);
          const label = config.type === 'tcp' ? `TCP connection to ${name}` : `HTTP_GET on ${name}`;
          if ('errno' in socket) return outcome(server, false, label);
          const close = (): void => socket.close();
          socket.onError(() => finish(false, label, close));
          let response = '';
          socket.onConnect(() => {
            if (config.type === 'tcp') return finish(true, label, close);
            socket.send(new TextEncoder().encode(`GET ${config.path ?? '/'} HTTP/1.0\r\nHost: ${target}\r\n\r\n`));
          });
          socket.onData((data) => {
            response += new TextDecoder().decode(data);
            const status = /^HTTP\/\d\.\d (\d{3})/.exec(response);
            if (status !== null) finish(Number(status[1]) === (config.statusCode ?? 200), label, close, `HTTP status code error to ${name} url(${config.path ?? '/'}), status_code [${status[1]}].`);
            else if (response.length > 4096) finish(false, label, close);
          });
          socket.onEnd(() => finish(false, label, close));
          const started = socket.connect(target, port);
          if (!started.ok) return finish(false, label, close);
          ctx.setTimer(config.timeoutNs, () => finish(false, label, close));
          return;
        }
      }
    };

    const round = (): void => {
      ctx.setTimer(config.intervalNs, round);
      if (servers === null) {
        const service = ipvs.findService(config.service);
        if (service === undefined) return;
        servers = service.destinations.map((d) => ({ address: d.address, port: d.port, weight: d.weight, forwarding: d.forwarding, alive: true, failures: 0, successes: 0 }));
      }
      for (const server of servers) check(server);
    };
    ctx.onInterrupt(() => ctx.exit(0));
    ctx.setTimer(config.intervalNs, round);
  };
}

/** Start the checker on the director (a process of its own, as keepalived's checker child is). */
export function startHealthCheck(node: LinuxNode, ipvs: Ipvs, config: HealthCheckConfig): CommandHandle {
  const discard = (): void => {};
  return node.parts.processes.start(healthCheckProgram(node, ipvs, config), ['keepalived', '--check'], { stdout: discard, stderr: discard, exit: discard });
}

/** `tcp 192.0.2.80:80` style service text → key (IPv4), or null. */
export function parseServiceText(protocol: 'tcp' | 'udp', addressPort: string): ServiceKey | null {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(addressPort);
  if (m === null) return null;
  const address = parseAddress(m[1]!);
  const port = Number(m[2]);
  if (address === null || port > 65535) return null;
  return { kind: protocol, address: address.family === 4 ? inet4(address.v4) : address, port };
}

