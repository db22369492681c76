/**
 * Route optimisation on real nodes (the MCoA lab of testing/mcoa-lab.ts with mip6d on the
 * correspondent too): return routability triggered by the correspondent's traffic through the home
 * agent, the correspondent registration with Binding Authorization Data, the direct path both ways
 * (a type 2 routing header from the correspondent, the Home Address option from the mobile node),
 * the fall-back to the home agent when return routability fails, a forged BU refused, and a new
 * care-of address tested again.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv6Number, isWireError, parseIpv6Packet, walkIpv6ExtensionHeaders, type Ipv6ExtensionHeader } from '@netloom/wire';
import type { Lab } from '@netloom/stack/testing/lab';
import { buildCorrespondentBindingUpdate, readMobilityPacket, sendFromCareOf } from './mobility-packets.js';
import { mip6Of, registerMip6 } from './mip6.js';
import { authenticatorOf } from './return-routability.js';
import { CARE_OF_A, CARE_OF_B, CORRESPONDENT, HOME_ADDRESS, HOME_AGENT_CONF, mcoaLab, MOBILE_NODE_CONF, MS, repliesOf, SECOND, startMip6, statistic, writeFile } from './testing/mcoa-lab.js';
import { buildUdpIpv6Packet, ipv6ToBytes, parseIpv6Number } from '@netloom/wire';

const address = (text: string): bigint => parseIpv6Number(text) as bigint;
const ROUTE_OPTIMISING_MN = MOBILE_NODE_CONF.replace('UseMCoA enabled;', 'UseMCoA enabled;\nDoRouteOptimizationMN enabled;');

/** The lab with route optimisation on the mobile node and, unless `correspondent` is false, mip6d as a CN on cn. */
function roLab(correspondent = true): ReturnType<typeof mcoaLab> {
  const built = mcoaLab({}, HOME_AGENT_CONF, ROUTE_OPTIMISING_MN);
  startMip6(built.lab);
  registerMip6(built.lab.node('cn'));
  if (correspondent) {
    writeFile(built.lab, 'cn', '/etc/mip6d.conf', 'NodeConfig CN;\nDoRouteOptimizationCN enabled;\n');
    expect(built.lab.exec('cn', 'mip6d').status).toBe(0);
  }
  return built;
}

/** What a frame carries, read as a network engineer would: "2001:db8:ff::9 > 2001:db8:a::100 RH2(2001:db8:1::100) icmp6", tunnels as "tunnel[…]". */
function describePacket(packet: Uint8Array): string {
  const ip = parseIpv6Packet(packet);
  if (isWireError(ip)) return 'malformed';
  const chain = walkIpv6ExtensionHeaders(ip.nextHeader, ip.payload);
  if (isWireError(chain)) return 'malformed';
  const headers = chain.headers.map(describeHeader).filter((h) => h !== '');
  const upper = ip.payload.subarray(chain.upperLayerOffset);
  let what = `proto ${chain.upperLayerProtocol}`;
  if (chain.upperLayerProtocol === 41) what = `tunnel[${describePacket(upper)}]`;
  else if (chain.upperLayerProtocol === 58) what = 'icmp6';
  else if (chain.upperLayerProtocol === 135) {
    const mh = readMobilityPacket(packet);
    what = isWireError(mh) ? `MH ${mh.error}` : `MH ${mh.message.message.kind}`;
  }
  return [`${formatIpv6Number(BigInt(`0x${Buffer.from(ip.source).toString('hex')}`))} > ${formatIpv6Number(BigInt(`0x${Buffer.from(ip.destination).toString('hex')}`))}`, ...headers, what].join(' ');
}

function describeHeader(header: Ipv6ExtensionHeader): string {
  if (header.kind === 'routingType2') return `RH2(${formatIpv6Number(BigInt(`0x${Buffer.from(header.homeAddress).toString('hex')}`))})`;
  if (header.kind === 'destinationOptions') {
    const hao = header.options.find((o) => o.kind === 'homeAddress');
    return hao?.kind === 'homeAddress' ? `HAO(${formatIpv6Number(BigInt(`0x${Buffer.from(hao.address).toString('hex')}`))})` : 'dstopts';
  }
  return header.kind;
}

/** The IPv6 packets `node` sent on `ifname` since `since`, described. */
function sentPackets(lab: Lab, node: string, ifname: string, since = 0): string[] {
  return lab
    .sent(node, ifname, since)
    .filter((f) => f.frame[12] === 0x86 && f.frame[13] === 0xdd && f.frame[20] !== 58)
    .map((f) => describePacket(f.frame.subarray(14)));
}

function icmpSent(lab: Lab, node: string, ifname: string, since: number): string[] {
  return lab
    .sent(node, ifname, since)
    .filter((f) => f.frame[12] === 0x86 && f.frame[13] === 0xdd)
    .map((f) => describePacket(f.frame.subarray(14)))
    .filter((d) => (d.endsWith('icmp6') || d.endsWith('icmp6]')) && !d.includes('fe80:') && !d.includes('ff02:'));
}

describe('Mobile IPv6 route optimisation', () => {
  it('runs return routability when the correspondent\'s traffic arrives through the home agent: HoTI via the tunnel, CoTI direct, then an authorised BU and BA', () => {
    const { lab } = roLab();
    const since = lab.now;
    lab.exec('cn', `pinger6 ${HOME_ADDRESS} 1 1000`, 10 * SECOND);
    const fromMn = sentPackets(lab, 'mn', 'eth0', since).filter((d) => d.includes('MH'));
    expect(fromMn).toEqual([
      `${CARE_OF_A} > 2001:db8:1::1 tunnel[${HOME_ADDRESS} > ${CORRESPONDENT} MH homeTestInit]`,
      `${CARE_OF_A} > ${CORRESPONDENT} MH careOfTestInit`,
      `${CARE_OF_A} > ${CORRESPONDENT} HAO(${HOME_ADDRESS}) MH bindingUpdate`,
    ]);
    const fromCn = sentPackets(lab, 'cn', 'eth0', since).filter((d) => d.includes('MH'));
    expect(fromCn).toEqual([
      `${CORRESPONDENT} > ${HOME_ADDRESS} MH homeTest`,
      `${CORRESPONDENT} > ${CARE_OF_A} MH careOfTest`,
      `${CORRESPONDENT} > ${CARE_OF_A} RH2(${HOME_ADDRESS}) MH bindingAcknowledgement`,
    ]);
    // The BU carried the nonce indices the HoT and CoT gave, and Binding Authorization Data last.
    const bu = lab.sent('mn', 'eth0', since).map((f) => readMobilityPacket(f.frame.subarray(14))).find((m) => !isWireError(m) && m.message.message.kind === 'bindingUpdate');
    expect(bu !== undefined && !isWireError(bu) ? bu.message.options.filter((o) => o.kind !== 'padN' && o.kind !== 'pad1').map((o) => o.kind) : []).toEqual(['nonceIndices', 'bindingAuthorizationData']);
    expect(lab.exec('cn', 'mip6d bc').stdout).toMatch(new RegExp(`^hoa ${HOME_ADDRESS} status registered\\n coa ${CARE_OF_A} flags A---\\n lifetime \\d+ / 420 seq 1\\n$`));
    expect(lab.exec('mn', 'mip6d bul').stdout).toMatch(new RegExp(`hoa ${HOME_ADDRESS} cn ${CORRESPONDENT} dev eth0 status registered\n coa ${CARE_OF_A} flags A---\n lifetime 41\\d / 420 seq 1\n$`));
    expect(statistic(lab, 'cn', 'Home Tests sent')).toBe(1);
    expect(statistic(lab, 'mn', 'Care-of Tests received')).toBe(1);
  });

  it('sends the correspondent\'s packets to the CoA with a type 2 routing header and the replies from the CoA with the Home Address option, past the home agent', () => {
    const { lab } = roLab();
    lab.exec('cn', `pinger6 ${HOME_ADDRESS} 1 1000`, 10 * SECOND);
    const since = lab.now;
    const tunnelledBefore = statistic(lab, 'ha', 'Packets tunnelled');
    const ping = lab.exec('cn', `pinger6 ${HOME_ADDRESS} 3 1000`, 20 * SECOND);
    expect(repliesOf(ping.stdout)).toEqual([1, 2, 3]);
    expect(icmpSent(lab, 'cn', 'eth0', since)).toEqual(Array(3).fill(`${CORRESPONDENT} > ${CARE_OF_A} RH2(${HOME_ADDRESS}) icmp6`));
    expect(icmpSent(lab, 'mn', 'eth0', since)).toEqual(Array(3).fill(`${CARE_OF_A} > ${CORRESPONDENT} HAO(${HOME_ADDRESS}) icmp6`));
    expect(statistic(lab, 'ha', 'Packets tunnelled')).toBe(tunnelledBefore);
    expect(statistic(lab, 'cn', 'Packets route optimised')).toBe(3);
    expect(statistic(lab, 'mn', 'Packets route optimised')).toBe(3);
  });

  it('falls back to the home agent\'s path when the correspondent does not answer return routability', () => {
    const { lab } = roLab(false);
    const ping = lab.exec('cn', `pinger6 ${HOME_ADDRESS} 12 1000`, 30 * SECOND);
    expect(repliesOf(ping.stdout)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Three tries (after 1, 2 and 4 s), then failed; every echo went through the tunnel both ways.
    expect(statistic(lab, 'mn', 'Home Test Inits sent')).toBe(3);
    expect(lab.exec('mn', 'mip6d bul').stdout).toContain(`cn ${CORRESPONDENT} dev eth0 status failed\n`);
    // 12 echo requests, and the 3 parameter problems cn (no Mobile IPv6: next header 135 unknown) sent the HoTIs.
    expect(statistic(lab, 'ha', 'Packets tunnelled')).toBe(15);
    expect(statistic(lab, 'mn', 'Packets route optimised')).toBe(0);
  });

  it('drops a BU whose Binding Authorization Data does not verify, and a data packet with a Home Address option no binding holds', () => {
    const { lab } = roLab();
    const since = lab.now;
    lab.exec('cn', `pinger6 ${HOME_ADDRESS} 1 1000`, 10 * SECOND);
    // The nonce indices of the real BU, reused under a wrong Kbm from CoA B.
    const real = lab.sent('mn', 'eth0', since).map((f) => readMobilityPacket(f.frame.subarray(14))).find((m) => !isWireError(m) && m.message.message.kind === 'bindingUpdate');
    const indices = real !== undefined && !isWireError(real) ? real.message.options.find((o) => o.kind === 'nonceIndices') : undefined;
    if (indices?.kind !== 'nonceIndices') throw new Error('no BU with nonce indices');
    const forged = buildCorrespondentBindingUpdate({
      careOfAddress: address(CARE_OF_B),
      correspondent: address(CORRESPONDENT),
      homeAddress: address(HOME_ADDRESS),
      sequence: 2,
      lifetime: 105,
      homeNonceIndex: indices.homeNonceIndex,
      careOfNonceIndex: indices.careOfNonceIndex,
      authorization: { key: new Uint8Array(20), careOfAddress: address(CARE_OF_B), correspondent: address(CORRESPONDENT), authenticate: authenticatorOf },
    });
    lab.node('mn').parts.ipv6.sendLocal(forged, address(CARE_OF_B), address(CORRESPONDENT), 'eth1', lab.now);
    lab.run(100 * MS);
    const details = (): string[] => lab.drops('cn').map((d) => (d.event.type === 'drop' ? `${d.event.reason} ${d.event.detail ?? ''}` : ''));
    expect(details()).toContain('prohibited binding update: binding authorization data does not verify');
    expect(lab.exec('cn', 'mip6d bc').stdout).toContain(` coa ${CARE_OF_A} flags A---\n`);
    expect(statistic(lab, 'cn', 'Binding authorization failures')).toBe(1);
    // A datagram from CoA B claiming the home address: no binding maps it there.
    const datagram = sendFromCareOf(buildUdpIpv6Packet({ source: ipv6ToBytes(address(HOME_ADDRESS)), destination: ipv6ToBytes(address(CORRESPONDENT)) }, 40000, 9, new Uint8Array(8)), address(CARE_OF_B));
    lab.node('mn').parts.ipv6.sendLocal(datagram, address(CARE_OF_B), address(CORRESPONDENT), 'eth1', lab.now);
    lab.run(100 * MS);
    expect(details()).toContain(`martianSource home address option: no binding of ${HOME_ADDRESS} to ${CARE_OF_B}`);
  });

  it('runs return routability again at three quarters of the 420 s binding (sequence 2), and the direct path goes on', () => {
    const { lab } = roLab();
    lab.exec('cn', `pinger6 ${HOME_ADDRESS} 1 1000`, 10 * SECOND);
    lab.run(300 * SECOND);
    expect(statistic(lab, 'mn', 'Home Test Inits sent')).toBe(1);
    lab.run(20 * SECOND);
    expect(statistic(lab, 'mn', 'Home Test Inits sent')).toBe(2);
    expect(lab.exec('cn', 'mip6d bc').stdout).toMatch(new RegExp(` coa ${CARE_OF_A} flags A---\n lifetime 41\\d / 420 seq 2\n$`));
    const since = lab.now;
    const ping = lab.exec('cn', `pinger6 ${HOME_ADDRESS} 1 1000`, 10 * SECOND);
    expect(repliesOf(ping.stdout)).toEqual([1]);
    expect(icmpSent(lab, 'mn', 'eth0', since)).toEqual([`${CARE_OF_A} > ${CORRESPONDENT} HAO(${HOME_ADDRESS}) icmp6`]);
  });

  it('answers a Home Address option it holds no binding for with a Binding Error, and the mobile node tests again', () => {
    const { lab } = roLab();
    lab.exec('cn', `pinger6 ${HOME_ADDRESS} 1 1000`, 10 * SECOND);
    const correspondent = mip6Of(lab.node('cn'))?.correspondent;
    if (correspondent === undefined) throw new Error('cn runs no correspondent');
    correspondent.bindings.clear();
    const since = lab.now;
    // The first reply comes with the HAO and is dropped with a BE; return routability runs again and the next ones go direct.
    const ping = lab.exec('cn', `pinger6 ${HOME_ADDRESS} 3 1000`, 20 * SECOND);
    expect(repliesOf(ping.stdout)).toEqual([2, 3]);
    expect(sentPackets(lab, 'cn', 'eth0', since).filter((d) => d.includes('bindingError'))).toEqual([`${CORRESPONDENT} > ${CARE_OF_A} MH bindingError`]);
    expect(statistic(lab, 'mn', 'Binding Errors received')).toBe(1);
    expect(statistic(lab, 'mn', 'Home Test Inits sent')).toBe(2);
    expect(lab.exec('cn', 'mip6d bc').stdout).toContain(` coa ${CARE_OF_A} flags A---\n`);
  });

  it('tests the new care-of address when the preferred interface loses its carrier, and the direct path follows', () => {
    const { lab, segmentA } = roLab();
    lab.exec('cn', `pinger6 ${HOME_ADDRESS} 1 1000`, 10 * SECOND);
    lab.setLink(segmentA, false);
    lab.run(5 * SECOND);
    expect(lab.exec('cn', 'mip6d bc').stdout).toContain(` coa ${CARE_OF_B} flags A---\n`);
    const since = lab.now;
    const ping = lab.exec('cn', `pinger6 ${HOME_ADDRESS} 2 1000`, 20 * SECOND);
    expect(repliesOf(ping.stdout)).toEqual([1, 2]);
    expect(icmpSent(lab, 'mn', 'eth1', since)).toEqual(Array(2).fill(`${CARE_OF_B} > ${CORRESPONDENT} HAO(${HOME_ADDRESS}) icmp6`));
  });
});
