/**
 * Link lines as iproute2 6.1 prints them (print_linkinfo): `N: NAME: <FLAGS> mtu M qdisc Q state S
 * [mode DEFAULT] group default qlen 1000` and `    link/ether MAC brd ff:ff:ff:ff:ff:ff`, the brief
 * form, and the JSON fields. Devices look like veth ends (qdisc noqueue) without the `@ifN` peer.
 */
import type { DeviceStats } from '../kernel.js';
import type { DeviceView } from '../routing-api.js';
import type { JsonValue } from './json-writer.js';
import { formatMac } from './ip-util.js';

export function linkFlags(dev: DeviceView): string[] {
  const flags: string[] = [];
  if (dev.adminUp && !dev.carrier) flags.push('NO-CARRIER');
  if (dev.kind === 'loopback') flags.push('LOOPBACK');
  else flags.push('BROADCAST', 'MULTICAST');
  if (dev.adminUp) flags.push('UP');
  if (dev.adminUp && dev.carrier) flags.push('LOWER_UP');
  return flags;
}

export function operState(dev: DeviceView): string {
  if (!dev.adminUp) return 'DOWN';
  if (dev.kind === 'loopback') return 'UNKNOWN';
  return dev.carrier ? 'UP' : 'DOWN';
}

export function linkHeader(dev: DeviceView, withMode: boolean, qdiscName: string): { text: string; json: { [key: string]: JsonValue } } {
  const qdisc = (_dev: DeviceView): string => qdiscName;
  const flags = linkFlags(dev);
  const mac = formatMac(dev.mac);
  const brd = dev.kind === 'loopback' ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff';
  const type = dev.kind === 'loopback' ? 'loopback' : 'ether';
  const text =
    `${dev.ifindex}: ${dev.name}: <${flags.join(',')}> mtu ${dev.mtu} qdisc ${qdisc(dev)} state ${operState(dev)} ` +
    `${withMode ? 'mode DEFAULT ' : ''}group default qlen 1000\n    link/${type} ${mac} brd ${brd}\n`;
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
  json['broadcast'] = brd;
  return { text, json };
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
