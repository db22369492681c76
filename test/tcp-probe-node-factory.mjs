/**
 * A node factory for the TCP scenario tests (test/tcp-*.test.ts): the real netloom stack with two
 * small programs on its TCP sockets (and no others: the topology's commands are the shell's), so a
 * test controls exactly what is sent:
 *
 *   tcpx-sink PORT             listens on 0.0.0.0:PORT, accepts one connection, counts what arrives,
 *                              closes when the peer does; prints `received N bytes` (or the errno)
 *   tcpx-source HOST PORT N    connects, sends N bytes of numbered text lines (`line 000001 of
 *                              netloom's stream\n`, …, cut to N), closes; prints `sent N bytes`
 *
 * Plain JavaScript so that the runtime can import it by URL in any placement without a build step.
 */
import { createNode } from '@netloom/stack';

/** The bytes tcpx-source sends for a count: numbered lines, so tshark's follow output is checkable. */
export function streamText(bytes) {
  let text = '';
  for (let line = 1; text.length < bytes; line++) text += `line ${String(line).padStart(6, '0')} of netloom's stream\n`;
  return text.slice(0, bytes);
}

function socket(ctx) {
  const s = ctx.tcpSocket(4);
  if ('errno' in s) {
    ctx.stderr(`socket: ${s.errno}\n`);
    ctx.exit(1);
    return null;
  }
  return s;
}

const sink = (ctx) => {
  const s = socket(ctx);
  if (s === null) return;
  const bound = s.bind('0.0.0.0', Number(ctx.argv[1] ?? '5000'));
  const listening = bound.ok ? s.listen(1) : bound;
  if (!listening.ok) {
    ctx.stderr(`tcpx-sink: ${listening.errno}\n`);
    ctx.exit(1);
    return;
  }
  s.onAccept((conn) => {
    let received = 0;
    conn.onData((data) => {
      received += data.length;
    });
    conn.onEnd(() => {
      conn.close();
      s.close();
      ctx.stdout(`received ${received} bytes\n`);
      ctx.exit(0);
    });
    conn.onError((errno) => {
      ctx.stdout(`${errno} after ${received} bytes\n`);
      ctx.exit(1);
    });
  });
  ctx.onInterrupt(() => {
    s.close();
    ctx.exit(130);
  });
};

const source = (ctx) => {
  const [, host = '', port = '5000', count = '0'] = ctx.argv;
  const bytes = new TextEncoder().encode(streamText(Number(count)));
  const s = socket(ctx);
  if (s === null) return;
  let offset = 0;
  let done = false;
  const pump = () => {
    if (done) return;
    while (offset < bytes.length) {
      const r = s.send(bytes.subarray(offset));
      if (!r.ok) {
        ctx.stdout(`${r.errno} after ${offset} bytes\n`);
        ctx.exit(1);
        return;
      }
      offset += r.accepted;
      if (r.accepted === 0) return;
    }
    done = true;
    s.close();
    ctx.stdout(`sent ${offset} bytes\n`);
    ctx.exit(0);
  };
  s.onConnect(pump);
  s.onWritable(pump);
  s.onError((errno) => {
    ctx.stdout(`${errno} after ${offset} bytes\n`);
    ctx.exit(1);
  });
  const r = s.connect(host, Number(port));
  if (!r.ok) {
    ctx.stdout(`${r.errno}\n`);
    ctx.exit(1);
  }
};

export function createTcpProbeNode(_node, config, env) {
  return createNode(config, env, { 'tcpx-sink': sink, 'tcpx-source': source });
}
