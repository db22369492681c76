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
 * Route optimisation (RFC 6275 §5.2, §6.1.3–§6.1.6, §9.3.2, §11.3.1): HoTI, CoTI, HoT and CoT;
 * a BU or BA carrying the Binding Authorization Data option, whose Authenticator is filled in
 * (return-routability.ts) before the checksum; and a data packet re-addressed for the direct path —
 * the correspondent's with a type 2 routing header (destination the care-of address), the mobile
 * node's with the Home Address option (source the care-of address). The upper-layer checksum is
 * left as the sender computed it, over the home address, as §6.3/§6.4 ask.
 * Leaves out: IPsec ESP (UseMnHaIPsec).
 */
import {
  alignMobilityOptions,
  MobilityHeaderView,
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

/** What the Binding Authorization Data option's Authenticator is computed with (return-routability.ts). */
export interface BindingAuthorization {
  /** Kbm. */
  key: Uint8Array;
  careOfAddress: bigint;
  correspondent: bigint;
  authenticate(key: Uint8Array, careOfAddress: Uint8Array, correspondent: Uint8Array, mobilityHeader: Uint8Array): Uint8Array;
}

/** The Binding Authorization Data option with a zero Authenticator, to be filled in after emit. */
const UNFILLED_AUTHORIZATION: MobilityOption = { kind: 'bindingAuthorizationData', authenticator: new Uint8Array(12) };

/**
 * An IPv6 packet from `source` to `destination` with `headers` and a Mobility Header; with
 * `authorization`, a Binding Authorization Data option last, its Authenticator filled in.
 */
export function mobilityPacket(source: bigint, destination: bigint, headers: Ipv6ExtensionHeader[], message: MobilityMessage, options: MobilityOption[], checksumSource?: bigint, authorization?: BindingAuthorization): Uint8Array {
  const repr: MobilityHeaderRepr = { payloadProto: IpProtocol.noNextHeader, message, options: alignMobilityOptions(message, authorization === undefined ? options : [...options, UNFILLED_AUTHORIZATION]) };
  const headersLength = headers.reduce((sum, header) => sum + ipv6ExtensionHeaderLength(header), 0);
  const length = mobilityHeaderBufferLen(repr);
  const payload = new Uint8Array(headersLength + length);
  emitIpv6ExtensionHeaders(headers, payload, 0);
  const src = ipv6ToBytes(source);
  const dst = ipv6ToBytes(destination);
  const context = mobilityChecksumAddresses(src, dst, headers);
  const checksumContext = checksumSource === undefined ? context : { ...context, source: ipv6ToBytes(checksumSource) };
  emitMobilityHeader(repr, payload, headersLength, checksumContext);
  if (authorization !== undefined) {
    // §6.2.7: the option is last and, at 8n+2 with 12 bytes of Authenticator, ends the message unpadded.
    const header = payload.subarray(headersLength, headersLength + length);
    const authenticator = authorization.authenticate(authorization.key, ipv6ToBytes(authorization.careOfAddress), ipv6ToBytes(authorization.correspondent), header);
    header.set(authenticator, length - authenticator.length);
    MobilityHeaderView.over(header).fillChecksum(checksumContext);
  }
  const first = headers[0] === undefined ? IpProtocol.mobility : headers[0].kind === 'routingType2' ? IpProtocol.routing : IpProtocol.destinationOptions;
  return buildIpv6Packet({ source: src, destination: dst, nextHeader: first }, payload);
}

/** A Destination Options header with the Home Address option on its 8n+6 alignment (§6.3). */
function homeAddressHeader(homeAddress: bigint, nextHeader: number): Ipv6ExtensionHeader {
  return { kind: 'destinationOptions', nextHeader, options: [{ kind: 'padN', data: new Uint8Array(2) }, { kind: 'homeAddress', address: ipv6ToBytes(homeAddress) }] };
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
  return mobilityPacket(fields.source, fields.homeAgent, [homeAddressHeader(fields.homeAddress, IpProtocol.mobility)], message, fields.bindingIds.map(bidOption), fields.checksumSource);
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
  /** The Mobility Header's bytes (Header Len's), for the Binding Authorization Data check. */
  mobilityHeader: Uint8Array;
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
  const upper = ip.payload.subarray(chain.upperLayerOffset);
  const received: ReceivedMobilityMessage = { source: ipv6FromBytes(ip.source), destination: ipv6FromBytes(ip.destination), message, mobilityHeader: upper.subarray(0, ((upper[1] ?? 0) + 1) * 8) };
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

/** HoTI or CoTI (§6.1.3, §6.1.4): from the home address (through the tunnel) or the care-of address. */
export function buildTestInit(kind: 'homeTestInit' | 'careOfTestInit', source: bigint, correspondent: bigint, cookie: Uint8Array): Uint8Array {
  return mobilityPacket(source, correspondent, [], { kind, cookie }, []);
}

/** HoT or CoT (§6.1.5, §6.1.6): the cookie echoed, the keygen token and the nonce index. */
export function buildTest(kind: 'homeTest' | 'careOfTest', correspondent: bigint, destination: bigint, cookie: Uint8Array, keygenToken: Uint8Array, nonceIndex: number): Uint8Array {
  return mobilityPacket(correspondent, destination, [], { kind, cookie, keygenToken, nonceIndex }, []);
}

export interface CorrespondentBindingUpdateFields {
  careOfAddress: bigint;
  correspondent: bigint;
  homeAddress: bigint;
  sequence: number;
  /** In 4-second units. */
  lifetime: number;
  homeNonceIndex: number;
  careOfNonceIndex: number;
  authorization: BindingAuthorization;
}

/** A BU to a correspondent (§11.7.2): A set, H not, from the CoA with the HAO, Nonce Indices and Binding Authorization Data. */
export function buildCorrespondentBindingUpdate(fields: CorrespondentBindingUpdateFields): Uint8Array {
  const message: MobilityMessage = {
    kind: 'bindingUpdate',
    sequence: fields.sequence,
    acknowledge: true,
    homeRegistration: false,
    linkLocalCompatibility: false,
    keyManagement: false,
    overwrite: false,
    otherFlags: 0,
    lifetime: fields.lifetime,
  };
  const nonces: MobilityOption = { kind: 'nonceIndices', homeNonceIndex: fields.homeNonceIndex, careOfNonceIndex: fields.careOfNonceIndex };
  return mobilityPacket(fields.careOfAddress, fields.correspondent, [homeAddressHeader(fields.homeAddress, IpProtocol.mobility)], message, [nonces], undefined, fields.authorization);
}

export interface CorrespondentBindingAckFields {
  correspondent: bigint;
  careOfAddress: bigint;
  homeAddress: bigint;
  status: number;
  sequence: number;
  lifetime: number;
  /** Absent when the BA cannot be authorised (expired nonces, §9.5.4). */
  authorization?: BindingAuthorization;
}

/** A correspondent's BA (§9.5.4): to the CoA through a type 2 routing header, with Binding Authorization Data. */
export function buildCorrespondentBindingAck(fields: CorrespondentBindingAckFields): Uint8Array {
  const routing: Ipv6ExtensionHeader = { kind: 'routingType2', nextHeader: IpProtocol.mobility, segmentsLeft: 1, homeAddress: ipv6ToBytes(fields.homeAddress) };
  const message: MobilityMessage = { kind: 'bindingAcknowledgement', status: fields.status, keyManagement: false, sequence: fields.sequence, lifetime: fields.lifetime };
  return mobilityPacket(fields.correspondent, fields.careOfAddress, [routing], message, [], undefined, fields.authorization);
}

/** A Binding Error (§6.1.9, §9.3.1): `status` about `homeAddress`, to the source of the packet that drew it. */
export function buildBindingError(source: bigint, destination: bigint, status: number, homeAddress: bigint): Uint8Array {
  return mobilityPacket(source, destination, [], { kind: 'bindingError', status, homeAddress: ipv6ToBytes(homeAddress) }, []);
}

/** The next header of an IPv6 packet's fixed header. */
export function nextHeaderOf(packet: Uint8Array): number {
  return packet[6] ?? 0;
}

/**
 * `packet` (a whole IPv6 packet without extension headers before its upper layer, or with ones
 * that may follow ours) re-addressed for route optimisation: `header` inserted right after the
 * fixed header, taking over its next header, and `source`/`destination` put in.
 */
function withHeader(packet: Uint8Array, header: Ipv6ExtensionHeader, source: bigint, destination: bigint): Uint8Array {
  const first = { ...header, nextHeader: nextHeaderOf(packet) };
  const length = ipv6ExtensionHeaderLength(first);
  const payloadLength = ((packet[4] ?? 0) << 8) | (packet[5] ?? 0);
  const out = new Uint8Array(40 + length + payloadLength);
  out.set(packet.subarray(0, 40), 0);
  out[6] = header.kind === 'routingType2' ? IpProtocol.routing : IpProtocol.destinationOptions;
  out[4] = ((payloadLength + length) >> 8) & 0xff;
  out[5] = (payloadLength + length) & 0xff;
  out.set(ipv6ToBytes(source), 8);
  out.set(ipv6ToBytes(destination), 24);
  emitIpv6ExtensionHeaders([first], out, 40);
  out.set(packet.subarray(40, 40 + payloadLength), 40 + length);
  return out;
}

/** The correspondent's direct path (§9.3.2): to the CoA, the home address in a type 2 routing header. */
export function routeToCareOf(packet: Uint8Array, careOfAddress: bigint): Uint8Array {
  const { source, destination } = addressesOf(packet);
  return withHeader(packet, { kind: 'routingType2', nextHeader: 0, segmentsLeft: 1, homeAddress: ipv6ToBytes(destination) }, source, careOfAddress);
}

/** The mobile node's direct path (§11.3.1): from the CoA, the home address in the Home Address option. */
export function sendFromCareOf(packet: Uint8Array, careOfAddress: bigint): Uint8Array {
  const { source, destination } = addressesOf(packet);
  return withHeader(packet, homeAddressHeader(source, 0), careOfAddress, destination);
}
