/**
 * The packet mangling of IPVS masquerading (LVS-NAT), in place on an IPv4 packet: the destination
 * of a request rewritten to the real server (tcp_dnat_handler / udp_dnat_handler with
 * ip_vs_nat_xmit's `ip_hdr(skb)->daddr = cp->daddr.ip; ip_send_check`), the source of a reply
 * rewritten back to the virtual service (tcp_snat_handler / udp_snat_handler in handle_response),
 * and ICMP errors about a masqueraded connection (ip_vs_nat_icmp: the outer address, the quoted
 * packet's address and port, the quoted header's checksum, then the ICMP checksum computed again).
 *
 * Checksums are updated incrementally as the kernel's tcp_fast_csum_update / udp_fast_csum_update
 * do (RFC 1624 over the changed address and port words), so an unchanged payload keeps a valid
 * transport checksum; a UDP datagram sent without a checksum (0) keeps none, and a UDP checksum
 * that comes out 0 is sent as 0xffff (CSUM_MANGLED_0). The caller has checked the headers
 * (ipv4PacketParts). Leaves out: IP options (the transport header is found after them), SCTP,
 * application helpers (FTP's PORT rewriting).
 */
import { adjustChecksum, internetChecksum, IpProtocol } from '@netloom/wire';

/** Where the parts of a TCP or UDP packet start, or null when it is too short to rewrite. */
export interface PacketParts {
  readonly headerLength: number;
  readonly protocol: number;
  /** Offset of the 16-bit transport checksum, or -1 for protocols without ports. */
  readonly checksumAt: number;
}

const TCP_CHECKSUM = 16;
const UDP_CHECKSUM = 6;

/** The IPv4 header length and the transport checksum's offset (TCP, UDP), or null when truncated. */
export function ipv4PacketParts(bytes: Uint8Array): PacketParts | null {
  if (bytes.length < 20) return null;
  const headerLength = ((bytes[0] ?? 0) & 0x0f) * 4;
  const protocol = bytes[9] ?? 0;
  if (protocol === IpProtocol.tcp) return bytes.length >= headerLength + 20 ? { headerLength, protocol, checksumAt: headerLength + TCP_CHECKSUM } : null;
  if (protocol === IpProtocol.udp) return bytes.length >= headerLength + 8 ? { headerLength, protocol, checksumAt: headerLength + UDP_CHECKSUM } : null;
  return bytes.length >= headerLength + 8 ? { headerLength, protocol, checksumAt: -1 } : null;
}

const read16 = (b: Uint8Array, at: number): number => (((b[at] ?? 0) << 8) | (b[at + 1] ?? 0)) >>> 0;
const write16 = (b: Uint8Array, at: number, value: number): void => {
  b[at] = (value >>> 8) & 0xff;
  b[at + 1] = value & 0xff;
};
export const readAddress = (b: Uint8Array, at: number): number => (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
const writeAddress = (b: Uint8Array, at: number, address: number): void => {
  write16(b, at, address >>> 16);
  write16(b, at + 2, address & 0xffff);
};

/** A 16-bit checksum after the 32-bit word at `at` changed from `old` to `now` (two RFC 1624 steps). */
function adjustForAddress(checksum: number, old: number, now: number): number {
  return adjustChecksum(adjustChecksum(checksum, old >>> 16, now >>> 16), old & 0xffff, now & 0xffff);
}

/**
 * Replace the address at `addressAt` (12: source, 16: destination) and the port at `portAt` of
 * the transport header, fixing the IP header checksum and the transport checksum (whose pseudo
 * header covers the address).
 */
function rewriteEndpoint(bytes: Uint8Array, parts: PacketParts, addressAt: number, portAt: number, address: number, port: number): void {
  const oldAddress = readAddress(bytes, addressAt);
  const oldPort = read16(bytes, parts.headerLength + portAt);
  writeAddress(bytes, addressAt, address);
  write16(bytes, 10, adjustForAddress(read16(bytes, 10), oldAddress, address));
  if (parts.checksumAt < 0) return;
  write16(bytes, parts.headerLength + portAt, port);
  const checksum = read16(bytes, parts.checksumAt);
  // udp_fast_csum_update is skipped for a datagram sent without a checksum.
  if (parts.protocol === IpProtocol.udp && checksum === 0) return;
  let updated = adjustChecksum(adjustForAddress(checksum, oldAddress, address), oldPort, port);
  if (parts.protocol === IpProtocol.udp && updated === 0) updated = 0xffff;
  write16(bytes, parts.checksumAt, updated);
}

/** DNAT (a request towards the real server): destination address and port. */
export function rewriteDestination(bytes: Uint8Array, parts: PacketParts, address: number, port: number): void {
  rewriteEndpoint(bytes, parts, 16, 2, address, port);
}

/** SNAT (a reply from the real server): source address and port. */
export function rewriteSource(bytes: Uint8Array, parts: PacketParts, address: number, port: number): void {
  rewriteEndpoint(bytes, parts, 12, 0, address, port);
}

/** Where an ICMP error's quoted packet starts and which of its endpoints belongs to the connection. */
export interface QuotedPacket {
  /** Offset of the quoted IPv4 header in the packet. */
  readonly at: number;
  readonly headerLength: number;
  readonly protocol: number;
  readonly source: number;
  readonly destination: number;
  readonly sourcePort: number;
  readonly destinationPort: number;
}

/** The packet an ICMP error quotes (its IPv4 header and the first 4 bytes after it), or null. */
export function quotedPacket(bytes: Uint8Array, parts: PacketParts): QuotedPacket | null {
  const at = parts.headerLength + 8;
  if (bytes.length < at + 20 || ((bytes[at] ?? 0) >> 4) !== 4) return null;
  const headerLength = ((bytes[at] ?? 0) & 0x0f) * 4;
  if (headerLength < 20 || bytes.length < at + headerLength + 4) return null;
  return {
    at,
    headerLength,
    protocol: bytes[at + 9] ?? 0,
    source: readAddress(bytes, at + 12),
    destination: readAddress(bytes, at + 16),
    sourcePort: read16(bytes, at + headerLength),
    destinationPort: read16(bytes, at + headerLength + 2),
  };
}

/**
 * ip_vs_nat_icmp: an ICMP error about a masqueraded connection. `inbound` (client side → real
 * server): the outer destination and the quoted packet's source become the real server's address,
 * the quoted source port its port. Outbound (real server → client): the outer source and the
 * quoted destination become the virtual address, the quoted destination port the virtual port.
 * The quoted IP header's checksum is computed again (ip_send_check), then the whole ICMP checksum.
 */
export function rewriteIcmpError(bytes: Uint8Array, parts: PacketParts, quoted: QuotedPacket, inbound: boolean, address: number, port: number): void {
  const outerAt = inbound ? 16 : 12;
  const oldOuter = readAddress(bytes, outerAt);
  writeAddress(bytes, outerAt, address);
  write16(bytes, 10, adjustForAddress(read16(bytes, 10), oldOuter, address));
  const q = quoted.at;
  writeAddress(bytes, q + (inbound ? 12 : 16), address);
  write16(bytes, q + 10, 0);
  write16(bytes, q + 10, internetChecksum(bytes, q, q + quoted.headerLength));
  if (quoted.protocol === IpProtocol.tcp || quoted.protocol === IpProtocol.udp) write16(bytes, q + quoted.headerLength + (inbound ? 0 : 2), port);
  const icmpAt = parts.headerLength;
  const totalLength = Math.min(bytes.length, read16(bytes, 2));
  write16(bytes, icmpAt + 2, 0);
  write16(bytes, icmpAt + 2, internetChecksum(bytes, icmpAt, totalLength));
}

// ---------------------------------------------------------------- IPv6 (no header checksum; the pseudo header covers 128-bit addresses)

const IPV6_HEADER = 40;

/** The parts of an IPv6 packet whose fixed header is followed directly by TCP or UDP, or null (extension headers, truncated). */
export function ipv6PacketParts(bytes: Uint8Array): PacketParts | null {
  if (bytes.length < IPV6_HEADER || ((bytes[0] ?? 0) >> 4) !== 6) return null;
  const protocol = bytes[6] ?? 0;
  if (protocol === IpProtocol.tcp) return bytes.length >= IPV6_HEADER + 20 ? { headerLength: IPV6_HEADER, protocol, checksumAt: IPV6_HEADER + TCP_CHECKSUM } : null;
  if (protocol === IpProtocol.udp) return bytes.length >= IPV6_HEADER + 8 ? { headerLength: IPV6_HEADER, protocol, checksumAt: IPV6_HEADER + UDP_CHECKSUM } : null;
  return null;
}

/** The 128-bit address at `at` (8: source, 24: destination). */
export function readAddress6(bytes: Uint8Array, at: number): bigint {
  let value = 0n;
  for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(bytes[at + i] ?? 0);
  return value;
}

function rewriteEndpoint6(bytes: Uint8Array, parts: PacketParts, addressAt: number, portAt: number, address: bigint, port: number): void {
  let checksum = read16(bytes, parts.checksumAt);
  for (let i = 0; i < 8; i++) {
    const at = addressAt + 2 * i;
    const word = Number((address >> BigInt(112 - 16 * i)) & 0xffffn);
    checksum = adjustChecksum(checksum, read16(bytes, at), word);
    write16(bytes, at, word);
  }
  const oldPort = read16(bytes, parts.headerLength + portAt);
  write16(bytes, parts.headerLength + portAt, port);
  checksum = adjustChecksum(checksum, oldPort, port);
  if (parts.protocol === IpProtocol.udp && checksum === 0) checksum = 0xffff;
  write16(bytes, parts.checksumAt, checksum);
}

/** IPv6 DNAT: destination address and port (tcp_dnat_handler for AF_INET6). */
export function rewriteDestination6(bytes: Uint8Array, parts: PacketParts, address: bigint, port: number): void {
  rewriteEndpoint6(bytes, parts, 24, 2, address, port);
}

/** IPv6 SNAT of a reply: source address and port. */
export function rewriteSource6(bytes: Uint8Array, parts: PacketParts, address: bigint, port: number): void {
  rewriteEndpoint6(bytes, parts, 8, 0, address, port);
}
