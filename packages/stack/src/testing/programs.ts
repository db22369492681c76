/**
 * Small programs for datapath tests: a one-shot pinger and a UDP sender that report what the
 * socket layer returned. (The real ping/udpsend live in packages/apps.)
 */
import type { Program } from '../process.js';

/**
 * `pinger DEST [count] [intervalMs]` over ICMP (`echoProgram`) or ICMPv6 (`echo6Program`): one line
 * per reply or ICMP error; exits 5 s after the last request.
 */
function echoProgramOf(family: 4 | 6): Program {
  return (ctx) => {
    const socket = ctx.icmpSocket(family);
    if ('errno' in socket) {
      ctx.stderr(`${socket.errno}\n`);
      ctx.exit(2);
      return;
    }
    const destination = ctx.argv[1] ?? (family === 4 ? '127.0.0.1' : '::1');
    const count = Number(ctx.argv[2] ?? '1');
    const interval = Number(ctx.argv[3] ?? '1000') * 1_000_000;
    socket.onMessage((m) => ctx.stdout(`${m.from} type ${m.type} code ${m.code} seq ${m.sequence} ttl ${m.ttl}\n`));
    let sequence = 0;
    const send = (): void => {
      sequence++;
      const result = socket.sendEcho(destination, 0x4e4c, sequence, new Uint8Array(56));
      if (!result.ok) ctx.stdout(`seq ${sequence} ${result.errno}\n`);
      if (sequence < count) ctx.setTimer(interval, send);
      else ctx.setTimer(5_000_000_000, () => ctx.exit(0));
    };
    send();
  };
}

export const echoProgram: Program = echoProgramOf(4);
export const echo6Program: Program = echoProgramOf(6);

/** `udp DEST PORT [count] [intervalMs] [connect]`: one line per send: OK dev source, or errno. */
export const udpProgram: Program = (ctx) => {
  const socket = ctx.udpSocket(4);
  if ('errno' in socket) {
    ctx.stderr(`${socket.errno}\n`);
    ctx.exit(2);
    return;
  }
  const [, destination = '127.0.0.1', port = '9', count = '1', interval = '1000', mode = ''] = ctx.argv;
  if (mode === 'connect') {
    const connected = socket.connect(destination, Number(port));
    if (!connected.ok) ctx.stdout(`connect ${connected.errno}\n`);
  }
  socket.onError((errno, from) => ctx.stdout(`async ${errno} from ${from}\n`));
  let sent = 0;
  const send = (): void => {
    sent++;
    const result = mode === 'connect' ? socket.sendto(new Uint8Array(16)) : socket.sendto(new Uint8Array(16), { address: destination, port: Number(port) });
    ctx.stdout(result.ok ? `OK ${result.info.ifname} ${result.info.source}\n` : `${result.errno}\n`);
    if (sent < Number(count)) ctx.setTimer(Number(interval) * 1_000_000, send);
    else ctx.exit(0);
  };
  send();
};
