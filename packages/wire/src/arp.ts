/**
 * ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, lengths 6 and 4.
 *
 * Covers: request and reply (and any other operation code, kept as a number), sender/target
 * hardware and protocol addresses. Bytes after the 28-byte packet (Ethernet padding) are ignored.
 * Leaves out: other hardware or protocol types (parse says `unsupported`), RARP, InARP.
 */
import { readIpv4, writeIpv4, type Ipv4Address } from './address.js';
import { readU16, writeU16 } from './bytes.js';
import { wireError, type WireError } from './wire-error.js';

export const ArpOperation = {
  request: 1,
  reply: 2,
} as const;

export const ARP_PACKET_LENGTH = 28;

const HARDWARE_TYPE = 0;
const PROTOCOL_TYPE = 2;
const HARDWARE_LENGTH = 4;
const PROTOCOL_LENGTH = 5;
const OPERATION = 6;
const SENDER_MAC = 8;
const SENDER_IP = 14;
const TARGET_MAC = 18;
const TARGET_IP = 24;

const HARDWARE_ETHERNET = 1;
const PROTOCOL_IPV4 = 0x0800;

export interface ArpRepr {
  /** 1 request, 2 reply (ArpOperation). */
  operation: number;
  senderMac: Uint8Array;
  senderIp: Ipv4Address;
  targetMac: Uint8Array;
  targetIp: Ipv4Address;
}

/** A checked view over an Ethernet/IPv4 ARP packet. */
export class ArpPacketView {
  private constructor(readonly bytes: Uint8Array) {}

  /** A view once 28 bytes are present and the packet is Ethernet/IPv4 ARP. */
  static check(bytes: Uint8Array): ArpPacketView | WireError {
    if (bytes.length < ARP_PACKET_LENGTH) return wireError('truncated');
    const view = new ArpPacketView(bytes);
    if (
      view.hardwareType !== HARDWARE_ETHERNET ||
      view.protocolType !== PROTOCOL_IPV4 ||
      view.hardwareLength !== 6 ||
      view.protocolLength !== 4
    ) {
      return wireError('unsupported');
    }
    return view;
  }

  static over(bytes: Uint8Array): ArpPacketView {
    return new ArpPacketView(bytes);
  }

  get hardwareType(): number {
    return readU16(this.bytes, HARDWARE_TYPE);
  }
  get protocolType(): number {
    return readU16(this.bytes, PROTOCOL_TYPE);
  }
  get hardwareLength(): number {
    return this.bytes[HARDWARE_LENGTH] ?? 0;
  }
  get protocolLength(): number {
    return this.bytes[PROTOCOL_LENGTH] ?? 0;
  }
  /** Writes hardware type 1, protocol 0x0800, lengths 6 and 4. */
  setEthernetIpv4(): void {
    writeU16(this.bytes, HARDWARE_TYPE, HARDWARE_ETHERNET);
    writeU16(this.bytes, PROTOCOL_TYPE, PROTOCOL_IPV4);
    this.bytes[HARDWARE_LENGTH] = 6;
    this.bytes[PROTOCOL_LENGTH] = 4;
  }
  get operation(): number {
    return readU16(this.bytes, OPERATION);
  }
  set operation(value: number) {
    writeU16(this.bytes, OPERATION, value);
  }
  get senderMac(): Uint8Array {
    return this.bytes.subarray(SENDER_MAC, SENDER_MAC + 6);
  }
  set senderMac(mac: Uint8Array) {
    this.bytes.set(mac.subarray(0, 6), SENDER_MAC);
  }
  get senderIp(): Ipv4Address {
    return readIpv4(this.bytes, SENDER_IP);
  }
  set senderIp(address: Ipv4Address) {
    writeIpv4(this.bytes, SENDER_IP, address);
  }
  get targetMac(): Uint8Array {
    return this.bytes.subarray(TARGET_MAC, TARGET_MAC + 6);
  }
  set targetMac(mac: Uint8Array) {
    this.bytes.set(mac.subarray(0, 6), TARGET_MAC);
  }
  get targetIp(): Ipv4Address {
    return readIpv4(this.bytes, TARGET_IP);
  }
  set targetIp(address: Ipv4Address) {
    writeIpv4(this.bytes, TARGET_IP, address);
  }
}

export function parseArp(bytes: Uint8Array): ArpRepr | WireError {
  const view = ArpPacketView.check(bytes);
  if (!(view instanceof ArpPacketView)) return view;
  return {
    operation: view.operation,
    senderMac: bytes.slice(SENDER_MAC, SENDER_MAC + 6),
    senderIp: view.senderIp,
    targetMac: bytes.slice(TARGET_MAC, TARGET_MAC + 6),
    targetIp: view.targetIp,
  };
}

export function arpBufferLen(_repr?: ArpRepr): number {
  return ARP_PACKET_LENGTH;
}

/** Write the 28-byte packet at `offset`; returns 28. */
export function emitArp(repr: ArpRepr, buf: Uint8Array, offset = 0): number {
  const view = ArpPacketView.over(offset === 0 ? buf : buf.subarray(offset));
  view.setEthernetIpv4();
  view.operation = repr.operation;
  view.senderMac = repr.senderMac;
  view.senderIp = repr.senderIp;
  view.targetMac = repr.targetMac;
  view.targetIp = repr.targetIp;
  return ARP_PACKET_LENGTH;
}
