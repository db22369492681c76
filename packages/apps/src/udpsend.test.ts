/**
 * udpsend on the fake context: the line format (documented in udpsend.ts), the schedule, and
 * errors. The errno sequences of a real kernel are checked by the integration test on real nodes.
 */
import { describe, expect, it } from 'vitest';
import type { SendResult } from '@netloom/stack';
import { udpsend } from './udpsend.js';
import { SECOND, runProgram, type FakeWorld, type UdpSendAttempt } from './testing/fake-context.js';

/** The seed's laptop: wm0 193.71.2.59, ath0 10.13.65.16; results scripted per send time. */
function laptop(script?: (attempt: UdpSendAttempt) => SendResult): FakeWorld {
  return {
    interfaces: [
      { name: 'lo', index: 1, addresses: ['127.0.0.1'] },
      { name: 'wm0', index: 2, addresses: ['193.71.2.59'] },
      { name: 'ath0', index: 3, addresses: ['10.13.65.16'] },
    ],
    route: (dst, ifname) => (dst.startsWith('10.99.') ? { errno: 'ENETUNREACH' } : { source: ifname === 'ath0' ? '10.13.65.16' : '193.71.2.59', ifname: ifname ?? 'wm0' }),
    hosts: { target: '193.71.2.52' },
    ...(script ? { udpSend: script } : {}),
  };
}

describe('udpsend', () => {
  it('prints one line per send with the time, result, interface and source', () => {
    const r = runProgram(
      udpsend,
      ['udpsend', 'target', '9', '--count', '4'],
      laptop((a) =>
        a.at === 1 * SECOND
          ? { ok: false, errno: 'ENETDOWN' }
          : a.at === 2 * SECOND
            ? { ok: false, errno: 'EADDRNOTAVAIL' }
            : { ok: true, info: { ifname: a.at === 0 ? 'wm0' : 'ath0', source: a.at === 0 ? '193.71.2.59' : '10.13.65.16', bytes: a.bytes } },
      ),
    );
    expect(r.stdout).toBe(
      [
        'udpsend to 193.71.2.52 port 9, 512 bytes every 1.000s, unconnected socket bound to 0.0.0.0:40000',
        '0.000 sendto #1: OK dev wm0 src 193.71.2.59',
        '1.000 sendto #2: ENETDOWN (Network is down)',
        '2.000 sendto #3: EADDRNOTAVAIL (Cannot assign requested address)',
        '3.000 sendto #4: OK dev ath0 src 10.13.65.16',
        '--- udpsend: 4 sent, 2 ok, 2 failed',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(1);
    expect(r.udpSent.map((a) => [a.to, a.bytes, a.boundAddress, a.connected])).toEqual(
      Array(4).fill([{ address: '193.71.2.52', port: 9 }, 512, '0.0.0.0', null]),
    );
  });

  it('honours --interval, --size, --bind, --device, and short options', () => {
    const r = runProgram(udpsend, ['udpsend', '-i', '500ms', '-s', '64', '-c', '3', '-b', '193.71.2.59:5000', '-I', 'wm0', '193.71.2.52', '9'], laptop());
    expect(r.stdout).toBe(
      'udpsend to 193.71.2.52 port 9, 64 bytes every 0.500s, unconnected socket bound to 193.71.2.59:5000\n' +
        '0.000 sendto #1: OK dev wm0 src 193.71.2.59\n0.500 sendto #2: OK dev wm0 src 193.71.2.59\n1.000 sendto #3: OK dev wm0 src 193.71.2.59\n' +
        '--- udpsend: 3 sent, 3 ok, 0 failed\n',
    );
    expect(r.status).toBe(0);
    expect(r.udpSent[0]?.boundDevice).toBe('wm0');
    expect(r.log).toContain('udp setsockopt SO_BINDTODEVICE wm0');
  });

  it('shows the connected source, and sends without a destination', () => {
    const r = runProgram(udpsend, ['udpsend', '--connect', '--count', '1', '193.71.2.52', '9'], laptop());
    expect(r.stdout.split('\n')[0]).toBe('udpsend to 193.71.2.52 port 9, 512 bytes every 1.000s, connected socket 0.0.0.0:40000 -> 193.71.2.52:9');
    expect(r.udpSent[0]?.connected).toEqual({ address: '193.71.2.52', port: 9 });
  });

  it('reports a failed connect and exits 1', () => {
    const r = runProgram(udpsend, ['udpsend', '--connect', '10.99.0.1', '9'], laptop());
    expect(r.stdout).toBe('udpsend to 10.99.0.1 port 9, 512 bytes every 1.000s, connect failed\n0.000 connect: ENETUNREACH (Network is unreachable)\n');
    expect(r.status).toBe(1);
  });

  it('sets SO_BROADCAST with --broadcast and IP_TTL with --ttl', () => {
    const r = runProgram(udpsend, ['udpsend', '--broadcast', '--ttl', '1', '-c', '1', '193.71.2.255', '9'], laptop());
    expect(r.log).toEqual(expect.arrayContaining(['udp setsockopt SO_BROADCAST true', 'udp setsockopt IP_TTL 1']));
  });

  it('passes IP_PKTINFO source and interface', () => {
    const r = runProgram(udpsend, ['udpsend', '--pktinfo', '10.13.65.16', '--pktinfo-dev', 'ath0', '-c', '1', '193.71.2.52', '9'], laptop());
    expect(r.udpSent[0]?.pktinfo).toEqual({ address: '10.13.65.16', ifindex: 3 });
  });

  it('runs until Ctrl-C without --count', () => {
    const r = runProgram(udpsend, ['udpsend', '193.71.2.52', '9'], laptop(), { interruptAt: 2.5 * SECOND });
    expect(r.stdout.trim().split('\n').slice(-2)).toEqual(['2.000 sendto #3: OK dev wm0 src 193.71.2.59', '--- udpsend: 3 sent, 3 ok, 0 failed']);
    expect(r.status).toBe(0);
  });

  it('rejects bad arguments with usage and status 2', () => {
    const cases: [string[], string][] = [
      [['193.71.2.52'], 'udpsend: need DEST and PORT'],
      [['193.71.2.52', 'x'], "udpsend: invalid port 'x'"],
      [['--interval', 'soon', '193.71.2.52', '9'], "udpsend: invalid interval 'soon'"],
      [['--size', '-1', '193.71.2.52', '9'], "udpsend: invalid size '-1'"],
      [['--bind', 'here', '193.71.2.52', '9'], "udpsend: invalid bind address 'here'"],
      [['--frobnicate', '193.71.2.52', '9'], "udpsend: unrecognized option '--frobnicate'"],
    ];
    for (const [args, message] of cases) {
      const r = runProgram(udpsend, ['udpsend', ...args], laptop());
      expect(r.stderr.split('\n')[0]).toBe(message);
      expect(r.stderr).toContain('Usage: udpsend DEST PORT');
      expect(r.status).toBe(2);
    }
    const bind = runProgram(udpsend, ['udpsend', '--bind', '10.9.9.9', '193.71.2.52', '9'], laptop());
    expect(bind.stderr).toBe('udpsend: bind 10.9.9.9: EADDRNOTAVAIL (Cannot assign requested address)\n');
    expect(bind.status).toBe(2);
    const device = runProgram(udpsend, ['udpsend', '--device', 'wlan9', '193.71.2.52', '9'], laptop());
    expect(device.stderr).toBe('udpsend: SO_BINDTODEVICE wlan9: ENODEV (No such device)\n');
    const name = runProgram(udpsend, ['udpsend', 'nowhere', '9'], laptop());
    expect(name.stderr).toBe('udpsend: nowhere: Name or service not known\n');
  });
});
