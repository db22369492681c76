/**
 * The IPv4 counters of one node: the `Ip:` line of /proc/net/snmp (RFC 4293's ipSystemStats as
 * Linux names them), which `netstat -s` and `nstat` print.
 *
 * Covers the fields in the kernel's order (Linux 6.18: Forwarding and DefaultTTL come from sysctl,
 * the rest are counters; OutTransmits is the 6.3+ count of packets handed to a device, fragments
 * and forwarded packets included). Where the datapath counts each one: ipv4-layer.ts
 * (InReceives … OutTransmits, Frag*) and fragmentation.ts (Reasm*). ReasmOverlaps is IpExt's.
 * Leaves out the IpExt octet and ECN counters, and InDiscards/OutDiscards for memory shortages
 * (the model never fails an allocation), so those stay 0.
 */

export interface IpMib {
  inReceives: number;
  inHdrErrors: number;
  inAddrErrors: number;
  forwDatagrams: number;
  inUnknownProtos: number;
  inDiscards: number;
  inDelivers: number;
  outRequests: number;
  outDiscards: number;
  outNoRoutes: number;
  reasmTimeout: number;
  reasmReqds: number;
  reasmOKs: number;
  reasmFails: number;
  fragOKs: number;
  fragFails: number;
  fragCreates: number;
  outTransmits: number;
  /** IpExt ReasmOverlaps: queues discarded for an overlapping fragment (RFC 5722). */
  reasmOverlaps: number;
}

export function createIpMib(): IpMib {
  return {
    inReceives: 0,
    inHdrErrors: 0,
    inAddrErrors: 0,
    forwDatagrams: 0,
    inUnknownProtos: 0,
    inDiscards: 0,
    inDelivers: 0,
    outRequests: 0,
    outDiscards: 0,
    outNoRoutes: 0,
    reasmTimeout: 0,
    reasmReqds: 0,
    reasmOKs: 0,
    reasmFails: 0,
    fragOKs: 0,
    fragFails: 0,
    fragCreates: 0,
    outTransmits: 0,
    reasmOverlaps: 0,
  };
}

/** The counters of /proc/net/snmp's `Ip:` line after Forwarding and DefaultTTL, in its order. */
export const IP_MIB_COUNTERS: readonly { name: string; field: keyof IpMib }[] = [
  { name: 'InReceives', field: 'inReceives' },
  { name: 'InHdrErrors', field: 'inHdrErrors' },
  { name: 'InAddrErrors', field: 'inAddrErrors' },
  { name: 'ForwDatagrams', field: 'forwDatagrams' },
  { name: 'InUnknownProtos', field: 'inUnknownProtos' },
  { name: 'InDiscards', field: 'inDiscards' },
  { name: 'InDelivers', field: 'inDelivers' },
  { name: 'OutRequests', field: 'outRequests' },
  { name: 'OutDiscards', field: 'outDiscards' },
  { name: 'OutNoRoutes', field: 'outNoRoutes' },
  { name: 'ReasmTimeout', field: 'reasmTimeout' },
  { name: 'ReasmReqds', field: 'reasmReqds' },
  { name: 'ReasmOKs', field: 'reasmOKs' },
  { name: 'ReasmFails', field: 'reasmFails' },
  { name: 'FragOKs', field: 'fragOKs' },
  { name: 'FragFails', field: 'fragFails' },
  { name: 'FragCreates', field: 'fragCreates' },
  { name: 'OutTransmits', field: 'outTransmits' },
];
