/**
 * The packets Mobile IPv6 sends and how it reads the ones it receives: a Binding Update from a
 * care-of address with the Home Address destination option (RFC 6275 §11.7.1: source = the CoA,
 * HAO = the home address), a Binding Acknowledgement to the care-of address through a type 2
 * routing header carrying the home address (§9.5.4, §6.4), and IPv6-in-IPv6 encapsulation
 * (RFC 2473) for the tunnel between the home agent and a care-of address.
 *
 * The Mobility Header checksum is computed as §6.1.1 says (the HAO's home address as the
 * pseudo-header source, the RH2's home address as its destination) unless the caller asks for
 * another pseudo-header source: the seed's checksum fault (compatibility setting
 * `mip6-checksum-over-coa`). The encapsulation carries no Tunnel Encapsulation Limit option, as
 * UMIP's tunnels are set up (IP6_TNL_F_IGN_ENCAP_LIMIT); the outer hop limit is 64.
 * Leaves out: IPsec ESP (UseMnHaIPsec), the route-optimisation packet shapes (HAO on data packets).
 */
import {
  alignMobilityOptions,
  buildIpv6Packet,
  emitIpv6ExtensionHeaders,
  emitMobilityHeader,
  IpProtocol,
  ipv6ExtensionHeaderLength,
  ipv6FromBytes,
  ipv6ToBytes,
  isWireError,
  mobilityChecksumAddresses,
  mobilityHeaderBufferLen,
  parseIpv6Packet,
  parseMobilityHeader,
  walkIpv6ExtensionHeaders,
  type Ipv6ExtensionHeader,
  type MobilityHeaderRepr,
  type MobilityMessage,
  type MobilityOption,
  type WireError,
} from '@netloom/wire';

export const TUNNEL_HOP_LIMIT = 64;

/** A BID option of a BU the mobile node sends. */
export interface BindingIdentifierOption {
  bindingId: number;
  priority: number;
  /** Included in the option (bulk registration); otherwise the packet's source is the CoA. */
  careOfAddress?: bigint;
  status?: number;
}

export interface BindingUpdateFields {
  /** The IPv6 source: the care-of address. */
  source: bigint;
  homeAgent: bigint;
  homeAddress: bigint;
  sequence: number;
  /** In 4-second units. */
  lifetime: number;
  overwrite?: boolean;
  bindingIds: readonly BindingIdentifierOption[];
  /** The pseudo-header source for the checksum when not the home address (the checksum fault). */
  checksumSource?: bigint;
}

function bidOption(option: BindingIdentifierOption): MobilityOption {
  return {
    kind: 'bindingIdentifier',
    bindingId: option.bindingId,
    status: option.status ?? 0,
    simultaneousHomeAndForeign: false,
    priority: option.priority,
    ...(option.careOfAddress !== undefined ? { careOfAddress: ipv6ToBytes(option.careOfAddress) } : {}),
  };
}

/** An IPv6 packet from `source` to `destination` with `headers` and a Mobility Header. */
function mobilityPacket(source: bigint, destination: bigint, headers: Ipv6ExtensionHeader[], message: MobilityMessage, options: MobilityOption[], checksumSource?: bigint): Uint8Array {
  const repr: MobilityHeaderRepr = { payloadProto: IpProtocol.noNextHeader, message, options: alignMobilityOptions(message, options) };
  const headersLength = headers.reduce((sum, header) => sum + ipv6ExtensionHeaderLength(header), 0);
  const payload = new Uint8Array(headersLength + mobilityHeaderBufferLen(repr));
  emitIpv6ExtensionHeaders(headers, payload, 0);
  const src = ipv6ToBytes(source);
  const dst = ipv6ToBytes(destination);
  const context = mobilityChecksumAddresses(src, dst, headers);
  emitMobilityHeader(repr, payload, headersLength, checksumSource === undefined ? context : { ...context, source: ipv6ToBytes(checksumSource) });
  const first = headers[0] === undefined ? IpProtocol.mobility : headers[0].kind === 'routingType2' ? IpProtocol.routing : IpProtocol.destinationOptions;
  return buildIpv6Packet({ source: src, destination: dst, nextHeader: first }, payload);
}

/** A home registration BU (A and H set) with its BID options, from the CoA, HAO = the home address. */
export function buildBindingUpdate(fields: BindingUpdateFields): Uint8Array {
  const message: MobilityMessage = {
    kind: 'bindingUpdate',
    sequence: fields.sequence,
    acknowledge: true,
    homeRegistration: true,
    linkLocalCompatibility: false,
    keyManagement: false,
    overwrite: fields.overwrite ?? false,
    otherFlags: 0,
    lifetime: fields.lifetime,
  };
  const homeAddressOption: Ipv6ExtensionHeader = {
    kind: 'destinationOptions',
    nextHeader: IpProtocol.mobility,
    options: [{ kind: 'padN', data: new Uint8Array(2) }, { kind: 'homeAddress', address: ipv6ToBytes(fields.homeAddress) }],
  };
  return mobilityPacket(fields.source, fields.homeAgent, [homeAddressOption], message, fields.bindingIds.map(bidOption), fields.checksumSource);
}

export interface BindingAckFields {
  homeAgent: bigint;
  careOfAddress: bigint;
  homeAddress: bigint;
  status: number;
  sequence: number;
  lifetime: number;
  bindingIds: readonly BindingIdentifierOption[];
}

/** A BA to the care-of address through a type 2 routing header carrying the home address. */
export function buildBindingAck(fields: BindingAckFields): Uint8Array {
  const routing: Ipv6ExtensionHeader = { kind: 'routingType2', nextHeader: IpProtocol.mobility, segmentsLeft: 1, homeAddress: ipv6ToBytes(fields.homeAddress) };
  const message: MobilityMessage = { kind: 'bindingAcknowledgement', status: fields.status, keyManagement: false, sequence: fields.sequence, lifetime: fields.lifetime };
  return mobilityPacket(fields.homeAgent, fields.careOfAddress, [routing], message, fields.bindingIds.map(bidOption));
}

/** A received Mobility Header with what its packet said around it. */
export interface ReceivedMobilityMessage {
  /** The IPv6 source on the wire (a CoA for a BU). */
  source: bigint;
  destination: bigint;
  /** The Home Address option's address, if the packet had one. */
  homeAddress?: bigint;
  /** The type 2 routing header's address, if the packet had one. */
  routedHomeAddress?: bigint;
  message: MobilityHeaderRepr;
}

/**
 * Read the Mobility Header of a whole IPv6 packet, its checksum verified over the §6.1.1
 * pseudo-header. A WireError (`badChecksum`, `truncated`, …) when it does not hold.
 */
export function readMobilityPacket(packet: Uint8Array): ReceivedMobilityMessage | WireError {
  const ip = parseIpv6Packet(packet);
  if (isWireError(ip)) return ip;
  const chain = walkIpv6ExtensionHeaders(ip.nextHeader, ip.payload);
  if (isWireError(chain)) return chain;
  const context = mobilityChecksumAddresses(ip.source, ip.destination, chain.headers);
  const message = parseMobilityHeader(ip.payload.subarray(chain.upperLayerOffset), context);
  if (isWireError(message)) return message;
  const received: ReceivedMobilityMessage = { source: ipv6FromBytes(ip.source), destination: ipv6FromBytes(ip.destination), message };
  for (const header of chain.headers) {
    if (header.kind === 'destinationOptions') {
      for (const option of header.options) if (option.kind === 'homeAddress') received.homeAddress = ipv6FromBytes(option.address);
    } else if (header.kind === 'routingType2') {
      received.routedHomeAddress = ipv6FromBytes(header.homeAddress);
    }
  }
  return received;
}

/** RFC 2473: `inner` in an IPv6 packet from `source` to `destination`, next header 41. */
export function encapsulate(inner: Uint8Array, source: bigint, destination: bigint): Uint8Array {
  return buildIpv6Packet({ source: ipv6ToBytes(source), destination: ipv6ToBytes(destination), nextHeader: IpProtocol.ipv6, hopLimit: TUNNEL_HOP_LIMIT }, inner);
}

/** The source and destination of an IPv6 packet's fixed header (the caller checked it is one). */
export function addressesOf(packet: Uint8Array): { source: bigint; destination: bigint } {
  return { source: ipv6FromBytes(packet.subarray(8, 24)), destination: ipv6FromBytes(packet.subarray(24, 40)) };
}
