/**
 * The type-length-value option encoding that IPv6's Hop-by-Hop and Destination Options headers
 * (RFC 8200 §4.2) and the Mobility Header's options (RFC 6275 §6.2) share: Pad1 is a lone type
 * byte 0; every other option is a type byte, a length byte and that many bytes of data, PadN
 * (type 1) among them. Both registries give Pad1 and PadN the same numbers.
 *
 * Covers: walking a run of options (padding kept as options, so a header re-emits byte for byte;
 * an option whose length byte or data runs past the end is `badOption`, as is one past a bound on
 * the count of options) and the padding that fills a given number of bytes (Pad1 for one, PadN of
 * zeros for more). Leaves out what each option means, its alignment and how it is emitted: that
 * is ipv6-extension-headers.ts's and mobility-header.ts's.
 */
import { wireError, type WireError } from './wire-error.js';

/** Pad1 and PadN's type in both option registries (RFC 8200 §4.2, RFC 6275 §6.2.2–§6.2.3). */
export const TlvPadType = { pad1: 0x00, padN: 0x01 } as const;

/** What the walk and the padding need of a family of option records. */
export interface TlvOptionFamily<O> {
  /** The Pad1 record (one byte, no length). */
  readonly pad1: O;
  /** A PadN with its data. */
  padN(data: Uint8Array): O;
  /** Any other option from its type and data (a subarray of the input); PadN comes here too. */
  parse(type: number, data: Uint8Array): O;
  /** At most this many options in one run; more is `badOption`. */
  readonly maxOptions: number;
}

/** Walk the options in `bytes` (all of them options and padding) into records. */
export function walkTlvOptions<O>(bytes: Uint8Array, family: TlvOptionFamily<O>): O[] | WireError {
  const options: O[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (options.length === family.maxOptions) return wireError('badOption');
    const type = bytes[offset] ?? 0;
    if (type === TlvPadType.pad1) {
      options.push(family.pad1);
      offset++;
      continue;
    }
    if (offset + 2 > bytes.length) return wireError('badOption');
    const end = offset + 2 + (bytes[offset + 1] ?? 0);
    if (end > bytes.length) return wireError('badOption');
    options.push(family.parse(type, bytes.subarray(offset + 2, end)));
    offset = end;
  }
  return options;
}

/** The padding that fills `length` bytes: none, a Pad1, or a PadN of zeros. */
export function tlvPadding<O>(length: number, family: TlvOptionFamily<O>): O[] {
  if (length === 0) return [];
  return [length === 1 ? family.pad1 : family.padN(new Uint8Array(length - 2))];
}
