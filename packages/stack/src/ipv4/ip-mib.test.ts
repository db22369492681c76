// The IP counters and `netstat -s`, replayed against what Linux 6.18 printed for the same traffic
// between two namespaces on a veth pair (10.77.0.1 — 10.77.0.2; net-tools 2.10).
import { describe, expect, it } from 'vitest';
import { buildIpv4Frame } from '@netloom/wire';
import { SECOND, ip, twoNodes, type Lab, opened } from '../testing/lab.js';
import { checkFrame, framesMatching, icmp, ipv4 } from '../testing/frame-checks.js';

const pair = (): Lab => twoNodes(['a', '10.77.0.1/24'], ['b', '10.77.0.2/24']);

/** The Tcp: section that follows (no TCP in these runs: every counter 0, as Linux printed it). */
const NO_TCP =
  'Tcp:\n' +
  ['active connection openings', 'passive connection openings', 'failed connection attempts', 'connection resets received', 'connections established', 'segments received', 'segments sent out', 'segments retransmitted', 'bad segments received', 'resets sent']
    .map((text) => `    0 ${text}\n`)
    .join('');

/** `ping -c N -s SIZE 10.77.0.2` from a, as ICMP echo requests on a ping socket. */
function ping(lab: Lab, count: number, size: number): void {
  const socket = opened(lab.node('a').parts.sockets.openIcmp({}));
  for (let sequence = 1; sequence <= count; sequence++) {
    expect(socket.sendEcho('10.77.0.2', 0x4242, sequence, new Uint8Array(size)).ok).toBe(true);
    lab.run(SECOND);
  }
}

describe('netstat -s (Ip:) as Linux prints it', () => {
  it('counts two fragmented pings on both ends (ping -c 2 -s 3000)', () => {
    const lab = pair();
    ping(lab, 2, 3000);
    // Recorded on both namespaces after `ping -c 2 -s 3000 10.77.0.2`: each end sent 2 datagrams
    // as 6 fragments and reassembled 2 from 6.
    const recorded =
      'Ip:\n' +
      '    Forwarding: 2\n' +
      '    6 total packets received\n' +
      '    0 forwarded\n' +
      '    0 incoming packets discarded\n' +
      '    2 incoming packets delivered\n' +
      '    2 requests sent out\n' +
      '    6 reassemblies required\n' +
      '    2 packets reassembled ok\n' +
      '    2 outgoing packets fragmented ok\n' +
      '    6 fragments created\n' +
      '    OutTransmits: 6\n';
    expect(lab.exec('a', 'netstat -s')).toMatchObject({ status: 0, stdout: recorded + NO_TCP, stderr: '' });
    expect(lab.exec('b', 'netstat -s').stdout).toBe(recorded + NO_TCP);
  });

  it('refuses fragments above ipfrag_high_thresh and times the queued ones out with ICMP', () => {
    // Recorded: b with ipfrag_low_thresh 0 and ipfrag_high_thresh 5000; a pings once, then sends
    // the first fragments (1000 bytes of data, ids 1-3) of three datagrams through a raw socket.
    // /proc/net/sockstat said `FRAG: inuse 2 memory 5008`; 30 s later `FRAG: inuse 0 memory 0`,
    // two ICMP time exceeded had left b, and netstat -s read as below.
    const lab = pair();
    // high_thresh may not go below low_thresh, nor low above high (as on 6.18).
    const refused = (key: string): object => ({ status: 1, stderr: `sysctl: setting key "net.ipv4.${key}": Invalid argument\n` });
    expect(lab.exec('b', 'sysctl -w net.ipv4.ipfrag_high_thresh=5000')).toMatchObject(refused('ipfrag_high_thresh'));
    expect(lab.exec('b', 'sysctl -w net.ipv4.ipfrag_low_thresh=4194305')).toMatchObject(refused('ipfrag_low_thresh'));
    expect(lab.exec('b', 'sysctl -w net.ipv4.ipfrag_low_thresh=0').status).toBe(0);
    expect(lab.exec('b', 'sysctl -w net.ipv4.ipfrag_high_thresh=5000').status).toBe(0);
    ping(lab, 1, 56);
    const b = lab.node('b');
    const aMac = lab.node('a').kernel.device('eth0')!.mac;
    for (let id = 1; id <= 3; id++) {
      const frame = buildIpv4Frame(b.kernel.device('eth0')!.mac, aMac, { source: ip('10.77.0.1'), destination: ip('10.77.0.2'), protocol: 1, identification: id, moreFragments: true, fragmentOffset: 0 }, new Uint8Array(1000));
      b.receive('eth0', frame, lab.now);
    }
    expect([b.parts.ipv4.reassembler.queueCount, b.parts.ipv4.reassembler.memory]).toEqual([2, 5008]);
    lab.run(31 * SECOND);
    expect([b.parts.ipv4.reassembler.queueCount, b.parts.ipv4.reassembler.memory]).toEqual([0, 0]);
    const timeExceeded = framesMatching(lab.sent('b'), icmp({ kind: 'timeExceeded' }));
    expect(timeExceeded.map((frame) => checkFrame(frame, ipv4({ source: '10.77.0.2', destination: '10.77.0.1' }), icmp({ code: 1 })))).toEqual([null, null]);
    expect(lab.exec('b', 'netstat -s').stdout).toBe(
      'Ip:\n' +
        '    Forwarding: 2\n' +
        '    4 total packets received\n' +
        '    0 forwarded\n' +
        '    0 incoming packets discarded\n' +
        '    1 incoming packets delivered\n' +
        '    3 requests sent out\n' +
        '    2 fragments dropped after timeout\n' +
        '    3 reassemblies required\n' +
        '    3 packet reassemblies failed\n' +
        '    OutTransmits: 3\n' +
        NO_TCP,
    );
    // `nstat -az` on the same namespace began with these lines (the model has no Icmp, Tcp … after them).
    const recorded = [
      ['IpInReceives', 4], ['IpInHdrErrors', 0], ['IpInAddrErrors', 0], ['IpForwDatagrams', 0], ['IpInUnknownProtos', 0], ['IpInDiscards', 0],
      ['IpInDelivers', 1], ['IpOutRequests', 3], ['IpOutDiscards', 0], ['IpOutNoRoutes', 0], ['IpReasmTimeout', 2], ['IpReasmReqds', 3],
      ['IpReasmOKs', 0], ['IpReasmFails', 3], ['IpFragOKs', 0], ['IpFragFails', 0], ['IpFragCreates', 0], ['IpOutTransmits', 3],
    ].map(([name, value]) => `${String(name).padEnd(32)}${String(value).padEnd(16)}   0.0`);
    expect(lab.exec('b', 'nstat -az').stdout.split('\n').slice(0, 19)).toEqual(['#kernel', ...recorded]);
  });
});

describe('nstat', () => {
  it('prints what changed since its last run, keeping a history as iproute2 nstat does', () => {
    const lab = pair();
    ping(lab, 1, 56);
    // No history yet: everything since boot, non-zero only.
    expect(lab.exec('b', 'nstat').stdout).toBe(
      '#kernel\n' +
        'IpInReceives                    1                  0.0\n' +
        'IpInDelivers                    1                  0.0\n' +
        'IpOutRequests                   1                  0.0\n' +
        'IpOutTransmits                  1                  0.0\n',
    );
    expect(lab.exec('b', 'nstat').stdout).toBe('#kernel\n');
    ping(lab, 2, 56);
    // -s shows the change without remembering it; patterns pick names, in the kernel's order.
    expect(lab.exec('b', "nstat -s 'IpOut*' IpInReceives").stdout).toBe(
      '#kernel\n' + 'IpInReceives                    2                  0.0\n' + 'IpOutRequests                   2                  0.0\n' + 'IpOutTransmits                  2                  0.0\n',
    );
    expect(lab.exec('b', 'nstat -a IpInReceives').stdout).toBe('#kernel\nIpInReceives                    3                  0.0\n');
    expect(lab.exec('b', 'nstat IpInReceives').stdout).toBe('#kernel\n');
    expect(lab.exec('b', 'nstat -n')).toMatchObject({ status: 0, stdout: '' });
    expect(lab.exec('b', 'nstat -r IpInReceives').stdout).toBe('#kernel\nIpInReceives                    3                  0.0\n');
    expect(lab.exec('b', 'nstat -q')).toMatchObject({ status: 255, stdout: '' });
    expect(lab.exec('b', 'nstat -q').stderr).toMatch(/^nstat: invalid option -- 'q'\nUsage: nstat \[OPTION\] \[ PATTERN \[ PATTERN \] \]\n/);
  });
});
