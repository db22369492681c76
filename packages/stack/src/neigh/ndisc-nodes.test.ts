/**
 * Proxy NDP between two real nodes (the IPv6 layer, nd_tbl and ndisc wired by node.ts): a router
 * with forwarding and proxy_ndp on and `ip -6 neigh add proxy 2001:db8::99 dev eth0` answers a
 * host's NS for the proxied address with its own MAC, after a random share of proxy_delay, and then
 * looks for the address itself when it forwards the host's packet. The expected exchange is what
 * Linux 6.18 did in two namespaces with the same addresses (tcpdump -e -vv on the host's side):
 *   2001:db8::1 > ff02::1:ff00:99 NS who has 2001:db8::99, sll 02:00:00:00:01:01
 *   2001:db8::2 > 2001:db8::1 NA tgt 2001:db8::99 [solicited], tll 02:00:00:00:02:01   (0.61 s later)
 *   fe80::ff:fe00:201 > ff02::1:ff00:99 NS who has 2001:db8::99, sll 02:00:00:00:02:01   (3 times, 1 s apart)
 * and `ip -6 neigh` on the host: 2001:db8::99 dev eth0 lladdr 02:00:00:00:02:01 REACHABLE.
 */
import { expect, test } from 'vitest';
import { formatIpv6, formatMac, isWireError, parseIcmpv6, parseIpv6Number } from '@netloom/wire';
import { Lab, MS, SECOND } from '../testing/lab.js';

/** An NS or NA in a frame, as a line; null for anything else. */
function ndp(frame: Uint8Array): string | null {
  if (((frame[12]! << 8) | frame[13]!) !== 0x86dd || frame[14 + 6] !== 58) return null;
  const source = frame.subarray(14 + 8, 14 + 24);
  const destination = frame.subarray(14 + 24, 14 + 40);
  const message = parseIcmpv6(frame.subarray(14 + 40), { source, destination });
  if (isWireError(message)) throw new Error(`a bad ICMPv6 message on the wire: ${message.error}`);
  if (message.kind !== 'neighbourSolicitation' && message.kind !== 'neighbourAdvertisement') return null;
  const lla = message.options.map((o) => (o.kind === 'sourceLinkLayerAddress' ? `, sll ${formatMac(o.address)}` : o.kind === 'targetLinkLayerAddress' ? `, tll ${formatMac(o.address)}` : '')).join('');
  const head = `${formatIpv6(source)} > ${formatIpv6(destination)}`;
  if (message.kind === 'neighbourSolicitation') return `${head} NS who has ${formatIpv6(message.target)}${lla}`;
  const flags = [message.router ? 'router' : '', message.solicited ? 'solicited' : '', message.override ? 'override' : ''].filter((f) => f !== '').join(', ');
  return `${head} NA tgt ${formatIpv6(message.target)} [${flags}]${lla}`;
}

function proxyLab(proxyNdp: number): Lab {
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('r1');
  lab.link('h1:eth0', 'r1:eth0');
  for (const node of ['h1', 'r1']) for (const line of ['sysctl -qw net.ipv6.conf.eth0.accept_dad=0', 'sysctl -qw net.ipv6.conf.eth0.router_solicitations=0']) expect(lab.exec(node, line).status).toBe(0);
  lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0');
  lab.exec('r1', 'ip -6 addr add 2001:db8::2/64 dev eth0');
  expect(lab.exec('r1', `sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.proxy_ndp=${proxyNdp}`).status).toBe(0);
  expect(lab.exec('r1', 'ip -6 neigh add proxy 2001:db8::99 dev eth0').status).toBe(0);
  lab.run(2 * SECOND);
  return lab;
}

function echoTo(lab: Lab, target: string): void {
  lab.node('h1').parts.ipv6.sendIcmpv6(parseIpv6Number('2001:db8::1')!, parseIpv6Number(target)!, 64, { kind: 'echoRequest', identifier: 1, sequence: 1, data: new Uint8Array(56) }, lab.now);
}

test('a router with proxy_ndp answers for a proxied address with its own MAC, then resolves the address for the packet it forwards', () => {
  const lab = proxyLab(1);
  const since = lab.transmitted.length;
  const start = lab.now;
  echoTo(lab, '2001:db8::99');
  lab.run(3500 * MS);
  const exchange = lab.transmitted.slice(since).flatMap((f) => {
    const line = ndp(f.frame);
    return line === null ? [] : [{ at: f.at - start, line }];
  });
  expect(exchange.map((e) => e.line)).toEqual([
    '2001:db8::1 > ff02::1:ff00:99 NS who has 2001:db8::99, sll 02:00:00:00:01:01',
    '2001:db8::2 > 2001:db8::1 NA tgt 2001:db8::99 [solicited], tll 02:00:00:00:02:01',
    'fe80::ff:fe00:201 > ff02::1:ff00:99 NS who has 2001:db8::99, sll 02:00:00:00:02:01',
    'fe80::ff:fe00:201 > ff02::1:ff00:99 NS who has 2001:db8::99, sll 02:00:00:00:02:01',
    'fe80::ff:fe00:201 > ff02::1:ff00:99 NS who has 2001:db8::99, sll 02:00:00:00:02:01',
  ]);
  // The answer waits a random share of proxy_delay (0.8 s), past the 1 ms link.
  expect(exchange[1]!.at).toBeGreaterThan(exchange[0]!.at + 1 * MS);
  expect(exchange[1]!.at).toBeLessThan(exchange[0]!.at + 802 * MS);
  expect(lab.exec('h1', 'ip -6 neigh show 2001:db8::99').stdout).toBe('2001:db8::99 dev eth0 lladdr 02:00:00:00:02:01 REACHABLE \n');
});

test('without proxy_ndp the proxy entry is listed but not answered for', () => {
  const lab = proxyLab(0);
  expect(lab.exec('r1', 'ip -6 neigh show proxy').stdout).toBe('2001:db8::99 dev eth0 proxy \n');
  const since = lab.transmitted.length;
  echoTo(lab, '2001:db8::99');
  lab.run(3500 * MS);
  expect(lab.transmitted.slice(since).filter((f) => f.node === 'r1' && ndp(f.frame)?.includes(' NA ') === true)).toEqual([]);
  expect(lab.exec('h1', 'ip -6 neigh show 2001:db8::99').stdout).toBe('2001:db8::99 dev eth0 FAILED \n');
});
