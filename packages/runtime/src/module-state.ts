/**
 * A node's loadable parts as the plain records a UI shows (ipc's module-state.ts): a director's
 * IPVS — services and real servers in `ipvsadm -L -n`'s order, with the weights, ActiveConn and
 * InActConn of `-L -n`, the Conns of `--stats` and the rates of `--rate` — and a Mobile IPv6 node's
 * bindings — the home agent's binding cache (`mip6d bc`, the tunnel's binding marked) or the mobile
 * node's binding update list (`mip6d bul`).
 *
 * Read-only: nothing here ticks IPVS's estimator or expires a binding, so reading the state at the
 * end of any window leaves the emulation as it was (traces are the same with or without a UI). The
 * rates are the estimator's as of its last 2 s tick, which the IPVS module's timer runs; bindings
 * past their expiry are left out. Lists are cut at ipc's *_SHOWN bounds.
 */
import { BINDINGS_SHOWN, IPVS_REAL_SERVERS_SHOWN, IPVS_SERVICES_SHOWN, type BindingRecord, type IpvsStateRecord, type MobilityStateRecord } from '@netloom/ipc';
import { compareDestinations, compareServices, formatAddressPort, FORWARDING_NAMES, type Ipvs, type VirtualService } from '@netloom/lvs';
import type { Mip6 } from '@netloom/mip6';
import { formatIpv6Number } from '@netloom/wire';

function serviceAddress(service: VirtualService): string {
  const key = service.key;
  if (key.kind === 'fwmark') return key.family === 6 ? `${key.fwmark} IPv6` : String(key.fwmark);
  return formatAddressPort(key.address, key.port);
}

/** The director's services and real servers as `ipvsadm -L -n` orders them. */
export function ipvsState(ipvs: Ipvs): IpvsStateRecord {
  const services = ipvs.listServices().sort(compareServices);
  return {
    serviceCount: services.length,
    services: services.slice(0, IPVS_SERVICES_SHOWN).map((service) => {
      const servers = [...service.destinations].sort(compareDestinations);
      return {
        protocol: service.key.kind === 'fwmark' ? 'FWM' : service.key.kind === 'tcp' ? 'TCP' : 'UDP',
        address: serviceAddress(service),
        scheduler: service.scheduler.name,
        persistent: service.isPersistent ? service.timeout : null,
        conns: service.stats.conns,
        rates: service.stats.rates(),
        realServerCount: servers.length,
        realServers: servers.slice(0, IPVS_REAL_SERVERS_SHOWN).map((server) => ({
          address: formatAddressPort(server.address, server.port),
          forward: FORWARDING_NAMES[server.forwarding],
          weight: server.weight,
          activeConns: server.activeConns,
          inactConns: server.inactConns,
          persistConns: server.persistConns,
          conns: server.stats.conns,
          rates: server.stats.rates(),
        })),
      };
    }),
  };
}

/** The home agent's binding cache or the mobile node's binding update list at `now`; null when mip6d runs neither. */
export function mobilityState(mip6: Mip6, now: number): MobilityStateRecord | null {
  const ha = mip6.homeAgent;
  if (ha !== undefined) {
    const live = ha.cache.entries().filter((binding) => binding.expires > now);
    const bindings = live.slice(0, BINDINGS_SHOWN).map(
      (binding): BindingRecord => ({
        homeAddress: formatIpv6Number(binding.homeAddress),
        bindingId: binding.bindingId,
        priority: binding.priority,
        careOfAddress: formatIpv6Number(binding.careOfAddress),
        dev: null,
        status: 'registered',
        lifetime: binding.lifetime,
        expiresAt: binding.expires,
        sequence: binding.sequence,
        tunnel: ha.cache.selectCareOf(binding.homeAddress, now) === binding,
        retransmissions: 0,
      }),
    );
    return { role: 'home-agent', homeAddress: null, bindings, bindingCount: live.length };
  }
  const mn = mip6.mobileNode;
  if (mn === undefined) return null;
  const homeAddress = formatIpv6Number(mn.homeAddress);
  const bindings = mn.entries.slice(0, BINDINGS_SHOWN).map(
    (entry): BindingRecord => ({
      homeAddress,
      bindingId: entry.bindingId,
      priority: entry.priority,
      careOfAddress: entry.careOfAddress === undefined ? null : formatIpv6Number(entry.careOfAddress),
      dev: entry.dev,
      status: entry.state === 'refused' ? `refused ${entry.status}` : entry.state,
      lifetime: entry.lifetime,
      expiresAt: entry.state === 'registered' ? entry.expires : null,
      sequence: entry.sequence,
      tunnel: false,
      retransmissions: entry.retransmissions,
    }),
  );
  return { role: 'mobile-node', homeAddress, bindings, bindingCount: mn.entries.length };
}
