/**
 * Link lines as iproute2 6.1 prints them (print_linkinfo): `N: NAME: <FLAGS> mtu M qdisc Q state S
 * [mode DEFAULT] group default qlen 1000` and `    link/ether MAC brd ff:ff:ff:ff:ff:ff`, the brief
 * form, the `-d` details and the JSON fields. Devices look like veth ends (qdisc noqueue) without the
 * `@ifN` peer and `link-netns`; with `-d` an Ethernet device prints the `veth` kind line and the
 * limits of a veth created with `numtxqueues 1 numrxqueues 1` on Linux 6.18 (minmtu 68, maxmtu
 * 65535, the gso/tso/gro sizes), the loopback those of `lo`; flags, link type, broadcast address,
 * MTU limits and kind line come from the device's kind (device-kinds.ts), so `dummy` prints as
 * dummy_setup makes it. Promiscuity and allmulti are always 0.
 */
import type { DeviceStats } from '../kernel.js';
import type { DeviceView } from '../routing-api.js';
import type { DeviceLinkView } from '../device-kinds.js';
import type { JsonValue } from './json-writer.js';
import { formatIpv6 } from '@netloom/wire';
import { formatMac } from './ip-util.js';

/**
 * A link-layer address as `ip link` prints it: a MAC, an IPv4 tunnel's 4-byte endpoint dotted, or an
 * IPv6 tunnel's 16-byte endpoint as an IPv6 address (ll_addr_n2a for ARPHRD_TUNNEL6: `link/tunnel6 :: brd ::`).
 */
export function formatLinkAddress(address: Uint8Array): string {
  if (address.length === 16) return formatIpv6(address);
  return address.length === 4 ? [...address].join('.') : formatMac(address);
}

export function linkFlags(dev: DeviceView): string[] {
  const flags: string[] = [];
  if (dev.adminUp && !dev.carrier) flags.push('NO-CARRIER');
  flags.push(...dev.ops.flags);
  if (dev.adminUp) flags.push('UP');
  if (dev.adminUp && dev.carrier) flags.push('LOWER_UP');
  return flags;
}

export function operState(dev: DeviceView): string {
  if (!dev.adminUp) return 'DOWN';
  if (dev.ops.alwaysCarrier) return 'UNKNOWN';
  return dev.carrier ? 'UP' : 'DOWN';
}

/**
 * The `-d` details after `link/… brd …` (print_linkinfo's promiscuity…gro_max_size, the linkinfo
 * kind and, in a link dump, IFLA_INET6_ADDR_GEN_MODE), as text (with its line breaks) and JSON.
 */
function linkDetails(dev: DeviceView, linkDump: boolean, view: DeviceLinkView | undefined): { text: string; json: { [key: string]: JsonValue } } {
  const { minMtu, maxMtu, infoKind, tsoMaxSize } = dev.ops;
  const queues = `${linkDump ? 'addrgenmode eui64 ' : ''}numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size ${tsoMaxSize} tso_max_segs 65535 gro_max_size 65536 `;
  // print_linktype: the kind, then the kind's print_opt on the same line.
  const text = ` promiscuity 0  allmulti 0 minmtu ${minMtu} maxmtu ${maxMtu} ${infoKind === null ? queues : `\n    ${infoKind} ${view?.details ?? ''}${queues}`}`;
  const json: { [key: string]: JsonValue } = {
    promiscuity: 0,
    allmulti: 0,
    min_mtu: minMtu,
    max_mtu: maxMtu,
    ...(infoKind === null ? {} : { linkinfo: view === undefined ? { info_kind: infoKind } : { info_kind: infoKind, info_data: { ...view.json } } }),
    ...(linkDump ? { inet6_addr_gen_mode: 'eui64' } : {}),
    num_tx_queues: 1,
    num_rx_queues: 1,
    gso_max_size: 65536,
    gso_max_segs: 65535,
    tso_max_size: tsoMaxSize,
    tso_max_segs: 65535,
    gro_max_size: 65536,
  };
  return { text, json };
}

/**
 * The two lines of a link (`withMode`: a link dump, as `ip link` prints it, rather than `ip addr`),
 * with the `-d` details when `details` is set.
 */
/** One device in `ip -br link` (and `ip -0 -br addr`): name, operstate, MAC and flags. */
export function briefLink(dev: DeviceView): { text: string; json: { [key: string]: JsonValue } } {
  return {
    text: `${dev.name.padEnd(16)} ${operState(dev).padEnd(14)} ${formatMac(dev.mac)} <${linkFlags(dev).join(',')}> \n`,
    json: { ifname: dev.name, operstate: operState(dev), address: formatMac(dev.mac), flags: linkFlags(dev) },
  };
}

export function linkHeader(dev: DeviceView, withMode: boolean, qdiscName: string, details = false): { text: string; json: { [key: string]: JsonValue } } {
  const qdisc = (_dev: DeviceView): string => qdiscName;
  // A kind with link parameters (a tunnel) gives its own addresses and IFF_POINTOPOINT.
  const view = dev.ops.linkInfo?.view(dev.ifindex);
  const flags = linkFlags(dev);
  if (view?.pointToPoint) flags.splice(flags.indexOf('NOARP') < 0 ? flags.length : flags.indexOf('NOARP'), 0, 'POINTOPOINT');
  const mac = formatLinkAddress(view?.address ?? dev.mac);
  const brd = formatLinkAddress(view?.broadcast ?? dev.ops.broadcast);
  const type = dev.ops.linkType;
  const extra = details ? linkDetails(dev, withMode, view) : null;
  const text =
    `${dev.ifindex}: ${dev.name}: <${flags.join(',')}> mtu ${dev.mtu} qdisc ${qdisc(dev)} state ${operState(dev)} ` +
    `${withMode ? 'mode DEFAULT ' : ''}group default qlen 1000\n    link/${type} ${mac} ${view?.pointToPoint ? 'peer' : 'brd'} ${brd}${extra?.text ?? ''}\n`;
  const json: { [key: string]: JsonValue } = {
    ifindex: dev.ifindex,
    ifname: dev.name,
    flags,
    mtu: dev.mtu,
    qdisc: qdisc(dev),
    operstate: operState(dev),
  };
  if (withMode) json['linkmode'] = 'DEFAULT';
  json['group'] = 'default';
  json['txqlen'] = 1000;
  json['link_type'] = type;
  json['address'] = mac;
  if (view?.pointToPoint) json['link_pointtopoint'] = true;
  json['broadcast'] = brd;
  return { text, json: extra ? { ...json, ...extra.json } : json };
}

/** The `-s` block of `ip link`/`ip addr` (iproute2 6.1 print_link_stats64, first level). */
export function linkStats(stats: DeviceStats): { text: string; json: { [key: string]: JsonValue } } {
  const row = (values: number[]): string =>
    `    ${String(values[0]).padStart(10)} ${String(values[1]).padStart(7)} ${String(values[2]).padStart(6)} ${values
      .slice(3)
      .map((v) => String(v).padStart(7))
      .join(' ')} \n`;
  const text =
    '    RX:  bytes packets errors dropped  missed   mcast           \n' +
    row([stats.rxBytes, stats.rxPackets, stats.rxErrors, stats.rxDropped, stats.rxMissed, stats.rxMulticast]) +
    '    TX:  bytes packets errors dropped carrier collsns           \n' +
    row([stats.txBytes, stats.txPackets, stats.txErrors, stats.txDropped, stats.txCarrier, stats.txCollisions]);
  const json: { [key: string]: JsonValue } = {
    stats64: {
      rx: { bytes: stats.rxBytes, packets: stats.rxPackets, errors: stats.rxErrors, dropped: stats.rxDropped, over_errors: stats.rxMissed, multicast: stats.rxMulticast },
      tx: { bytes: stats.txBytes, packets: stats.txPackets, errors: stats.txErrors, dropped: stats.txDropped, carrier_errors: stats.txCarrier, collisions: stats.txCollisions },
    },
  };
  return { text, json };
}
