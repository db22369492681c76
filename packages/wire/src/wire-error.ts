/**
 * The error values every `parse…` function returns instead of throwing.
 *
 * Covers: the closed set of reasons a byte string is not a valid packet of a format, and a type
 * guard. Leaves out: counting and tracing drops (the stack does that with its own DropReason).
 */

export type WireErrorKind =
  /** Fewer bytes than the header (or a length field) says there are. */
  | 'truncated'
  /** A checksum field does not verify. */
  | 'badChecksum'
  /** The IP version nibble is not the one the parser expects. */
  | 'badVersion'
  /** A length field is impossible (IPv4 total length below the header length, UDP length < 8, …). */
  | 'badLength'
  /** IPv4 IHL or TCP data offset below 5. */
  | 'badHeaderLength'
  /** A well-formed packet of a variant this module does not model (ARP over non-Ethernet, …). */
  | 'unsupported'
  /**
   * A type-length-value option that cannot be walked: an NDP option of length 0 or running past
   * the message (RFC 4861 §4.6), an IPv6 Hop-by-Hop/Destination option running past its header,
   * a TCP option of length below 2 or running past the TCP header (RFC 9293 §3.1).
   */
  | 'badOption'
  /** An IPv6 extension header chain longer than the walk's bound (ipv6-extension-headers.ts). */
  | 'tooManyExtensionHeaders';

export interface WireError {
  readonly error: WireErrorKind;
}

const errors: { readonly [K in WireErrorKind]: WireError } = {
  truncated: Object.freeze({ error: 'truncated' }),
  badChecksum: Object.freeze({ error: 'badChecksum' }),
  badVersion: Object.freeze({ error: 'badVersion' }),
  badLength: Object.freeze({ error: 'badLength' }),
  badHeaderLength: Object.freeze({ error: 'badHeaderLength' }),
  unsupported: Object.freeze({ error: 'unsupported' }),
  badOption: Object.freeze({ error: 'badOption' }),
  tooManyExtensionHeaders: Object.freeze({ error: 'tooManyExtensionHeaders' }),
};

/** The shared, frozen error value for `kind` (parsers allocate nothing when they fail). */
export function wireError(kind: WireErrorKind): WireError {
  return errors[kind];
}

export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && 'error' in value;
}
