/**
 * The type-length-value option encoding that IPv6's Hop-by-Hop and Destination Options headers
 * (RFC 8200 §4.2) and the Mobility Header's options (RFC 6275 §6.2) share: Pad1 is a lone type
 * byte 0; every other option is a type byte, a length byte and that many bytes of data, PadN
 * (type 1) among them. Both registries give Pad1 and PadN the same numbers, and both kinds of
 * record keep padding as `{ kind: 'pad1' }` and `{ kind: 'padN', data }`.
 *
 * Covers: walking a run of options (padding kept as options, so a header re-emits byte for byte;
 * an option whose length byte or data runs past the end is `badOption`, as is one past a bound on
 * the count of options) and the padding that fills a given number of bytes (Pad1 for one, PadN of
 * zeros for more). Leaves out what each other option means, its alignment and how it is emitted:
 * that is ipv6-extension-headers.ts's and mobility-header.ts's.
 */
import { wireError, type WireError } from './wire-error.js';

/** Pad1 and PadN's type in both option registries (RFC 8200 §4.2, RFC 6275 §6.2.2–§6.2.3). */
export const TlvPadType = { pad1: 0x00, padN: 0x01 } as const;

/** Padding as both kinds of option record hold it. */
export type TlvPadding = { kind: 'pad1' } | { kind: 'padN'; data: Uint8Array };

const PAD1: TlvPadding = Object.freeze({ kind: 'pad1' });

/**
 * Walk the options in `bytes` (all of them options and padding) into records: padding as
 * TlvPadding, any other option as `parse` makes it of its type and data (a subarray of the input).
 * More than `maxOptions` options, padding counted, is `badOption`.
 */
export function walkTlvOptions<O>(bytes: Uint8Array, parse: (type: number, data: Uint8Array) => O, maxOptions = Number.POSITIVE_INFINITY): (O | TlvPadding)[] | WireError {
  const options: (O | TlvPadding)[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (options.length === maxOptions) return wireError('badOption');
    const type = bytes[offset] ?? 0;
    if (type === TlvPadType.pad1) {
      options.push(PAD1);
      offset++;
      continue;
    }
    if (offset + 2 > bytes.length) return wireError('badOption');
    const end = offset + 2 + (bytes[offset + 1] ?? 0);
    if (end > bytes.length) return wireError('badOption');
    const data = bytes.subarray(offset + 2, end);
    options.push(type === TlvPadType.padN ? { kind: 'padN', data } : parse(type, data));
    offset = end;
  }
  return options;
}

/** The padding that fills `length` bytes: none, a Pad1, or a PadN of zeros. */
export function tlvPadding(length: number): TlvPadding[] {
  if (length === 0) return [];
  return [length === 1 ? PAD1 : { kind: 'padN', data: new Uint8Array(length - 2) }];
}
