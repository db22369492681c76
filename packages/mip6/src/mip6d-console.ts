/**
 * What `mip6d bc`, `mip6d bul` and `mip6d stats` print: the home agent's binding cache, the mobile
 * node's binding update list and the Mobile IPv6 counters, one block per binding in the manner of
 * UMIP's console (src/vt.c: `hoa … status …`, ` coa … flags …`, ` lifetime LEFT / GRANTED seq N`),
 * with RFC 5648's BID and BID-PRI added. UMIP's exact layout was not at hand (only its source's
 * field names), so this is netloom's layout, documented in docs/mip6.md; lifetimes are whole
 * seconds left, rounded down.
 */
import type { Nanos } from '@netloom/stack';
import { formatIpv6Number } from '@netloom/wire';
import type { Mip6 } from './mip6.js';
import type { Mip6Counters } from './mip6-stack.js';

const SECOND = 1_000_000_000;

function secondsLeft(expires: Nanos, now: Nanos): number {
  return Math.max(0, Math.floor((expires - now) / SECOND));
}

/** The binding cache, by home address then BID; the binding the tunnel uses is marked `tunnel`. */
export function formatBindingCache(mip6: Mip6, now: Nanos): string {
  const ha = mip6.homeAgent;
  if (ha === undefined) return formatCorrespondentBindings(mip6, now);
  let text = '';
  for (const binding of ha.cache.entries()) {
    if (binding.expires <= now) continue;
    const selected = ha.cache.selectCareOf(binding.homeAddress, now) === binding;
    text += `hoa ${formatIpv6Number(binding.homeAddress)} bid ${binding.bindingId} pri ${binding.priority} status registered${selected ? ' tunnel' : ''}\n`;
    text += ` coa ${formatIpv6Number(binding.careOfAddress)} flags AH--\n`;
    text += ` lifetime ${secondsLeft(binding.expires, now)} / ${binding.lifetime} seq ${binding.sequence}\n`;
  }
  return text;
}

/** A correspondent's cache (route optimisation): no BID, flags A only. */
function formatCorrespondentBindings(mip6: Mip6, now: Nanos): string {
  let text = '';
  for (const binding of mip6.correspondent?.bindings.values() ?? []) {
    if (binding.expires <= now) continue;
    text += `hoa ${formatIpv6Number(binding.homeAddress)} status registered\n`;
    text += ` coa ${formatIpv6Number(binding.careOfAddress)} flags A---\n`;
    text += ` lifetime ${secondsLeft(binding.expires, now)} / ${binding.lifetime} seq ${binding.sequence}\n`;
  }
  return text;
}

/** The binding update list, by BID, then the correspondents (route optimisation) with their return-routability state. */
export function formatBindingUpdateList(mip6: Mip6, now: Nanos): string {
  const mn = mip6.mobileNode;
  if (mn === undefined) return '';
  let text = '';
  for (const entry of mn.entries) {
    const state = entry.state === 'refused' ? `refused ${entry.status}` : entry.state;
    text += `hoa ${formatIpv6Number(mn.homeAddress)} bid ${entry.bindingId} pri ${entry.priority} dev ${entry.dev} status ${state}\n`;
    text += ` coa ${entry.careOfAddress === undefined ? '-' : formatIpv6Number(entry.careOfAddress)} flags AH--\n`;
    const left = entry.state === 'registered' ? secondsLeft(entry.expires, now) : 0;
    text += ` lifetime ${left} / ${entry.lifetime} seq ${entry.sequence} resend ${entry.retransmissions} delay ${entry.timeout / SECOND}s\n`;
  }
  for (const entry of mn.correspondents?.entries.values() ?? []) {
    const state = entry.state === 'failed' && entry.status !== 0 ? `failed ${entry.status}` : entry.state;
    text += `hoa ${formatIpv6Number(mn.homeAddress)} cn ${formatIpv6Number(entry.correspondent)} dev ${entry.dev} status ${state}\n`;
    text += ` coa ${formatIpv6Number(entry.careOfAddress)} flags A---\n`;
    text += ` lifetime ${entry.expires > now && entry.boundCareOf !== undefined ? secondsLeft(entry.expires, now) : 0} / ${entry.lifetime} seq ${entry.sequence}\n`;
  }
  return text;
}

export function formatStatistics(counters: Mip6Counters): string {
  return [
    `Binding Updates sent: ${counters.bindingUpdatesSent}`,
    `Binding Update retransmissions: ${counters.bindingUpdateRetransmissions}`,
    `Binding Updates received: ${counters.bindingUpdatesReceived}`,
    `Binding Updates refused: ${counters.bindingUpdatesRefused}`,
    `Binding Acknowledgements sent: ${counters.bindingAcksSent}`,
    `Binding Acknowledgements received: ${counters.bindingAcksReceived}`,
    `Mobility Header checksum errors: ${counters.checksumErrors}`,
    `Bindings expired: ${counters.bindingsExpired}`,
    `Packets tunnelled: ${counters.packetsTunnelled}`,
    `Packets decapsulated: ${counters.packetsDecapsulated}`,
    `Home Test Inits sent: ${counters.homeTestInitsSent}`,
    `Care-of Test Inits sent: ${counters.careOfTestInitsSent}`,
    `Home Tests received: ${counters.homeTestsReceived}`,
    `Care-of Tests received: ${counters.careOfTestsReceived}`,
    `Home Tests sent: ${counters.homeTestsSent}`,
    `Care-of Tests sent: ${counters.careOfTestsSent}`,
    `Binding authorization failures: ${counters.authorizationFailures}`,
    `Packets route optimised: ${counters.packetsRouteOptimised}`,
    `Binding Errors sent: ${counters.bindingErrorsSent}`,
    `Binding Errors received: ${counters.bindingErrorsReceived}`,
    '',
  ].join('\n');
}
