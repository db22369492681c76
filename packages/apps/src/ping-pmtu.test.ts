/**
 * ping -M on real nodes: path MTU discovery through a router whose far link has MTU 1400, with the
 * texts iputils-ping 20221126 printed on Linux 6.18 for the same commands in namespaces h1 — r — h2
 * (2001:db8:1::1 — 2001:db8:1::ff / 2001:db8:2::ff — 2001:db8:2::2, and 10.15.1.1 — 10.15.1.254 /
 * 10.15.2.254 — 10.15.2.2; r's eth1 and h2's eth0 at MTU 1400). `ping -M do -s 1400` draws the
 * router's packet too big (frag needed), the kernel learns the path MTU, and the next probes fail
 * locally with the learnt MTU on stderr (`mtu: 1400` for IPv6, `mtu=1400` for IPv4); `ip -6 route
 * get` then shows the exception. -M want and dont fragment and get the replies; -q counts no error.
 * Only times differ from the recording (the summary's `time`, the replies' rtt).
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { NodeLab, SECOND } from './testing/node-lab.js';

function chain(): NodeLab {
  const lab = new NodeLab(programs);
  for (const name of ['h1', 'r', 'h2']) lab.addNode(name);
  lab.link('h1:eth0', 'r:eth0');
  lab.link('r:eth1', 'h2:eth0');
  lab.configure([
    ['r', 'ip link set eth1 mtu 1400'],
    ['h2', 'ip link set eth0 mtu 1400'],
    ['h1', 'ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad'],
    ['r', 'ip -6 addr add 2001:db8:1::ff/64 dev eth0 nodad'],
    ['r', 'ip -6 addr add 2001:db8:2::ff/64 dev eth1 nodad'],
    ['h2', 'ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad'],
    ['r', 'sysctl -qw net.ipv6.conf.all.forwarding=1'],
    ['h1', 'ip -6 route add default via 2001:db8:1::ff'],
    ['h2', 'ip -6 route add default via 2001:db8:2::ff'],
    ['h1', 'ip addr add 10.15.1.1/24 dev eth0'],
    ['r', 'ip addr add 10.15.1.254/24 dev eth0'],
    ['r', 'ip addr add 10.15.2.254/24 dev eth1'],
    ['h2', 'ip addr add 10.15.2.2/24 dev eth0'],
    ['r', 'sysctl -qw net.ipv4.ip_forward=1'],
    ['h1', 'ip route add default via 10.15.1.254'],
    ['h2', 'ip route add default via 10.15.2.254'],
  ]);
  lab.run(2 * SECOND);
  return lab;
}

/** Times out of a ping's output (they are the lab's, not the recording's). */
function untimed(text: string): string {
  return text.replace(/time[= ][0-9.]+ ?ms/g, 'time T').replace(/rtt min.*\n/, 'rtt …\n');
}

/** Three probes under -M do: the first draws the router's error, the other two fail locally (as recorded). */
function expectDoRun(run: { status: number | null; stdout: string; stderr: string }, [header, error, statistics]: string[], mtuText: string): void {
  expect(run.status).toBe(1);
  expect(untimed(run.stdout)).toBe([header, error, '', statistics, '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time T', '', ''].join('\n'));
  expect(run.stderr).toBe(`ping: local error: message too long, ${mtuText}\n`.repeat(2));
}

describe('ping -M', () => {
  it('-6 -M do: a packet too big, then local errors with the learnt MTU; route get shows the exception', () => {
    const lab = chain();
    expectDoRun(lab.exec('h1', 'ping -6 -c 3 -i 0.3 -s 1400 -M do 2001:db8:2::2', 60 * SECOND), ['PING 2001:db8:2::2(2001:db8:2::2) 1400 data bytes', 'From 2001:db8:1::ff icmp_seq=1 Packet too big: mtu=1400', '--- 2001:db8:2::2 ping statistics ---'], 'mtu: 1400');
    expect(lab.exec('h1', 'ip -6 route get 2001:db8:2::2').stdout).toBe('2001:db8:2::2 from :: via 2001:db8:1::ff dev eth0 src 2001:db8:1::1 metric 1024 expires 599sec mtu 1400 pref medium\n');
    expect(lab.exec('h1', 'ip -6 route show cache').stdout).toBe('2001:db8:2::2 via 2001:db8:1::ff dev eth0 metric 1024 expires 599sec mtu 1400 pref medium\n');
    // -q: the local error is neither printed nor counted.
    const quiet = lab.exec('h1', 'ping -6 -c 1 -s 1400 -M do -q 2001:db8:2::2', 60 * SECOND);
    expect(quiet.status).toBe(1);
    expect(untimed(quiet.stdout)).toBe(['PING 2001:db8:2::2(2001:db8:2::2) 1400 data bytes', '', '--- 2001:db8:2::2 ping statistics ---', '1 packets transmitted, 0 received, 100% packet loss, time T', '', ''].join('\n'));
    expect(quiet.stderr).toBe('');
    // want and dont fragment for the learnt MTU and get their replies.
    for (const mode of ['want', 'dont']) {
      const fragmented = lab.exec('h1', `ping -6 -c 2 -i 0.3 -s 1400 -M ${mode} 2001:db8:2::2`, 60 * SECOND);
      expect(fragmented.status).toBe(0);
      expect(untimed(fragmented.stdout)).toContain('1408 bytes from 2001:db8:2::2: icmp_seq=2 ttl=63 time T\n');
      expect(fragmented.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss');
    }
  });

  it('-M do over IPv4: frag needed, then local errors written mtu=N', () => {
    const lab = chain();
    expectDoRun(lab.exec('h1', 'ping -c 3 -i 0.3 -s 1400 -M do 10.15.2.2', 60 * SECOND), ['PING 10.15.2.2 (10.15.2.2) 1400(1428) bytes of data.', 'From 10.15.1.254 icmp_seq=1 Frag needed and DF set (mtu = 1400)', '--- 10.15.2.2 ping statistics ---'], 'mtu=1400');
    const dont = lab.exec('h1', 'ping -c 2 -i 0.3 -s 1400 -M dont 10.15.2.2', 60 * SECOND);
    expect(dont.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss');
  });

  it('refuses an unknown -M mode as iputils does', () => {
    const lab = chain();
    for (const mode of ['foo', 'probe']) {
      const run = lab.exec('h1', `ping -c 1 -M ${mode} 10.15.2.2`, SECOND);
      expect([run.status, run.stdout, run.stderr]).toEqual([2, '', `ping: invalid -M argument: ${mode}\n`]);
    }
  });
});
