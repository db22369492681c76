/**
 * UDP over IPv6 sockets against the Linux kernel: the same operations (bind, connect, sendto, send,
 * SO_BINDTODEVICE, IPV6_PKTINFO on send) run by python3 in a network namespace and by a program on
 * the model, two nodes on one LAN (2001:db8::1 and 2001:db8::2, nothing listening on h1), and every
 * outcome — ok or the errno — must be the same, including ECONNREFUSED from the ICMPv6 port
 * unreachable a connected socket's datagram drew. Needs root, iproute2 and python3 (skips saying
 * so, fails under CI=true).
 */
import { expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import type { Program, SendResult, SocketResult, UdpSocket } from '../process.js';
import { Lab, SECOND } from '../testing/lab.js';
import { runLanExperiment } from '../testing/namespace-lan.js';

type Operation =
  | { op: 'bind' | 'connect'; socket: string; address: string; port: number }
  | { op: 'sendto'; socket: string; address: string; port: number; size: number; pktinfo?: string }
  | { op: 'send'; socket: string; size: number }
  | { op: 'bindtodevice'; socket: string; device: string }
  | { op: 'wait' };

const OPERATIONS: readonly Operation[] = [
  { op: 'bind', socket: 'a', address: 'fe80::1', port: 0 },
  { op: 'bind', socket: 'a', address: '2001:db8::9', port: 0 },
  { op: 'connect', socket: 'a', address: 'fe80::1', port: 53 },
  { op: 'connect', socket: 'a', address: 'ff02::1', port: 53 },
  { op: 'connect', socket: 'a', address: '2001:db8:7::1', port: 53 },
  { op: 'sendto', socket: 'a', address: '2001:db8::1', port: 0, size: 4 },
  { op: 'send', socket: 'a', size: 4 },
  { op: 'sendto', socket: 'a', address: '2001:db8::1', port: 5000, size: 65528 },
  { op: 'sendto', socket: 'a', address: '2001:db8::1', port: 5000, size: 4, pktinfo: '2001:db8::9' },
  { op: 'sendto', socket: 'a', address: 'fe80::1', port: 5000, size: 4 },
  { op: 'sendto', socket: 'a', address: '2001:db8:7::1', port: 5000, size: 4 },
  { op: 'bind', socket: 'a', address: '::', port: 4000 },
  { op: 'bind', socket: 'a', address: '::', port: 4001 },
  { op: 'bind', socket: 'b', address: '2001:db8::2', port: 4000 },
  { op: 'bind', socket: 'b', address: '2001:db8::2', port: 4002 },
  { op: 'sendto', socket: 'a', address: '2001:db8::1', port: 5000, size: 4, pktinfo: '2001:db8::2' },
  { op: 'bindtodevice', socket: 'c', device: 'nope0' },
  { op: 'bindtodevice', socket: 'c', device: 'eth0' },
  { op: 'bind', socket: 'c', address: 'fe80::99', port: 0 },
  { op: 'connect', socket: 'c', address: 'ff02::1', port: 53 },
  { op: 'connect', socket: 'd', address: '2001:db8::1', port: 5001 },
  { op: 'send', socket: 'd', size: 1 },
  { op: 'wait' },
  { op: 'send', socket: 'd', size: 1 },
  { op: 'send', socket: 'd', size: 1 },
  { op: 'connect', socket: 'e', address: '2001:db8::1', port: 0 },
  { op: 'send', socket: 'e', size: 1 },
];

function describe(o: Operation): string {
  switch (o.op) {
    case 'bind':
    case 'connect':
      return `${o.socket} ${o.op} [${o.address}]:${o.port}`;
    case 'sendto':
      return `${o.socket} sendto [${o.address}]:${o.port} ${o.size} bytes${o.pktinfo ? ` pktinfo ${o.pktinfo}` : ''}`;
    case 'send':
      return `${o.socket} send ${o.size} bytes`;
    case 'bindtodevice':
      return `${o.socket} SO_BINDTODEVICE ${o.device}`;
    case 'wait':
      return 'wait';
  }
}

/** The operations as a python3 program printing `<description> ok|ERRNO` per line. */
function pythonProgram(): string {
  const lines = [
    'import socket, errno, time',
    'socks = {}',
    'def sock(name):',
    '    if name not in socks: socks[name] = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
    '    return socks[name]',
    'def run(text, f):',
    '    try:',
    '        f()',
    '        print(text + " ok")',
    '    except OSError as e:',
    '        print(text + " " + errno.errorcode[e.errno])',
    'def pktinfo(addr):',
    '    return [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, socket.inet_pton(socket.AF_INET6, addr) + bytes(4))]',
  ];
  for (const o of OPERATIONS) {
    const text = JSON.stringify(describe(o));
    if (o.op === 'bind' || o.op === 'connect') lines.push(`run(${text}, lambda: sock("${o.socket}").${o.op}(("${o.address}", ${o.port})))`);
    else if (o.op === 'sendto' && o.pktinfo) lines.push(`run(${text}, lambda: sock("${o.socket}").sendmsg([bytes(${o.size})], pktinfo("${o.pktinfo}"), 0, ("${o.address}", ${o.port})))`);
    else if (o.op === 'sendto') lines.push(`run(${text}, lambda: sock("${o.socket}").sendto(bytes(${o.size}), ("${o.address}", ${o.port})))`);
    else if (o.op === 'send') lines.push(`run(${text}, lambda: sock("${o.socket}").send(bytes(${o.size})))`);
    else if (o.op === 'bindtodevice') lines.push(`run(${text}, lambda: sock("${o.socket}").setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"${o.device}"))`);
    else lines.push('time.sleep(0.5)', 'print("wait")');
  }
  return lines.join('\n');
}

function outcome(r: SocketResult | SendResult): string {
  return r.ok ? 'ok' : r.errno;
}

/** The same operations by a program on the model, `wait` being half a second of emulated time. */
function modelRun(): string {
  const out: string[] = [];
  const prober: Program = (ctx) => {
    const sockets = new Map<string, UdpSocket>();
    const sock = (name: string): UdpSocket => {
      let s = sockets.get(name);
      if (s === undefined) {
        const opened = ctx.udpSocket(6);
        if ('errno' in opened) throw new Error(opened.errno);
        s = opened;
        sockets.set(name, s);
      }
      return s;
    };
    const step = (index: number): void => {
      for (let i = index; i < OPERATIONS.length; i++) {
        const o = OPERATIONS[i]!;
        const text = describe(o);
        if (o.op === 'wait') {
          out.push('wait');
          ctx.setTimer(SECOND / 2, () => step(i + 1));
          return;
        }
        let r: SocketResult | SendResult;
        if (o.op === 'bind') r = sock(o.socket).bind(o.address, o.port);
        else if (o.op === 'sendto') r = sock(o.socket).sendto(new Uint8Array(o.size), { address: o.address, port: o.port }, o.pktinfo ? { pktinfo: { address: o.pktinfo } } : undefined);
        else if (o.op === 'send') r = sock(o.socket).sendto(new Uint8Array(o.size));
        else if (o.op === 'bindtodevice') r = sock(o.socket).setsockopt('SO_BINDTODEVICE', o.device);
        else r = sock(o.socket).connect(o.address, o.port);
        out.push(`${text} ${outcome(r)}`);
      }
      ctx.exit(0);
    };
    step(0);
  };
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('h2', { programs: { prober } });
  lab.link('h1:eth0', 'h2:eth0');
  lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0 nodad');
  lab.exec('h2', 'ip -6 addr add 2001:db8::2/64 dev eth0 nodad');
  lab.run(3 * SECOND);
  const run = lab.exec('h2', 'prober', 5 * SECOND);
  if (run.status !== 0) throw new Error(`prober: ${run.stderr}`);
  return `${out.join('\n')}\n`;
}

const linux = needs({ netns: true, tools: ['bash', 'python3'] });

linux.describe('UDP over IPv6 against the Linux kernel', () => {
  test('bind, connect, sendto and send give the errnos Linux gives, ECONNREFUSED included', () => {
    const ports = [
      { node: 'h1', ifname: 'eth0', mac: '02:00:00:00:06:01', lan: 'lan' },
      { node: 'h2', ifname: 'eth0', mac: '02:00:00:00:06:02', lan: 'lan' },
    ];
    const script = [
      // runLanExperiment's namespaces start with IPv6 off.
      'for ns in $h1 $h2; do ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0; done',
      'ip -n $h1 link set eth0 up',
      'ip -n $h2 link set eth0 up',
      'ip -n $h1 -6 addr add 2001:db8::1/64 dev eth0 nodad',
      'ip -n $h2 -6 addr add 2001:db8::2/64 dev eth0 nodad',
      'sleep 2',
      'echo @@linux',
      `ip netns exec $h2 python3 - <<'PYTHON'\n${pythonProgram()}\nPYTHON`,
    ].join('\n');
    const sections = runLanExperiment(ports, script);
    expect(sections.get('error')).toBeUndefined();
    expect(modelRun()).toBe(sections.get('linux')?.trimEnd() + '\n');
  });
});
