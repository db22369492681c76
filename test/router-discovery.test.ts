// A topology's `ra:` block end to end: the router's advertiser (radvd's settings) sends RAs, the
// host takes them (router discovery, SLAAC) — the same addresses, routes and neighbour entry inline
// and on worker threads, as Linux 6.18 showed them for radvd 2.19 with the same radvd.conf (the
// default route with its `mtu 1400 hoplimit 64` metrics).
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';
import { describe, expect, it } from 'vitest';

const text = `name: ra
nodes:
  r1:
    kind: router
    exec: [sysctl -w net.ipv6.conf.all.forwarding=1, ip link set eth0 up]
    ra:
      eth0:
        max-interval: 10s
        router-preference: high
        mtu: 1400
        prefixes:
          - prefix: 2001:db8:1::/64
          - prefix: 2001:db8:2::/64
            valid-lifetime: 7200s
            preferred-lifetime: 3600s
  h1:
    exec: [ip link set eth0 up]
links:
  - endpoints: [r1:eth0, h1:eth0]
`;

async function hostView(placement: 'inline' | 'packed'): Promise<string[]> {
  const emulator = await Emulator.load(parseTopology(text, 'ra.yaml'), { placement, ...(placement === 'inline' ? {} : { workers: 2 }) });
  try {
    await emulator.start();
    await emulator.advance(40e9);
    const out: string[] = [];
    for (const cmd of ['ip -6 addr show dev eth0 scope global', 'ip -6 route', 'ip -6 neigh', 'sysctl net.ipv6.conf.eth0.mtu net.ipv6.conf.eth0.hop_limit']) out.push((await emulator.exec('h1', cmd)).stdout);
    return out;
  } finally {
    await emulator.close();
  }
}

describe('ra: router advertisements', () => {
  it('give the host its SLAAC addresses, prefix routes and a default route through the router, inline and on worker threads alike', async () => {
    const inline = await hostView('inline');
    expect(inline[0]).toMatch(/inet6 2001:db8:2::ff:fe00:201\/64 scope global dynamic mngtmpaddr \n {7}valid_lft 71\d\dsec preferred_lft 35\d\dsec\n/);
    expect(inline[0]).toMatch(/inet6 2001:db8:1::ff:fe00:201\/64 scope global dynamic mngtmpaddr \n {7}valid_lft 863\d\dsec preferred_lft 143\d\dsec\n/);
    expect(inline[1]).toMatch(
      /^2001:db8:1::\/64 dev eth0 proto kernel metric 256 expires 863\d\dsec pref medium\n2001:db8:2::\/64 dev eth0 proto kernel metric 256 expires 71\d\dsec pref medium\nfe80::\/64 dev eth0 proto kernel metric 256 pref medium\ndefault via fe80::ff:fe00:101 dev eth0 proto ra metric 1024 expires \d+sec mtu 1400 hoplimit 64 pref high\n$/,
    );
    expect(inline[2]).toBe('fe80::ff:fe00:101 dev eth0 lladdr 02:00:00:00:01:01 router STALE \n');
    expect(inline[3]).toBe('net.ipv6.conf.eth0.mtu = 1400\nnet.ipv6.conf.eth0.hop_limit = 64\n');
    expect(await hostView('packed')).toEqual(inline);
  });
});
