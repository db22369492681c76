// Temporary addresses (RFC 8981) end to end: a host with use_tempaddr 2 takes a router's RAs and
// gets, beside each SLAAC address, a `temporary dynamic` one whose interface identifier comes from
// the node's seeded PRNG — the same addresses inline and on worker threads — and source selection
// picks it (packages/stack/src/kernel/temporary-addresses.test.ts checks the lifetimes, regeneration
// and the `ip -6 addr` text against Linux). LINUX_ADDRESSES is what Linux 6.18 showed 8 s after radvd
// 2.19 started advertising the same two prefixes to a host with use_tempaddr 2 (its MAC
// 02:00:00:00:00:01); `ip -6 route get 2001:db8:1::99` gave `src` its 2001:db8:1:0:… temporary.
import { Emulator } from '@netloom/runtime';
import { parseTopology } from '@netloom/topology';
import { describe, expect, it } from 'vitest';

const topology = (useTempaddr: number): string => `name: tempaddr
nodes:
  r1:
    kind: router
    exec: [sysctl -w net.ipv6.conf.all.forwarding=1, ip link set eth0 up]
    ra:
      eth0:
        max-interval: 10s
        prefixes:
          - prefix: 2001:db8:1::/64
          - prefix: 2001:db8:2::/64
            valid-lifetime: 7200s
            preferred-lifetime: 3600s
  h1:
    exec: [sysctl -w net.ipv6.conf.eth0.use_tempaddr=${useTempaddr}, ip link set eth0 up]
links:
  - endpoints: [r1:eth0, h1:eth0]
`;

async function hostView(useTempaddr: number, placement: 'inline' | 'packed'): Promise<string[]> {
  const emulator = await Emulator.load(parseTopology(topology(useTempaddr), 'tempaddr.yaml'), { placement, ...(placement === 'inline' ? {} : { workers: 2 }) });
  try {
    await emulator.start();
    await emulator.advance(40e9);
    const out: string[] = [];
    for (const cmd of ['ip -6 addr show dev eth0 scope global', 'ip -6 route get 2001:db8:1::99']) out.push((await emulator.exec('h1', cmd)).stdout);
    return out;
  } finally {
    await emulator.close();
  }
}

const LINUX_ADDRESSES =
  '    inet6 2001:db8:2:0:e809:3a5b:391a:c438/64 scope global temporary dynamic \n       valid_lft 7196sec preferred_lft 3596sec\n' +
  '    inet6 2001:db8:2::ff:fe00:1/64 scope global dynamic mngtmpaddr \n       valid_lft 7196sec preferred_lft 3596sec\n' +
  '    inet6 2001:db8:1:0:566b:8a6a:f545:2ac3/64 scope global temporary dynamic \n       valid_lft 86396sec preferred_lft 14396sec\n' +
  '    inet6 2001:db8:1::ff:fe00:1/64 scope global dynamic mngtmpaddr \n       valid_lft 86396sec preferred_lft 14396sec\n';

/** Random interface identifiers, the MAC's EUI-64 and the seconds left masked. */
function shape(text: string): string {
  return text
    .replace(/2001:db8:(\d):0:[0-9a-f:]+\/64 scope global temporary/g, '2001:db8:$1:0:IID/64 scope global temporary')
    .replace(/::ff:fe00:[0-9a-f]+\//g, '::EUI64/')
    .replace(/(\d)\d\d\dsec/g, '$1NNNsec');
}

const TEMPORARY = /inet6 (2001:db8:1:0:[0-9a-f:]+)\/64 scope global temporary dynamic \n {7}valid_lft 863\d\dsec preferred_lft 143\d\dsec\n/;

describe('temporary addresses (use_tempaddr)', () => {
  it('use_tempaddr 2: a temporary address per SLAAC prefix, preferred as the source, the same inline and on worker threads', async () => {
    const inline = await hostView(2, 'inline');
    const temporary = TEMPORARY.exec(inline[0]!)?.[1];
    expect(temporary).toBeDefined();
    expect(inline[0]).toMatch(/inet6 2001:db8:2:0:[0-9a-f:]+\/64 scope global temporary dynamic \n {7}valid_lft 71\d\dsec preferred_lft 35\d\dsec\n/);
    expect(inline[0]).toContain('inet6 2001:db8:1::ff:fe00:201/64 scope global dynamic mngtmpaddr \n');
    expect(inline[1]).toContain(` src ${temporary} `);
    expect(shape(inline[0]!.split('\n').slice(1).join('\n'))).toBe(shape(LINUX_ADDRESSES));
    expect(await hostView(2, 'packed')).toEqual(inline);
  });

  it('use_tempaddr 0 (the default): no temporary address, the SLAAC address is the source', async () => {
    const [addresses, route] = await hostView(0, 'inline');
    expect(addresses).not.toContain('temporary');
    expect(route).toContain(' src 2001:db8:1::ff:fe00:201 ');
  });
});
