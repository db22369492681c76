/**
 * The errno of every failure path of a UDP sendto/connect/bind, compared with the real kernel.
 *
 * RECORDED is what the Python script below printed in a network namespace (kernel 6.x, this
 * machine); when the test runs as root with iproute2 it runs the script again and compares
 * netloom with that live output too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NamespaceLab } from '@netloom/wire/testing/namespace-lab';
import { needs } from '@netloom/wire/testing/test-environment';
import { Lab, MS, twoNodes, opened } from '../testing/lab.js';
import { framesMatching, udp } from '../testing/frame-checks.js';
import type { SendResult, SocketResult, UdpSocket } from '../process.js';

const RECORDED = `
noroute ENETUNREACH
prohibit EACCES
unreachable EHOSTUNREACH
blackhole EINVAL
throw ENETUNREACH
ok OK
big65507 OK
big65508 EMSGSIZE
big65508-noroute ENETUNREACH
big2000 OK
bcast EACCES
bcast255 ENETUNREACH
port0 EINVAL
bind-nonlocal EADDRNOTAVAIL
bindtodevice-down OK
send-bound-down-dev ENETUNREACH
bindtodevice-nosuch ENODEV
pktinfo-nonlocal-src ENETUNREACH
pktinfo-bcast-src EINVAL
pktinfo-zeronet-src ENETUNREACH
pktinfo-badifindex ENODEV
pktinfo-downdev ENETUNREACH
connect-noroute ENETUNREACH
connect-prohibit EACCES
send-unconnected-noaddr EDESTADDRREQ
bound-src-other-subnet OK
`.trim();

const SCRIPT = String.raw`
import socket, errno, struct, sys
def tryit(name, fn):
    try:
        fn(); print(name, "OK")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
def us():
    return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s = us()
tryit("noroute", lambda: s.sendto(b"x", ("10.99.1.1", 9)))
tryit("prohibit", lambda: s.sendto(b"x", ("10.68.1.1", 9)))
tryit("unreachable", lambda: s.sendto(b"x", ("10.67.1.1", 9)))
tryit("blackhole", lambda: s.sendto(b"x", ("10.66.1.1", 9)))
tryit("throw", lambda: s.sendto(b"x", ("10.69.1.1", 9)))
tryit("ok", lambda: s.sendto(b"x", ("10.0.0.9", 9)))
tryit("big65507", lambda: s.sendto(b"x"*65507, ("10.0.0.9", 9)))
tryit("big65508", lambda: s.sendto(b"x"*65508, ("10.0.0.9", 9)))
tryit("big65508-noroute", lambda: s.sendto(b"x"*65508, ("10.99.1.1", 9)))
tryit("big2000", lambda: s.sendto(b"x"*2000, ("10.0.0.9", 9)))
tryit("bcast", lambda: s.sendto(b"x", ("10.0.0.255", 9)))
tryit("bcast255", lambda: s.sendto(b"x", ("255.255.255.255", 9)))
tryit("port0", lambda: s.sendto(b"x", ("10.0.0.9", 0)))
s2 = us()
tryit("bind-nonlocal", lambda: s2.bind(("10.0.0.77", 0)))
s3 = us()
tryit("bindtodevice-down", lambda: s3.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"vdown0"))
tryit("send-bound-down-dev", lambda: s3.sendto(b"x", ("10.0.0.9", 9)))
s4 = us()
tryit("bindtodevice-nosuch", lambda: s4.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"nosuch"))
s5 = us()
def pkt(ifindex, spec):
    return [(socket.IPPROTO_IP, 8, struct.pack("I4s4s", ifindex, socket.inet_aton(spec), socket.inet_aton("0.0.0.0")))]
tryit("pktinfo-nonlocal-src", lambda: s5.sendmsg([b"x"], pkt(0, "10.0.0.77"), 0, ("10.0.0.9", 9)))
tryit("pktinfo-bcast-src", lambda: s5.sendmsg([b"x"], pkt(0, "255.255.255.255"), 0, ("10.0.0.9", 9)))
tryit("pktinfo-zeronet-src", lambda: s5.sendmsg([b"x"], pkt(0, "0.1.2.3"), 0, ("10.0.0.9", 9)))
tryit("pktinfo-badifindex", lambda: s5.sendmsg([b"x"], pkt(99, "0.0.0.0"), 0, ("10.0.0.9", 9)))
tryit("pktinfo-downdev", lambda: s5.sendmsg([b"x"], pkt(int(sys.argv[1]), "0.0.0.0"), 0, ("10.0.0.9", 9)))
s6 = us()
tryit("connect-noroute", lambda: s6.connect(("10.99.1.1", 9)))
tryit("connect-prohibit", lambda: s6.connect(("10.68.1.1", 9)))
tryit("send-unconnected-noaddr", lambda: s6.send(b"x"))
s7 = us(); s7.bind(("10.0.0.1", 0))
tryit("bound-src-other-subnet", lambda: s7.sendto(b"x", ("10.1.0.9", 9)))
`;

/** The same host in netloom: veth0 10.0.0.1/24, veth2 10.1.0.1/24, vdown0 down, reject routes. */
function errnoHost(): Lab {
  const lab = new Lab();
  lab.addNode('host');
  lab.addNode('peer');
  lab.addNode('peer2');
  lab.link('host:veth0', 'peer:veth1');
  lab.addr('host', 'veth0', '10.0.0.1/24');
  lab.node('host').addEthernet('vdown0', new Uint8Array([2, 0, 0, 0, 9, 9]), 1500);
  lab.link('host:veth2', 'peer2:veth3');
  lab.addr('host', 'veth2', '10.1.0.1/24');
  lab.route('host', '10.66.0.0/16', { type: 'blackhole' });
  lab.route('host', '10.67.0.0/16', { type: 'unreachable' });
  lab.route('host', '10.68.0.0/16', { type: 'prohibit' });
  lab.route('host', '10.69.0.0/16', { type: 'throw' });
  return lab;
}

function netloomResults(): string {
  const lab = errnoHost();
  const host = lab.node('host');
  const sockets = host.parts.sockets;
  const lines: string[] = [];
  const record = (name: string, result: SendResult | SocketResult): void => {
    lines.push(`${name} ${result.ok ? 'OK' : result.errno}`);
    lab.run(1 * MS);
  };
  const us = (): UdpSocket => opened(sockets.openUdp({}));
  const bytes = (n: number): Uint8Array => new Uint8Array(n);
  const to = (address: string, port = 9): { address: string; port: number } => ({ address, port });
  const s = us();
  record('noroute', s.sendto(bytes(1), to('10.99.1.1')));
  record('prohibit', s.sendto(bytes(1), to('10.68.1.1')));
  record('unreachable', s.sendto(bytes(1), to('10.67.1.1')));
  record('blackhole', s.sendto(bytes(1), to('10.66.1.1')));
  record('throw', s.sendto(bytes(1), to('10.69.1.1')));
  record('ok', s.sendto(bytes(1), to('10.0.0.9')));
  record('big65507', s.sendto(bytes(65507), to('10.0.0.9')));
  record('big65508', s.sendto(bytes(65508), to('10.0.0.9')));
  record('big65508-noroute', s.sendto(bytes(65508), to('10.99.1.1')));
  record('big2000', s.sendto(bytes(2000), to('10.0.0.9')));
  record('bcast', s.sendto(bytes(1), to('10.0.0.255')));
  record('bcast255', s.sendto(bytes(1), to('255.255.255.255')));
  record('port0', s.sendto(bytes(1), to('10.0.0.9', 0)));
  record('bind-nonlocal', us().bind('10.0.0.77', 0));
  const s3 = us();
  record('bindtodevice-down', s3.setsockopt('SO_BINDTODEVICE', 'vdown0'));
  record('send-bound-down-dev', s3.sendto(bytes(1), to('10.0.0.9')));
  record('bindtodevice-nosuch', us().setsockopt('SO_BINDTODEVICE', 'nosuch'));
  const s5 = us();
  record('pktinfo-nonlocal-src', s5.sendto(bytes(1), to('10.0.0.9'), { pktinfo: { address: '10.0.0.77' } }));
  record('pktinfo-bcast-src', s5.sendto(bytes(1), to('10.0.0.9'), { pktinfo: { address: '255.255.255.255' } }));
  record('pktinfo-zeronet-src', s5.sendto(bytes(1), to('10.0.0.9'), { pktinfo: { address: '0.1.2.3' } }));
  record('pktinfo-badifindex', s5.sendto(bytes(1), to('10.0.0.9'), { pktinfo: { ifindex: 99 } }));
  record('pktinfo-downdev', s5.sendto(bytes(1), to('10.0.0.9'), { pktinfo: { ifindex: host.kernel.device('vdown0')!.ifindex } }));
  const s6 = us();
  record('connect-noroute', s6.connect('10.99.1.1', 9));
  record('connect-prohibit', s6.connect('10.68.1.1', 9));
  record('send-unconnected-noaddr', s6.sendto(bytes(1)));
  const s7 = us();
  s7.bind('10.0.0.1', 0);
  record('bound-src-other-subnet', s7.sendto(bytes(1), to('10.1.0.9')));
  return lines.join('\n');
}

/** The live kernel comparison needs namespaces and python3 (the script uses Python sockets). */
const liveKernel = needs({ netns: true, tools: ['python3'] });

/** Runs the script in a fresh namespace (wire's NamespaceLab) and returns what it printed (a failing step throws). */
function realKernelResults(): string {
  const lab = new NamespaceLab('nl-errno');
  const dir = mkdtempSync(join(tmpdir(), 'nl-errno-'));
  try {
    lab.addNode('host', { ipv6: true });
    const ipn = (...args: string[]): string => lab.sh('host', `ip ${args.join(' ')}`);
    ipn('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
    ipn('link', 'set', 'veth0', 'up');
    ipn('link', 'set', 'veth1', 'up');
    ipn('addr', 'add', '10.0.0.1/24', 'dev', 'veth0');
    ipn('link', 'add', 'vdown0', 'type', 'veth', 'peer', 'name', 'vdown1');
    for (const [type, prefix] of [['blackhole', '10.66.0.0/16'], ['unreachable', '10.67.0.0/16'], ['prohibit', '10.68.0.0/16'], ['throw', '10.69.0.0/16']] as const) {
      ipn('route', 'add', type, prefix);
    }
    ipn('link', 'add', 'veth2', 'type', 'veth', 'peer', 'name', 'veth3');
    ipn('addr', 'add', '10.1.0.1/24', 'dev', 'veth2');
    ipn('link', 'set', 'veth2', 'up');
    ipn('link', 'set', 'veth3', 'up');
    const ifindex = (JSON.parse(ipn('-j', 'link', 'show', 'vdown0')) as { ifindex: number }[])[0]!.ifindex;
    const script = join(dir, 'errno.py');
    writeFileSync(script, SCRIPT);
    return lab.sh('host', `python3 ${script} ${ifindex}`).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    lab.destroy();
  }
}

/**
 * Lines where netloom is known to differ, with the reason. A source address in 0.0.0.0/8 given by
 * IP_PKTINFO: the control plane's output route refuses it with EINVAL (ipv4_is_zeronet, as
 * route.c of 6.6 reads) while kernel 6.18 answered ENETUNREACH; that decision lives in kernel.ts.
 */
const KNOWN_DIFFERENCES = new Set(['pktinfo-zeronet-src']);

function withoutKnownDifferences(text: string): string {
  return text
    .split('\n')
    .filter((line) => !KNOWN_DIFFERENCES.has(line.split(' ')[0]!))
    .join('\n');
}

describe('UDP errnos', () => {
  it('every sendto/connect/bind failure path returns the errno the real kernel returned (recorded)', () => {
    expect(withoutKnownDifferences(netloomResults())).toBe(withoutKnownDifferences(RECORDED));
  });

  liveKernel.it('the recording still matches a live kernel in a namespace', () => {
    expect(withoutKnownDifferences(netloomResults())).toBe(withoutKnownDifferences(realKernelResults()));
  });
});

/** h1 10.0.0.2 and h2 10.0.0.1 (nothing listening) on one link. */
function refusingPeer(): Lab {
  return twoNodes(['h1', '10.0.0.2/24'], ['h2', '10.0.0.1/24']);
}

describe('a pending socket error (sk_err)', () => {
  it('a port unreachable for a connected socket is reported at once and returned once by the next send as ECONNREFUSED (recorded kernel: udp-errno.expected.txt)', () => {
    const lab = refusingPeer();
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    const asyncErrors: string[] = [];
    socket.onError((errno, from) => asyncErrors.push(`${errno} ${from}`));
    expect(socket.connect('10.0.0.1', 10)).toEqual({ ok: true });
    expect(socket.sendto(new Uint8Array(1)).ok).toBe(true);
    lab.run(300 * MS);
    expect(asyncErrors).toEqual(['ECONNREFUSED 10.0.0.1']);
    const before = lab.now;
    expect(socket.sendto(new Uint8Array(1))).toEqual({ ok: false, errno: 'ECONNREFUSED' });
    // That send put nothing on the wire; the error is cleared, so the next one goes out.
    expect(framesMatching(lab.sent('h1', 'eth0', before), udp({ destinationPort: 10 }))).toHaveLength(0);
    expect(socket.sendto(new Uint8Array(1)).ok).toBe(true);
    expect(framesMatching(lab.sent('h1', 'eth0', before), udp({ destinationPort: 10 }))).toHaveLength(1);
  });

  it('a route error comes first and leaves the pending error for the send after (sock_error runs after the route lookup)', () => {
    const lab = refusingPeer();
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    socket.connect('10.0.0.1', 10);
    socket.sendto(new Uint8Array(1));
    lab.run(300 * MS);
    expect(socket.sendto(new Uint8Array(1), { address: '198.51.100.1', port: 9 })).toEqual({ ok: false, errno: 'ENETUNREACH' });
    expect(socket.sendto(new Uint8Array(1), { address: '10.0.0.1', port: 9 })).toEqual({ ok: false, errno: 'ECONNREFUSED' });
    expect(socket.sendto(new Uint8Array(1)).ok).toBe(true);
  });

  it('an unconnected socket keeps no error from a port unreachable (udp_err: only connected sockets get sk_err)', () => {
    const lab = refusingPeer();
    const socket = opened(lab.node('h1').parts.sockets.openUdp({}));
    const asyncErrors: string[] = [];
    socket.onError((errno) => asyncErrors.push(errno));
    expect(socket.sendto(new Uint8Array(1), { address: '10.0.0.1', port: 10 }).ok).toBe(true);
    lab.run(300 * MS);
    expect(asyncErrors).toEqual([]);
    expect(socket.sendto(new Uint8Array(1), { address: '10.0.0.1', port: 10 }).ok).toBe(true);
  });
});
