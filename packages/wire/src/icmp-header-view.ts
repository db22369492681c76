/**
 * The 8-byte header ICMPv4 (RFC 792) and ICMPv6 (RFC 4443 §2.1) share: type, code, checksum, and
 * four bytes whose meaning depends on the type (the echo identifier and sequence, an MTU, a
 * pointer, a gateway). Internal to wire: Icmpv4MessageView and Icmpv6MessageView extend it and add
 * their checksums (ICMPv6's covers a pseudo-header) and their own fields.
 */
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';

export const ICMP_HEADER_LENGTH = 8;

const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const REST = 4;

export class IcmpHeaderView {
  protected constructor(readonly bytes: Uint8Array) {}

  get type(): number {
    return this.bytes[TYPE] ?? 0;
  }
  set type(value: number) {
    this.bytes[TYPE] = value;
  }
  get code(): number {
    return this.bytes[CODE] ?? 0;
  }
  set code(value: number) {
    this.bytes[CODE] = value;
  }
  get checksum(): number {
    return readU16(this.bytes, CHECKSUM);
  }
  set checksum(value: number) {
    writeU16(this.bytes, CHECKSUM, value);
  }
  /** Echo identifier (bytes 4–5). */
  get identifier(): number {
    return readU16(this.bytes, REST);
  }
  set identifier(value: number) {
    writeU16(this.bytes, REST, value);
  }
  /** Echo sequence number (bytes 6–7). */
  get sequence(): number {
    return readU16(this.bytes, REST + 2);
  }
  set sequence(value: number) {
    writeU16(this.bytes, REST + 2, value);
  }
  /** Bytes 4–7 as one number. */
  get restOfHeader(): number {
    return readU32(this.bytes, REST);
  }
  set restOfHeader(value: number) {
    writeU32(this.bytes, REST, value);
  }
  /** Everything after the 8-byte header: echo data, or the quoted packet of an error. */
  get body(): Uint8Array {
    return this.bytes.subarray(ICMP_HEADER_LENGTH);
  }
}
