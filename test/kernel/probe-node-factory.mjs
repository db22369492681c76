/**
 * A node factory for the differential tests (test/kernel-*.test.ts): the real netloom node (the stack
 * with the apps' programs) plus three small programs that do on netloom's sockets what the kernel
 * scripts in this directory do with Python sockets, so that both print the same thing:
 *
 *   nlksend DEST PORT SIZE     one datagram from a fresh unconnected socket; prints `IFNAME SOURCE` or the errno
 *   nlkrecv PORT               binds 0.0.0.0:PORT and prints each datagram's source address, until interrupted
 *   nlkudp CASE                one case of udp-errno.py (same names); prints the errno name or OK
 *
 * Plain JavaScript so that the runtime can import it by URL in any placement without a build step.
 */
import { programs } from '@netloom/apps';
import { createNode } from '@netloom/stack';

const bytes = (n) => new Uint8Array(n).fill(0x78);
const x = bytes(1);

function outcome(result) {
  if (result === undefined || result === null) return 'OK';
  if ('errno' in result && !('ok' in result)) return result.errno;
  return result.ok ? 'OK' : result.errno;
}

function udp(ctx) {
  const s = ctx.udpSocket(4);
  if ('errno' in s) throw new Error(`socket: ${s.errno}`);
  return s;
}

/** Each returns a result (sync) or a function `(done) => void` that reports later. */
const cases = {
  'on-link': (ctx) => udp(ctx).sendto(x, { address: '10.0.0.1', port: 9 }),
  'no-route': (ctx) => udp(ctx).sendto(x, { address: '198.51.100.1', port: 9 }),
  'prohibit-route': (ctx) => udp(ctx).sendto(x, { address: '198.51.100.1', port: 9 }),
  'unreachable-route': (ctx) => udp(ctx).sendto(x, { address: '198.51.100.1', port: 9 }),
  'blackhole-route': (ctx) => udp(ctx).sendto(x, { address: '198.51.100.1', port: 9 }),
  'throw-route': (ctx) => udp(ctx).sendto(x, { address: '198.51.100.1', port: 9 }),
  'interface-admin-down': (ctx) => udp(ctx).sendto(x, { address: '10.1.0.1', port: 9 }),
  'gateway-route-device-down': (ctx) => udp(ctx).sendto(x, { address: '198.51.100.1', port: 9 }),
  'message-65507-bytes': (ctx) => udp(ctx).sendto(bytes(65507), { address: '10.0.0.1', port: 9 }),
  'message-65508-bytes': (ctx) => udp(ctx).sendto(bytes(65508), { address: '10.0.0.1', port: 9 }),
  'broadcast-without-SO_BROADCAST': (ctx) => udp(ctx).sendto(x, { address: '10.0.0.255', port: 9 }),
  'broadcast-with-SO_BROADCAST': (ctx) => {
    const s = udp(ctx);
    const r = s.setsockopt('SO_BROADCAST', true);
    return r.ok ? s.sendto(x, { address: '10.0.0.255', port: 9 }) : r;
  },
  'destination-port-0': (ctx) => udp(ctx).sendto(x, { address: '10.0.0.1', port: 0 }),
  'bind-nonlocal-address': (ctx) => udp(ctx).bind('10.0.0.99', 0),
  // netloom's sockets have no IP_FREEBIND.
  'bind-nonlocal-IP_FREEBIND-then-sendto': () => ({ ok: false, errno: 'UNSUPPORTED(IP_FREEBIND)' }),
  'IP_PKTINFO-spec_dst-nonlocal': (ctx) =>
    udp(ctx).sendto(x, { address: '10.0.0.1', port: 9 }, { pktinfo: { address: '10.0.0.99', ifindex: 0 } }),
  'IP_PKTINFO-spec_dst-other-interface': (ctx) =>
    udp(ctx).sendto(x, { address: '10.0.0.1', port: 9 }, { pktinfo: { address: '10.1.0.2', ifindex: 0 } }),
  'IP_PKTINFO-ifindex-eth1-to-eth0-subnet': (ctx) =>
    udp(ctx).sendto(x, { address: '10.0.0.1', port: 9 }, { pktinfo: { ifindex: ctx.ifindex('eth1') } }),
  'IP_PKTINFO-ifindex-down-device': (ctx) =>
    udp(ctx).sendto(x, { address: '10.1.0.1', port: 9 }, { pktinfo: { ifindex: ctx.ifindex('eth1') } }),
  'SO_BINDTODEVICE-no-route-on-device': (ctx) => bound(ctx, 'eth1', '198.51.100.1'),
  'SO_BINDTODEVICE-no-route-at-all': (ctx) => bound(ctx, 'eth1', '198.51.100.1'),
  'SO_BINDTODEVICE-on-link-of-other-device': (ctx) => bound(ctx, 'eth1', '10.0.0.1'),
  'SO_BINDTODEVICE-device-down': (ctx) => bound(ctx, 'eth1', '10.1.0.1'),
  'connect-no-route': (ctx) => udp(ctx).connect('198.51.100.1', 9),
  // Connect, send once, then (after the test ran its commands) send again: the second result counts.
  'connected-port-unreachable-then-send': (ctx) => connectedTwice(ctx, 10),
  'connected-source-deleted-subnet-route-stays': (ctx) => connectedTwice(ctx, 9),
  'unconnected-after-source-deleted-subnet-route-stays': (ctx) => udp(ctx).sendto(x, { address: '10.0.0.1', port: 9 }),
  'connected-source-deleted-route-elsewhere': (ctx) => connectedTwice(ctx, 9),
  'unconnected-after-source-deleted-route-elsewhere': (ctx) => udp(ctx).sendto(x, { address: '10.0.0.1', port: 9 }),
  'connected-address-readded': (ctx) => connectedTwice(ctx, 9),
};

function bound(ctx, dev, to) {
  const s = udp(ctx);
  const r = s.setsockopt('SO_BINDTODEVICE', dev);
  return r.ok ? s.sendto(x, { address: to, port: 9 }) : r;
}

/** The test's commands run during the 300 ms between the two sends (see model-replays.ts). */
function connectedTwice(ctx, port) {
  const s = udp(ctx);
  const c = s.connect('10.0.0.1', port);
  if (!c.ok) return c;
  const first = s.sendto(x);
  if (!first.ok) return first;
  return (done) => ctx.setTimer(300_000_000, () => done(s.sendto(x)));
}

const nlkudp = (ctx) => {
  const name = ctx.argv[1] ?? '';
  const run = cases[name];
  if (run === undefined) {
    ctx.stderr(`nlkudp: unknown case ${name}\n`);
    ctx.exit(2);
    return;
  }
  const finish = (r) => {
    ctx.stdout(`${outcome(r)}\n`);
    ctx.exit(0);
  };
  const r = run(ctx);
  if (typeof r === 'function') r(finish);
  else finish(r);
};

const nlksend = (ctx) => {
  const [, dest = '', port = '9', size = '400'] = ctx.argv;
  const r = udp(ctx).sendto(bytes(Number(size)), { address: dest, port: Number(port) });
  ctx.stdout(r.ok ? `${r.info.ifname} ${r.info.source}\n` : `${r.errno}\n`);
  ctx.exit(0);
};

const nlkrecv = (ctx) => {
  const s = udp(ctx);
  const b = s.bind('0.0.0.0', Number(ctx.argv[1] ?? '9'));
  if (!b.ok) {
    ctx.stderr(`nlkrecv: bind: ${b.errno}\n`);
    ctx.exit(1);
    return;
  }
  s.onMessage((d) => ctx.stdout(`${d.from.address}\n`));
  ctx.onInterrupt(() => {
    s.close();
    ctx.exit(0);
  });
};

export function createProbeNode(_node, config, env) {
  return createNode(config, env, { ...programs, nlkudp, nlksend, nlkrecv });
}
