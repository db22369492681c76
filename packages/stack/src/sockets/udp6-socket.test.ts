/**
 * UDP over IPv6 (udp6-socket.ts) between two emulated nodes, as programs open the sockets: the
 * refusals of bind/connect/sendto, a datagram answered by a server bound to [::]:5000 (with
 * IPV6_RECVPKTINFO and the sender's hop limit), and a connected socket to a closed port learning
 * ECONNREFUSED from the ICMPv6 port unreachable (at once, then from the next send), as Linux does.
 */
import { expect, test } from 'vitest';
import type { Datagram, Program, ProcessContext, SendResult, SocketResult, UdpSocket } from '../process.js';
import { ipv6Pair, SECOND } from '../testing/lab.js';

function opener(results: string[], body: (socket: () => UdpSocket, show: (what: string, r: SocketResult | SendResult) => void, ctx: ProcessContext) => void): Program {
  return (ctx) => {
    const socket = (): UdpSocket => {
      const opened = ctx.udpSocket(6);
      if ('errno' in opened) throw new Error(`socket: ${opened.errno}`);
      return opened;
    };
    const show = (what: string, r: SocketResult | SendResult): void => {
      results.push(`${what} ${r.ok ? `ok${'info' in r ? ` ${r.info.ifname} ${r.info.source}` : ''}` : r.errno}`);
    };
    body(socket, show, ctx);
    ctx.setTimer(2 * SECOND, () => ctx.exit(0));
  };
}

test('udp6 between two nodes: refusals, an answered datagram, ECONNREFUSED from a closed port', () => {
  const results: string[] = [];
  const received: Datagram[] = [];
  const server = opener(results, (socket, show) => {
    const s = socket();
    s.setsockopt('IPV6_RECVPKTINFO', true);
    show('server bind [::]:5000', s.bind('::', 5000));
    s.onMessage((d) => {
      received.push(d);
      s.sendto(d.data.map((b) => b + 1), d.from);
    });
  });
  const client = opener(results, (socket, show, ctx) => {
    const a = socket();
    show('bind fe80::1 (no device)', a.bind('fe80::1', 0));
    show('bind 2001:db8::9', a.bind('2001:db8::9', 0));
    show('bind text', a.bind('10.0.0.1', 0));
    show('connect fe80::1:53 (no device)', a.connect('fe80::1', 53));
    show('connect 2001:db8:7::1', a.connect('2001:db8:7::1', 53));
    show('sendto port 0', a.sendto(new Uint8Array(4), { address: '2001:db8::1', port: 0 }));
    show('send unconnected', a.sendto(new Uint8Array(4)));
    show('sendto 65528 bytes', a.sendto(new Uint8Array(65528), { address: '2001:db8::1', port: 5000 }));
    show('sendto pktinfo 2001:db8::9', a.sendto(new Uint8Array(4), { address: '2001:db8::1', port: 5000 }, { pktinfo: { address: '2001:db8::9' } }));
    // The failed connects and sends bound `a` to an ephemeral port already (inet_autobind).
    show('bind [::]:4000 again', a.bind('::', 4000));
    const c = socket();
    c.onMessage((d) => results.push(`client got ${Array.from(d.data).join(',')} from [${d.from.address}]:${d.from.port} hop limit ${d.ttl}`));
    show('bind [::]:4000', c.bind('::', 4000));
    show('sendto [2001:db8::1]:5000', c.sendto(Uint8Array.of(1, 2, 3), { address: '2001:db8::1', port: 5000 }));
    const b = socket();
    b.onError((errno, from) => results.push(`async ${errno} from ${from}`));
    show('connect [2001:db8::1]:5001', b.connect('2001:db8::1', 5001));
    show('send', b.sendto(Uint8Array.of(9)));
    ctx.setTimer(SECOND, () => {
      show('send again (sk_err)', b.sendto(Uint8Array.of(9)));
      show('send once more', b.sendto(Uint8Array.of(9)));
    });
  });
  const lab = ipv6Pair({ h1: { server }, h2: { client } });
  lab.exec('h1', 'server');
  const run = lab.exec('h2', 'client', 5 * SECOND);
  expect(run.status).toBe(0);
  expect(results).toEqual([
    'server bind [::]:5000 ok',
    'bind fe80::1 (no device) EINVAL',
    'bind 2001:db8::9 EADDRNOTAVAIL',
    'bind text EINVAL',
    'connect fe80::1:53 (no device) EINVAL',
    'connect 2001:db8:7::1 ENETUNREACH',
    'sendto port 0 EINVAL',
    'send unconnected EDESTADDRREQ',
    'sendto 65528 bytes EMSGSIZE',
    'sendto pktinfo 2001:db8::9 EINVAL',
    'bind [::]:4000 again EINVAL',
    'bind [::]:4000 ok',
    'sendto [2001:db8::1]:5000 ok eth0 2001:db8::2',
    'connect [2001:db8::1]:5001 ok',
    'send ok eth0 2001:db8::2',
    'client got 2,3,4 from [2001:db8::1]:5000 hop limit 64',
    'async ECONNREFUSED from 2001:db8::1',
    'send again (sk_err) ECONNREFUSED',
    'send once more ok eth0 2001:db8::2',
    'async ECONNREFUSED from 2001:db8::1',
  ]);
  expect(received.map((d) => ({ from: d.from, ttl: d.ttl, pktinfo: d.pktinfo }))).toEqual([
    { from: { address: '2001:db8::2', port: 4000 }, ttl: 64, pktinfo: { address: '2001:db8::1', ifindex: 2, ifname: 'eth0' } },
  ]);
});

test('the UDP checksum is mandatory over IPv6: a zero or a wrong one is dropped, not delivered', () => {
  const results: string[] = [];
  const received: string[] = [];
  const server = opener(results, (socket, show) => {
    const s = socket();
    show('server bind [::]:5000', s.bind('::', 5000));
    s.onMessage((d) => received.push(Array.from(d.data).join(',')));
  });
  const client = opener(results, (socket, show) => {
    show('sendto', socket().sendto(Uint8Array.of(7, 7), { address: '2001:db8::1', port: 5000 }));
  });
  const lab = ipv6Pair({ h1: { server }, h2: { client } });
  lab.exec('h1', 'server');
  lab.exec('h2', 'client', SECOND / 2);
  expect(received).toEqual(['7,7']);
  // The datagram as it left h2 (Ethernet 14 + IPv6 40 + UDP 8 + 2), sent again with a zero and with a wrong checksum.
  const udp = lab.sent('h2', 'eth0').map((f) => f.frame).find((f) => f.length === 64 && f[20] === 17);
  expect(udp).toBeDefined();
  const zero = udp!.slice();
  zero[60] = 0;
  zero[61] = 0;
  const wrong = udp!.slice();
  wrong[62] = 8;
  const before = lab.drops('h1').length;
  lab.node('h1').receive('eth0', zero, lab.now);
  lab.node('h1').receive('eth0', wrong, lab.now);
  lab.node('h1').receive('eth0', udp!.slice(), lab.now);
  lab.run(SECOND / 2);
  expect(received).toEqual(['7,7', '7,7']);
  expect(lab.drops('h1').slice(before).map((e) => (e.event.type === 'drop' ? `${e.event.reason} ${e.event.detail ?? ''}` : ''))).toEqual(['badChecksum udp6 zero checksum', 'badChecksum udp6 badChecksum']);
});
