/**
 * test/kernel/ndisc.py's steps on netloom's NDP (packages/stack/src/neigh/ndisc.ts and the IPv6
 * neighbour table), printing what the script prints from its first command on: h1 pings h2 once,
 * both neighbour tables at 1 s and 35 s, h2 drops 2001:db8::2, h1 pings it again at 36 s and its
 * entry walks STALE -> DELAY -> PROBE -> FAILED, h1's table at the end, then every NS and NA seen on
 * the link, in tcpdump's terms. Twice: `replayNdisc` over the fake of ndisc's interface to the IPv6
 * layer (@netloom/stack/testing/ndisc-link: real ICMPv6 bytes, output through the real nd_tbl; the
 * peer answers a ping as ping's peer would), `replayNdiscOnNodes` on two real nodes (the IPv6
 * layer sends the echo request, the shell runs sysctl, ip -6 addr and ip -6 neigh).
 */
import { formatIpv6, formatMac, isWireError, parseIcmpv6, type NdpRepr } from '@netloom/wire';
import { Lab, MS, SECOND } from '@netloom/stack/testing/lab';
import { runIpNeigh } from '@netloom/stack/neigh/ip-neigh-command';
import { NeighbourTable, DEFAULT_NEIGHBOUR_PARAMS } from '@netloom/stack/neigh/neighbour-table';
import { FakeNode, Link, ipv6, type Sent } from '@netloom/stack/testing/ndisc-link';
import { NS_PER_MS, NS_PER_S, Prng, TimerHeap } from '@netloom/stack/timers';
import type { DeviceLookup } from '@netloom/stack/neigh/ip-neigh-command';
import type { DeviceView } from '@netloom/stack/routing-api';

/** The one device both nodes have, as `ip neigh dev eth0` needs to find it. */
const ETH0: DeviceLookup = { device: (name: string) => (name === 'eth0' ? ({ name: 'eth0' } as DeviceView) : undefined) };

export function replayNdisc(): string {
  const out: string[] = [];
  const link = new Link();
  const h1 = new FakeNode(link, 'h1', new Uint8Array([2, 0, 0, 0, 1, 1]), 1);
  const h2 = new FakeNode(link, 'h2', new Uint8Array([2, 0, 0, 0, 2, 1]), 2);
  for (const node of [h1, h2]) node.sysctl.set('net.ipv6.neigh.eth0.base_reachable_time_ms', 12000);
  h1.addAddress('2001:db8::1');
  h1.addAddress('fe80::ff:fe00:101');
  h2.addAddress('2001:db8::2');
  h2.addAddress('fe80::ff:fe00:201');
  h2.echo = true;
  const noArp = new NeighbourTable<number>(new TimerHeap(), new Prng(0), { discard: () => {}, reachability: () => {}, params: () => DEFAULT_NEIGHBOUR_PARAMS });
  const tables = (label: string, nodes: FakeNode[]): void => {
    out.push(`## ${label}`);
    for (const node of nodes) {
      const shown = runIpNeigh(['show', 'dev', 'eth0'], { inet: noArp, inet6: node.table }, ETH0, link.now, { family: 6 });
      for (const line of shown.stdout.split('\n').filter((l) => l !== '').sort()) out.push(`${node.name}: ${line}`);
    }
  };
  const state = (): string => h1.table.lookup('eth0', ipv6('2001:db8::2'))?.state ?? 'none';

  h1.sendData(ipv6('2001:db8::1'), ipv6('2001:db8::2'), 104);
  link.run(100 * NS_PER_MS);
  out.push('$ h1: ping -6 -c 1 2001:db8::2', `${h1.delivered.length} received`);
  link.run(1 * NS_PER_S);
  tables('t=1s', [h1, h2]);
  link.run(35 * NS_PER_S);
  tables('t=35s', [h1, h2]);
  out.push('$ h2: ip -6 addr del 2001:db8::2/64 dev eth0');
  h2.removeAddress('2001:db8::2');
  link.run(36 * NS_PER_S);
  let last = state();
  out.push('## t=36s h1 pings 2001:db8::2 again', `h1: 2001:db8::2 ${last}`);
  h1.sendData(ipv6('2001:db8::1'), ipv6('2001:db8::2'), 104);
  for (let at = link.now; at < 52 * NS_PER_S && last !== 'FAILED'; at += 50 * NS_PER_MS) {
    link.run(at);
    if (state() !== last) {
      last = state();
      out.push(`h1: 2001:db8::2 ${last}`);
    }
  }
  tables('end', [h1]);
  out.push("## NS and NA on h1's eth0");
  for (const sent of link.sent) out.push(tcpdumpLine(sent));
  return `${out.join('\n')}\n`;
}

/** ndisc.py's reading of `tcpdump -e -vv`. */
function tcpdumpLine(sent: Sent): string {
  const m = sent.message;
  const option = m.options.find((o) => o.kind === 'sourceLinkLayerAddress' || o.kind === 'targetLinkLayerAddress');
  const lla = option !== undefined && 'address' in option ? ` ${option.kind === 'sourceLinkLayerAddress' ? 'sll' : 'tll'} ${formatMac(option.address)}` : '';
  const head = `${sent.source} > ${sent.destination} (${sent.linkSource} > ${sent.linkDestination}) hlim ${sent.hopLimit}`;
  if (m.kind === 'neighbourSolicitation') return `${head} NS who has ${formatIpv6(m.target)}${lla}`;
  if (m.kind === 'neighbourAdvertisement') {
    const flags = [m.router ? 'router' : '', m.solicited ? 'solicited' : '', m.override ? 'override' : ''].filter((f) => f !== '').join(', ');
    return `${head} NA tgt ${formatIpv6(m.target)} [${flags}]${lla}`;
  }
  return `${head} ${m.kind}`;
}

/** The same steps on two lab nodes: echo requests from h1's IPv6 layer, everything else through the shell. */
export function replayNdiscOnNodes(): string {
  const out: string[] = [];
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('h2');
  lab.link('h1:eth0', 'h2:eth0');
  for (const node of ['h1', 'h2']) {
    for (const line of ['sysctl -qw net.ipv6.conf.eth0.accept_dad=0', 'sysctl -qw net.ipv6.conf.eth0.router_solicitations=0', 'sysctl -qw net.ipv6.neigh.eth0.base_reachable_time_ms=12000']) {
      const r = lab.exec(node, line);
      if (r.status !== 0) throw new Error(`${node}: ${line}: ${r.stderr}`);
    }
  }
  lab.exec('h1', 'ip -6 addr add 2001:db8::1/64 dev eth0');
  lab.exec('h2', 'ip -6 addr add 2001:db8::2/64 dev eth0');
  lab.run(2 * SECOND);
  const t0 = lab.now;
  const since = lab.transmitted.length;
  const echo = (): void => {
    lab.node('h1').parts.ipv6.sendIcmpv6(ipv6('2001:db8::1'), ipv6('2001:db8::2'), 64, { kind: 'echoRequest', identifier: 1, sequence: 1, data: new Uint8Array(56) }, lab.now);
  };
  const tables = (label: string, nodes: string[]): void => {
    out.push(`## ${label}`);
    for (const node of nodes) {
      for (const line of lab.exec(node, 'ip -6 neigh show dev eth0').stdout.split('\n').filter((l) => l !== '').sort()) out.push(`${node}: ${line}`);
    }
  };
  const state = (): string => lab.exec('h1', 'ip -6 neigh show 2001:db8::2 dev eth0').stdout.trim().split(' ').pop() || 'none';
  echo();
  lab.run(100 * MS);
  const replies = lab.transmitted.slice(since).filter((f) => f.node === 'h2' && f.frame[14 + 6] === 58 && f.frame[14 + 40] === 129).length;
  out.push('$ h1: ping -6 -c 1 2001:db8::2', `${replies} received`);
  lab.runUntil(t0 + 1 * SECOND);
  tables('t=1s', ['h1', 'h2']);
  lab.runUntil(t0 + 35 * SECOND);
  tables('t=35s', ['h1', 'h2']);
  out.push('$ h2: ip -6 addr del 2001:db8::2/64 dev eth0');
  lab.exec('h2', 'ip -6 addr del 2001:db8::2/64 dev eth0');
  lab.runUntil(t0 + 36 * SECOND);
  let last = state();
  out.push('## t=36s h1 pings 2001:db8::2 again', `h1: 2001:db8::2 ${last}`);
  echo();
  for (let at = lab.now; at < t0 + 52 * SECOND && last !== 'FAILED'; at += 50 * MS) {
    lab.runUntil(at);
    if (state() !== last) {
      last = state();
      out.push(`h1: 2001:db8::2 ${last}`);
    }
  }
  tables('end', ['h1']);
  out.push("## NS and NA on h1's eth0");
  for (const captured of lab.transmitted.slice(since)) {
    const sent = ndpOf(captured.frame);
    if (sent !== null) out.push(tcpdumpLine(sent));
  }
  return `${out.join('\n')}\n`;
}

/** An Ethernet frame's NS or NA as tcpdump's filter `icmp6 and (ip6[40] == 135 or ip6[40] == 136)` sees it. */
function ndpOf(frame: Uint8Array): Sent | null {
  if (((frame[12]! << 8) | frame[13]!) !== 0x86dd || frame[14 + 6] !== 58) return null;
  const type = frame[14 + 40];
  if (type !== 135 && type !== 136) return null;
  const source = frame.subarray(14 + 8, 14 + 24);
  const destination = frame.subarray(14 + 24, 14 + 40);
  const message = parseIcmpv6(frame.subarray(14 + 40), { source, destination });
  if (isWireError(message)) throw new Error(`netloom sent a bad NDP message: ${message.error}`);
  return {
    at: 0,
    from: '',
    linkSource: formatMac(frame, 6),
    linkDestination: formatMac(frame, 0),
    source: formatIpv6(source),
    destination: formatIpv6(destination),
    hopLimit: frame[14 + 7]!,
    message: message as NdpRepr,
  };
}
