/**
 * Mobile IPv6 route optimisation as tshark reads the mobile node's link in
 * topologies/mip6-route-optimisation.yaml (issue #18): the return-routability messages with cn —
 * HoTI and HoT inside the home agent's tunnel (the HoT echoing the HoTI's cookie), CoTI and CoT
 * direct — the BU from the care-of address with the Home Address option, Nonce Indices and a 96-bit
 * Authenticator, the BA through a type 2 routing header; then cn's echo requests to the care-of
 * address with the type 2 routing header and the replies from it with the Home Address option,
 * their ICMPv6 checksums (over the home address, RFC 6275 §6.3/§6.4) good as tshark computes them;
 * cn2's echoes through the tunnel throughout. Nothing malformed. Skipped with the reason when
 * tshark is missing (failing under CI=true).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '@netloom/wire/testing/test-environment';
import { afterAll, describe, expect } from 'vitest';
import { captureTopology, tsharkFields } from './tshark-captures.js';

const tshark = needs({ tools: ['tshark'] });
const scratch = mkdtempSync(join(tmpdir(), 'netloom-mip6-ro-tshark-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HOME_ADDRESS = '2001:db8:1::100';
const HOME_AGENT = '2001:db8:1::1';
const CARE_OF = '2001:db8:a::ff:fe00:101';
const CN = '2001:db8:ff::9';
const CN2 = '2001:db8:ff::8';

const FIELDS = [
  'frame.number',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.opt.mipv6.home_address',
  'ipv6.routing.mipv6.home_address',
  'mip6.mhtype',
  'mip6.hoti.cookie',
  'mip6.hot.cookie',
  'mip6.coti.cookie',
  'mip6.cot.cookie',
  'mip6.ni.hni',
  'mip6.bad.auth',
  'mip6.ba.status',
  'icmpv6.type',
  'icmpv6.checksum.status',
  '_ws.malformed',
] as const;
type Frame = Record<(typeof FIELDS)[number], string>;

/** The frame's addresses and headers in one line: "src > dst [HAO h] [RH2 h]" (a tunnel's two headers joined by commas). */
const shape = (f: Frame): string => [`${f['ipv6.src']} > ${f['ipv6.dst']}`, f['ipv6.opt.mipv6.home_address'] !== '' ? `HAO ${f['ipv6.opt.mipv6.home_address']}` : '', f['ipv6.routing.mipv6.home_address'] !== '' ? `RH2 ${f['ipv6.routing.mipv6.home_address']}` : ''].filter((s) => s !== '').join(' ');

describe('Mobile IPv6 route optimisation on the wire (tshark)', () => {
  tshark.it('return routability with cn, then RH2 and HAO on the echoes with good checksums; cn2 stays in the tunnel', async () => {
    const dir = await captureTopology('mip6-route-optimisation', scratch);
    const frames = tsharkFields(join(dir, 'mn_eth0--va_eth0.pcapng'), FIELDS, ['-Y', 'mipv6 || icmpv6.type == 128 || icmpv6.type == 129'], scratch);
    expect(frames.filter((f) => f['_ws.malformed'] !== '').map((f) => f['frame.number'])).toEqual([]);
    const withCn = frames.filter((f) => f['mip6.mhtype'] !== '' && f['mip6.mhtype'] !== '5,4' && (f['ipv6.src'].includes(CN) || f['ipv6.dst'].includes(CN)));
    expect(withCn.map((f) => `${f['mip6.mhtype']} ${shape(f)}`)).toEqual([
      `1 ${CARE_OF},${HOME_ADDRESS} > ${HOME_AGENT},${CN}`,
      `2 ${CARE_OF} > ${CN}`,
      `3 ${HOME_AGENT},${CN} > ${CARE_OF},${HOME_ADDRESS}`,
      `4 ${CN} > ${CARE_OF}`,
      `5 ${CARE_OF} > ${CN} HAO ${HOME_ADDRESS}`,
      `6 ${CN} > ${CARE_OF} RH2 ${HOME_ADDRESS}`,
    ]);
    const [hoti, coti, hot, cot, bu, ba] = withCn as [Frame, Frame, Frame, Frame, Frame, Frame];
    expect(hot['mip6.hot.cookie']).toBe(hoti['mip6.hoti.cookie']);
    expect(cot['mip6.cot.cookie']).toBe(coti['mip6.coti.cookie']);
    expect(bu['mip6.ni.hni']).toMatch(/^\d+$/);
    expect(bu['mip6.bad.auth']).toMatch(/^[0-9a-f]{24}$/);
    expect(ba['mip6.bad.auth']).toMatch(/^[0-9a-f]{24}$/);
    expect(ba['mip6.ba.status']).toBe('0');
    // After the BA: cn's requests straight to the CoA with RH2, mn's replies from it with the HAO.
    const after = frames.filter((f) => Number(f['frame.number']) > Number(ba['frame.number']) && f['icmpv6.type'] !== '' && f['mip6.mhtype'] === '');
    const toCn = after.filter((f) => f['ipv6.src'] === CN || f['ipv6.dst'] === CN);
    expect(toCn.length).toBeGreaterThanOrEqual(20);
    expect(new Set(toCn.map((f) => `${f['icmpv6.type']} ${shape(f)} checksum ${f['icmpv6.checksum.status']}`))).toEqual(
      new Set([`128 ${CN} > ${CARE_OF} RH2 ${HOME_ADDRESS} checksum 1`, `129 ${CARE_OF} > ${CN} HAO ${HOME_ADDRESS} checksum 1`]),
    );
    const toCn2 = after.filter((f) => f['ipv6.src'].includes(CN2) || f['ipv6.dst'].includes(CN2));
    expect(new Set(toCn2.map((f) => `${f['icmpv6.type']} ${shape(f)}`))).toEqual(
      new Set([`128 ${HOME_AGENT},${CN2} > ${CARE_OF},${HOME_ADDRESS}`, `129 ${CARE_OF},${HOME_ADDRESS} > ${HOME_AGENT},${CN2}`]),
    );
  });
});
