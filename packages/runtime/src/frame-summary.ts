/**
 * The one-line summary of a frame in trace events: @netloom/wire's tcpdump-like descriptions. The
 * single place the runtime asks for them (in the controller, never on the shards' hot path).
 *
 * Stack events (forward, deliver, drop) may carry the IP packet rather than the whole Ethernet
 * frame; a buffer that is exactly one IPv4 or IPv6 packet by its own length fields is described as
 * that packet, anything else as an Ethernet frame.
 */
import { describeFrame, describeIpv4Packet, describeIpv6Packet } from '@netloom/wire';

function isIpPacket(bytes: Uint8Array): 4 | 6 | null {
  if (bytes.length < 20) return null;
  const version = bytes[0]! >> 4;
  if (version === 4 && (bytes[0]! & 0x0f) >= 5 && ((bytes[2]! << 8) | bytes[3]!) === bytes.length) return 4;
  if (version === 6 && bytes.length >= 40 && ((bytes[4]! << 8) | bytes[5]!) + 40 === bytes.length) return 6;
  return null;
}

export function summarizeFrame(bytes: Uint8Array): string {
  const ip = isIpPacket(bytes);
  if (ip === 4) return describeIpv4Packet(bytes);
  if (ip === 6) return describeIpv6Packet(bytes);
  return describeFrame(bytes);
}
