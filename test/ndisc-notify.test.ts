// ndisc_notify on netloom nodes, against Linux 6.18 in namespaces (a with 2001:db8::1/64 nodad and
// net.ipv6.conf.eth0.ndisc_notify=1; tcpdump on its peer b): `ip link set eth0 address
// 02:00:00:00:00:aa` sends `2001:db8::1 > ff02::1: ICMP6, neighbor advertisement, tgt is 2001:db8::1`
// then the same for the link-local address, which keeps its old EUI-64; with ndisc_notify 0 nothing.
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';
import { describe, expect, it } from 'vitest';

const text = `name: notify
nodes:
  a:
    exec: [ip link set eth0 up, ip -6 addr add 2001:db8::1/64 dev eth0 nodad]
  b:
    exec: [ip link set eth0 up]
links:
  - endpoints: [a:eth0, b:eth0]
`;

describe('ndisc_notify (ndisc_netdev_event)', () => {
  it('a MAC change announces every usable address with an unsolicited NA when ndisc_notify is set, and nothing when it is not', async () => {
    const emulator = await Emulator.load(parseTopology(text, 'notify.yaml'), { placement: 'inline' });
    const sent: string[] = [];
    const off = emulator.onTrace((events) => {
      for (const e of events) if (e.kind === 'tx' && e.node === 'a') sent.push(e.summary);
    });
    try {
      await emulator.start();
      await emulator.advance(2e9);
      // Coming up, a probed for its link-local address (DAD) and solicited routers once, as Linux does.
      expect(sent).toEqual(['IP6 :: > ff02::1:ff00:101: ICMP6, neighbor solicitation, who has fe80::ff:fe00:101, length 32', 'IP6 fe80::ff:fe00:101 > ff02::2: ICMP6, router solicitation, length 16']);
      sent.length = 0;
      expect((await emulator.exec('a', 'ip link set eth0 address 02:00:00:00:00:bb')).status).toBe(0);
      await emulator.advance(1e9);
      expect(sent).toEqual([]);
      expect((await emulator.exec('a', 'sysctl -w net.ipv6.conf.eth0.ndisc_notify=1')).status).toBe(0);
      expect((await emulator.exec('a', 'ip link set eth0 address 02:00:00:00:00:aa')).status).toBe(0);
      await emulator.advance(1e9);
      expect(sent).toEqual([
        'IP6 2001:db8::1 > ff02::1: ICMP6, neighbor advertisement, tgt is 2001:db8::1, length 32',
        'IP6 fe80::ff:fe00:101 > ff02::1: ICMP6, neighbor advertisement, tgt is fe80::ff:fe00:101, length 32',
      ]);
      // b had no entries for them: an unsolicited NA creates none (accept_untracked_na 0), as on Linux.
      expect((await emulator.exec('b', 'ip -6 neigh show dev eth0')).stdout).toBe('');
    } finally {
      off();
      await emulator.close();
    }
  });
});
