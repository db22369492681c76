/**
 * Mobile IPv6 with two care-of addresses on real nodes (testing/mcoa-lab.ts): the registrations,
 * the tunnel, an interface losing its carrier, retransmission and refresh, and seed 001's failure,
 * which appears with each of its three causes (the compatibility settings) and not by default.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIpv6Packet, formatIpv6Number, IpProtocol, ipv6FromBytes, ipv6ToBytes, parseIpv6Number } from '@netloom/wire';
import { readMobilityPacket, type ReceivedMobilityMessage } from './mobility-packets.js';
import { CARE_OF_A, CARE_OF_B, HOME_ADDRESS, HOME_AGENT, HOME_AGENT_CONF, mcoaLab, MOBILE_NODE_CONF, MS, repliesOf, SECOND, startMip6, statistic } from './testing/mcoa-lab.js';
import type { Lab } from '@netloom/stack/testing/lab';

/** The Mobility Header messages `node` sent on `ifname` since `since` (checksum verified: a wrong one is left out). */
function mobilitySent(lab: Lab, node: string, ifname: string, since = 0): (ReceivedMobilityMessage & { at: number })[] {
  const messages: (ReceivedMobilityMessage & { at: number })[] = [];
  for (const frame of lab.sent(node, ifname, since)) {
    if (frame.frame[12] !== 0x86 || frame.frame[13] !== 0xdd) continue;
    const received = readMobilityPacket(frame.frame.subarray(14));
    if ('error' in received) continue;
    messages.push({ ...received, at: frame.at });
  }
  return messages;
}

const address = (text: string): bigint => parseIpv6Number(text) as bigint;

function bindingIdsOf(message: ReceivedMobilityMessage): number[] {
  return message.message.options.flatMap((o) => (o.kind === 'bindingIdentifier' ? [o.bindingId] : []));
}

/** The (BID, CoA) pairs `mip6d bc` shows on the home agent. */
function bindingCache(lab: Lab): [number, string][] {
  const text = lab.exec('ha', 'mip6d bc').stdout;
  return [...text.matchAll(/bid (\d+) .*\n coa (\S+)/g)].map((m) => [Number(m[1]), m[2] ?? '']);
}

describe('Mobile IPv6 with multiple care-of addresses', () => {
  it('sends each BU out of its CoA\'s interface, from that CoA, with the home address option and a checksum over the home address', () => {
    const { lab } = mcoaLab();
    startMip6(lab);
    const onA = mobilitySent(lab, 'mn', 'eth0').filter((m) => m.message.message.kind === 'bindingUpdate');
    const onB = mobilitySent(lab, 'mn', 'eth1').filter((m) => m.message.message.kind === 'bindingUpdate');
    expect(onA.map((m) => [formatIpv6Number(m.source), m.homeAddress && formatIpv6Number(m.homeAddress), bindingIdsOf(m)])).toEqual([[CARE_OF_A, HOME_ADDRESS, [1]]]);
    expect(onB.map((m) => [formatIpv6Number(m.source), m.homeAddress && formatIpv6Number(m.homeAddress), bindingIdsOf(m)])).toEqual([[CARE_OF_B, HOME_ADDRESS, [2]]]);
    expect(bindingCache(lab)).toEqual([
      [1, CARE_OF_A],
      [2, CARE_OF_B],
    ]);
    expect(lab.exec('mn', 'mip6d bul').stdout).toMatch(/bid 1 pri 1 dev eth0 status registered\n coa 2001:db8:a::100[^]*bid 2 pri 2 dev eth1 status registered\n coa 2001:db8:b::100/);
    // The BA came back through a type 2 routing header to each CoA.
    const acks = mobilitySent(lab, 'ha', 'eth1').filter((m) => m.message.message.kind === 'bindingAcknowledgement');
    expect(acks.map((m) => [formatIpv6Number(m.destination), m.routedHomeAddress && formatIpv6Number(m.routedHomeAddress)])).toEqual([
      [CARE_OF_A, HOME_ADDRESS],
      [CARE_OF_B, HOME_ADDRESS],
    ]);
    // The home agent answers neighbour solicitations for the home address on the home link.
    expect(lab.exec('ha', 'ip -6 neigh show proxy').stdout).toContain(`${HOME_ADDRESS} dev eth0 proxy`);
    // The ip6_tunnel module's devices: the fallback ip6tnl0 (down) and ip6tnl1 with the home address.
    expect(lab.exec('mn', 'ip link show ip6tnl0').stdout).toMatch(/ip6tnl0: <NOARP> mtu 1452 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link\/tunnel6 :: brd ::\n/);
    expect(lab.exec('mn', 'ip -6 addr show dev ip6tnl1').stdout).toContain(`inet6 ${HOME_ADDRESS}/64 scope global nodad home noprefixroute`);
  });

  it('tunnels the correspondent\'s packets for the home address to the preferred CoA and reverse-tunnels the replies', () => {
    const { lab } = mcoaLab();
    startMip6(lab);
    const since = lab.now;
    const ping = lab.exec('cn', `pinger6 ${HOME_ADDRESS} 3 1000`, 20 * SECOND);
    expect(repliesOf(ping.stdout)).toEqual([1, 2, 3]);
    // In on eth0 (CoA A, BID-PRI 1) inside IPv6-in-IPv6 from the HA; out through the tunnel as well.
    const tunnelledIn = lab.sent('va', 'eth0', since).filter((f) => f.frame[20] === 41);
    expect(tunnelledIn.length).toBe(3);
    expect(formatIpv6Number(ipv6FromBytes(tunnelledIn[0]!.frame.subarray(22, 38)))).toBe(HOME_AGENT);
    expect(lab.sent('mn', 'eth0', since).filter((f) => f.frame[20] === 41).length).toBe(3);
    expect(statistic(lab, 'ha', 'Packets tunnelled')).toBe(3);
    expect(statistic(lab, 'ha', 'Packets decapsulated')).toBe(3);
  });

  it('answers neighbour solicitations for the home address on the home link, so a home-link host reaches the mobile node', () => {
    const { lab } = mcoaLab();
    startMip6(lab);
    const ping = lab.exec('hh', `pinger6 ${HOME_ADDRESS} 3 1000`, 20 * SECOND);
    expect(repliesOf(ping.stdout)).toEqual([1, 2, 3]);
    // The home agent's proxy advertisement: hh's neighbour entry for the home address has ha's MAC.
    const haMac = lab.exec('ha', 'ip link show eth0').stdout.match(/link\/ether (\S+)/)?.[1];
    expect(lab.exec('hh', 'ip -6 neigh show').stdout).toMatch(new RegExp(`^${HOME_ADDRESS.replace(/\./g, '\\.')} dev eth0 lladdr ${haMac} (REACHABLE|STALE|DELAY)`, 'm'));
    expect(statistic(lab, 'ha', 'Packets tunnelled')).toBe(3);
  });

  it('keeps CN traffic arriving while eth0 has no carrier: BID 1 is deregistered through eth1, and registered again when it returns', () => {
    const { lab, segmentA } = mcoaLab();
    startMip6(lab);
    lab.setLink(segmentA, false);
    lab.run(500 * MS);
    expect(bindingCache(lab)).toEqual([[2, CARE_OF_B]]);
    const dereg = mobilitySent(lab, 'mn', 'eth1').find((m) => m.message.message.kind === 'bindingUpdate' && m.message.message.lifetime === 0);
    expect(dereg && [formatIpv6Number(dereg.source), bindingIdsOf(dereg)]).toEqual([CARE_OF_B, [1]]);
    // 40 s without eth0: BID 2 is refreshed (16 s bindings) and every ping is answered through CoA B.
    const ping = lab.exec('cn', `pinger6 ${HOME_ADDRESS} 40 1000`, 60 * SECOND);
    expect(repliesOf(ping.stdout)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    lab.setLink(segmentA, true);
    lab.run(500 * MS);
    expect(bindingCache(lab)).toEqual([
      [1, CARE_OF_A],
      [2, CARE_OF_B],
    ]);
    expect(lab.exec('ha', 'mip6d bc').stdout).toMatch(/bid 1 pri 1 status registered tunnel/);
  });

  it('drops malformed or wrongly checksummed Mobility Headers sent to the home agent with a reason, and goes on', () => {
    const { lab } = mcoaLab();
    startMip6(lab);
    const mn = lab.node('mn');
    // Random bytes, and random messages whose Header Len fits (they reach the checksum).
    const raw = fc.uint8Array({ minLength: 0, maxLength: 64 });
    const whole = fc.integer({ min: 1, max: 8 }).chain((units) => fc.uint8Array({ minLength: units * 8, maxLength: units * 8 }).map((b) => b.fill(units - 1, 1, 2)));
    const payloads = fc.sample(fc.oneof(raw, whole), { seed: 135, numRuns: 200 });
    for (const payload of payloads) {
      const packet = buildIpv6Packet({ source: ipv6ToBytes(address(CARE_OF_A)), destination: ipv6ToBytes(address(HOME_AGENT)), nextHeader: IpProtocol.mobility }, payload);
      mn.parts.ipv6.sendLocal(packet, address(CARE_OF_A), address(HOME_AGENT), 'eth0', lab.now);
      lab.run(10 * MS);
    }
    const reasons = new Set(lab.drops('ha').flatMap((d) => (d.event.type === 'drop' && d.event.detail?.startsWith('mobility header') === true ? [d.event.reason] : [])));
    expect([...reasons].sort()).toEqual(['badChecksum', 'malformed']);
    // The bindings are untouched, and the next refresh is still accepted.
    lab.run(15 * SECOND);
    expect(bindingCache(lab)).toEqual([
      [1, CARE_OF_A],
      [2, CARE_OF_B],
    ]);
  });

  it('retransmits an unanswered BU after 1 s, doubling the wait up to 32 s', () => {
    const { lab } = mcoaLab();
    lab.run(2 * SECOND);
    const start = lab.now;
    lab.exec('mn', 'mip6d');
    lab.run(200 * SECOND);
    const times = mobilitySent(lab, 'mn', 'eth0').map((m) => Math.round((m.at - start) / MS) / 1000);
    // Sent at 0 (out after the 2 ms of neighbour resolution), then again 1, 2, 4, 8, 16, 32, 32, 32 s
    // after the first; a home agent without mip6 answers each with a parameter problem (next header).
    expect(times).toEqual([0.002, 1, 3, 7, 15, 31, 63, 95, 127, 159, 191]);
    const sequences = mobilitySent(lab, 'mn', 'eth0').map((m) => (m.message.message.kind === 'bindingUpdate' ? m.message.message.sequence : -1));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(lab.exec('mn', 'mip6d bul').stdout).toMatch(/bid 1 .*status registering\n.*\n lifetime 0 \/ 16 seq \d+ resend 10 delay 32s/);
  });

  it('refreshes each binding before it expires: the home agent never loses it', () => {
    const { lab } = mcoaLab();
    startMip6(lab);
    lab.run(100 * SECOND);
    expect(bindingCache(lab)).toEqual([
      [1, CARE_OF_A],
      [2, CARE_OF_B],
    ]);
    expect(statistic(lab, 'ha', 'Bindings expired')).toBe(0);
    // 16 s bindings refreshed at three quarters: 12 s apart.
    const times = mobilitySent(lab, 'mn', 'eth0').map((m) => m.at);
    expect(times.length).toBeGreaterThanOrEqual(8);
    expect(times[2]! - times[1]!).toBe(12 * SECOND);
  });

  it('is refused with status 166 by a home agent with MCoA off, and registers one binding without a BID when the MN has MCoA off', () => {
    const off = mcoaLab({}, HOME_AGENT_CONF.replace('UseMCoA enabled;', 'UseMCoA disabled;'));
    startMip6(off.lab);
    expect(off.lab.exec('mn', 'mip6d bul').stdout).toMatch(/bid 1 pri 1 dev eth0 status refused 166/);
    expect(bindingCache(off.lab)).toEqual([]);
    const single = mcoaLab({}, HOME_AGENT_CONF, MOBILE_NODE_CONF.replace('UseMCoA enabled;', 'UseMCoA disabled;'));
    startMip6(single.lab);
    expect(bindingCache(single.lab)).toEqual([[0, CARE_OF_A]]);
    // eth0 lost: the one binding moves to eth1's CoA.
    single.lab.setLink(single.segmentA, false);
    single.lab.run(500 * MS);
    expect(bindingCache(single.lab)).toEqual([[0, CARE_OF_B]]);
  });
});

describe("seed 001: the other CoA's registration is lost while the first interface is down", () => {
  /** eth0 loses its carrier for 40 s; the CN pings the home address every second meanwhile. */
  function flap(lab: Lab, segmentA: number): { replies: number[]; cacheDuring: [number, string][] } {
    lab.setLink(segmentA, false);
    const ping = lab.exec('cn', `pinger6 ${HOME_ADDRESS} 35 1000`, 0);
    lab.run(38 * SECOND);
    const cacheDuring = bindingCache(lab);
    lab.runUntil(lab.now + 10 * SECOND, () => ping.status !== null);
    return { replies: repliesOf(ping.stdout), cacheDuring };
  }

  it('does not happen by default', () => {
    const { lab, segmentA } = mcoaLab();
    startMip6(lab);
    const { replies, cacheDuring } = flap(lab, segmentA);
    expect(cacheDuring).toEqual([[2, CARE_OF_B]]);
    expect(replies.length).toBe(35);
  });

  it('mip6-bu-first-default-route: the BUs for CoA B leave by eth0 (no carrier), its binding expires and traffic stops', () => {
    const { lab, segmentA } = mcoaLab({ 'mip6-bu-first-default-route': true });
    startMip6(lab);
    // While eth0 is up, the BU for BID 2 leaves by eth0 too (from CoA B) and still gets through.
    const onA = mobilitySent(lab, 'mn', 'eth0').filter((m) => m.message.message.kind === 'bindingUpdate');
    expect(onA.map((m) => [formatIpv6Number(m.source), bindingIdsOf(m)])).toEqual([
      [CARE_OF_A, [1]],
      [CARE_OF_B, [2]],
    ]);
    expect(mobilitySent(lab, 'mn', 'eth1').length).toBe(0);
    const { replies, cacheDuring } = flap(lab, segmentA);
    // BID 2's refreshes (and BID 1's deregistration) went out of eth0 and were lost: BID 2 expired,
    // BID 1 too (its interface is down), and the home agent tunnelled to CoA A until then.
    expect(cacheDuring).toEqual([]);
    expect(statistic(lab, 'ha', 'Bindings expired')).toBe(2);
    expect(replies.length).toBeLessThan(20);
    expect(lab.drops('mn').filter((d) => d.event.type === 'drop' && d.event.reason === 'interfaceDown').length).toBeGreaterThan(0);
  });

  it('mip6-checksum-over-coa: the home agent drops every BU for its checksum and no binding is made', () => {
    const { lab } = mcoaLab({ 'mip6-checksum-over-coa': true });
    startMip6(lab);
    expect(bindingCache(lab)).toEqual([]);
    expect(statistic(lab, 'ha', 'Mobility Header checksum errors')).toBe(2);
    expect(lab.drops('ha').filter((d) => d.event.type === 'drop' && d.event.reason === 'badChecksum').length).toBe(2);
    // The BU is right in every other way: source the CoA, HAO the home address.
    const bu = lab.sent('mn', 'eth1')[lab.sent('mn', 'eth1').length - 1]!.frame.subarray(14);
    expect(readMobilityPacket(bu)).toEqual({ error: 'badChecksum' });
    expect(formatIpv6Number(ipv6FromBytes(bu.subarray(8, 24)))).toBe(CARE_OF_B);
  });

  it('all three settings together: both BUs leave by eth0 from CoA A with the checksum over it, and the home agent drops both', () => {
    const { lab } = mcoaLab({ 'mip6-bu-first-default-route': true, 'mip6-checksum-over-coa': true, 'mip6-hao-swaps-source': true });
    startMip6(lab);
    const sources = lab.sent('mn', 'eth0').filter((f) => f.frame[20] === 60).map((f) => formatIpv6Number(ipv6FromBytes(f.frame.subarray(22, 38))));
    expect(sources.slice(0, 2)).toEqual([CARE_OF_A, CARE_OF_A]);
    expect(lab.sent('mn', 'eth1').filter((f) => f.frame[20] === 60)).toEqual([]);
    expect(bindingCache(lab)).toEqual([]);
    expect(statistic(lab, 'ha', 'Mobility Header checksum errors')).toBe(2);
  });

  it('mip6-hao-swaps-source: the BU for BID 2 carries CoA A as source, the home agent binds both BIDs to CoA A, and traffic stops with eth0', () => {
    const { lab, segmentA } = mcoaLab({ 'mip6-hao-swaps-source': true });
    startMip6(lab);
    const onB = mobilitySent(lab, 'mn', 'eth1').filter((m) => m.message.message.kind === 'bindingUpdate');
    expect(onB.map((m) => [formatIpv6Number(m.source), bindingIdsOf(m)])).toEqual([[CARE_OF_A, [2]]]);
    expect(bindingCache(lab)).toEqual([
      [1, CARE_OF_A],
      [2, CARE_OF_A],
    ]);
    const { replies } = flap(lab, segmentA);
    expect(replies.length).toBeLessThan(20);
  });
});
