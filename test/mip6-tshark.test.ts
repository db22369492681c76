/**
 * Mobile IPv6 binding updates as tshark reads the captures of the bundled topologies (issue #18,
 * seed 001):
 * - mcoa.yaml: on each of the mobile node's links, every BU comes from that link's care-of address
 *   with the Home Address option carrying the home address and that interface's BID (on eth1 also
 *   the deregistration of BID 1 while eth0 has no carrier, lifetime 0); every BA goes back to that
 *   CoA through a type 2 routing header carrying the home address, status 0;
 * - mcoa-seed001.yaml (mip6-bu-first-default-route): the BUs for BID 2, from CoA B, cross eth0's link
 *   and none crosses eth1's — the seed's fault on the wire.
 * Nothing malformed. Skipped with the reason when tshark is missing (failing under CI=true).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '@netloom/wire/testing/test-environment';
import { afterAll, describe, expect } from 'vitest';
import { captureTopology, tsharkFields } from './tshark-captures.js';

const tshark = needs({ tools: ['tshark'] });
const scratch = mkdtempSync(join(tmpdir(), 'netloom-mip6-tshark-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HOME_ADDRESS = '2001:db8:1::100';
const HOME_AGENT = '2001:db8:1::1';
const CARE_OF_A = '2001:db8:a::ff:fe00:101';
const CARE_OF_B = '2001:db8:b::ff:fe00:102';

const FIELDS = ['frame.number', 'ipv6.src', 'ipv6.dst', 'ipv6.opt.mipv6.home_address', 'ipv6.routing.mipv6.home_address', 'mip6.mhtype', 'mip6.bu.lifetime', 'mip6.bi.bid', 'mip6.ba.status', '_ws.malformed'] as const;
type Frame = Record<(typeof FIELDS)[number], string>;

/** The Mobility Header frames of a capture as tshark reads them. */
function mobility(file: string): Frame[] {
  return tsharkFields(file, FIELDS, ['-Y', 'mipv6'], scratch);
}

const updates = (frames: Frame[]): Frame[] => frames.filter((f) => f['mip6.mhtype'] === '5');
const acks = (frames: Frame[]): Frame[] => frames.filter((f) => f['mip6.mhtype'] === '6');

describe('Mobile IPv6 on the wire (tshark)', () => {
  tshark.it('mcoa.yaml: each BU from its own CoA on its own link with the HAO and its BID; each BA back through RH2', async () => {
    const dir = await captureTopology('mcoa', scratch);
    const onA = mobility(join(dir, 'mn_eth0--va_eth0.pcapng'));
    const onB = mobility(join(dir, 'mn_eth1--vb_eth0.pcapng'));
    for (const frames of [onA, onB]) expect(frames.filter((f) => f['_ws.malformed'] !== '').map((f) => f['frame.number'])).toEqual([]);
    expect(updates(onA).length).toBeGreaterThanOrEqual(4);
    expect(new Set(updates(onA).map((f) => [f['ipv6.src'], f['ipv6.dst'], f['ipv6.opt.mipv6.home_address'], f['mip6.bi.bid']].join(' ')))).toEqual(new Set([`${CARE_OF_A} ${HOME_AGENT} ${HOME_ADDRESS} 1`]));
    expect(new Set(acks(onA).map((f) => [f['ipv6.src'], f['ipv6.dst'], f['ipv6.routing.mipv6.home_address'], f['mip6.ba.status']].join(' ')))).toEqual(new Set([`${HOME_AGENT} ${CARE_OF_A} ${HOME_ADDRESS} 0`]));
    // On eth1: BID 2's registrations, and BID 1's deregistration (lifetime 0) while eth0 was down — all from CoA B.
    expect(new Set(updates(onB).map((f) => [f['ipv6.src'], f['ipv6.opt.mipv6.home_address'], f['mip6.bi.bid'], f['mip6.bi.bid'] === '1' ? f['mip6.bu.lifetime'] : 'live'].join(' ')))).toEqual(
      new Set([`${CARE_OF_B} ${HOME_ADDRESS} 2 live`, `${CARE_OF_B} ${HOME_ADDRESS} 1 0`]),
    );
    expect(new Set(acks(onB).map((f) => [f['ipv6.dst'], f['ipv6.routing.mipv6.home_address'], f['mip6.ba.status']].join(' ')))).toEqual(new Set([`${CARE_OF_B} ${HOME_ADDRESS} 0`]));
  });

  tshark.it("mcoa-seed001.yaml: the BUs for CoA B cross eth0's link, none eth1's", async () => {
    const dir = await captureTopology('mcoa-seed001', scratch);
    const onA = updates(mobility(join(dir, 'mn_eth0--va_eth0.pcapng')));
    expect(onA.filter((f) => f['ipv6.src'] === CARE_OF_B && f['mip6.bi.bid'] === '2').length).toBeGreaterThan(0);
    expect(updates(mobility(join(dir, 'mn_eth1--vb_eth0.pcapng')))).toEqual([]);
  });
});
