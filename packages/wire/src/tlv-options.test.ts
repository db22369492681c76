import { describe, expect, it } from 'vitest';
import { tlvPadding, walkTlvOptions } from './tlv-options.js';
import { isWireError } from './wire-error.js';

type Record = { kind: 'tlv'; type: number; data: number[] };

const parse = (type: number, data: Uint8Array): Record => ({ kind: 'tlv', type, data: [...data] });

describe('TLV options', () => {
  it('walks Pad1, PadN and other options in order, a zero-length one included', () => {
    const bytes = Uint8Array.from([
      0x00, // Pad1
      0x05, 0x02, 0x00, 0x00, // Router Alert, 2 bytes
      0x01, 0x01, 0x00, // PadN, 1 byte
      0xc9, 0x00, // an option of no data
      0x00, // Pad1
    ]);
    expect(walkTlvOptions(bytes, parse)).toEqual([
      { kind: 'pad1' },
      { kind: 'tlv', type: 0x05, data: [0, 0] },
      { kind: 'padN', data: new Uint8Array(1) },
      { kind: 'tlv', type: 0xc9, data: [] },
      { kind: 'pad1' },
    ]);
    expect(walkTlvOptions(new Uint8Array(0), parse)).toEqual([]);
  });

  it('an option without its length byte, or whose data runs past the end, is badOption', () => {
    expect(walkTlvOptions(Uint8Array.from([0x00, 0x05]), parse)).toEqual({ error: 'badOption' });
    expect(walkTlvOptions(Uint8Array.from([0x05, 0x03, 0x00, 0x00]), parse)).toEqual({ error: 'badOption' });
    expect(isWireError(walkTlvOptions(Uint8Array.from([0x05, 0x02, 0x00, 0x00]), parse))).toBe(false);
  });

  it('takes as many options as the bound, padding counted, and no more', () => {
    expect(walkTlvOptions(new Uint8Array(3), parse, 3)).toHaveLength(3);
    expect(walkTlvOptions(new Uint8Array(4), parse, 3)).toEqual({ error: 'badOption' });
  });

  it('pads with nothing, a Pad1, or one PadN of zeros', () => {
    expect(tlvPadding(0)).toEqual([]);
    expect(tlvPadding(1)).toEqual([{ kind: 'pad1' }]);
    expect(tlvPadding(2)).toEqual([{ kind: 'padN', data: new Uint8Array(0) }]);
    expect(tlvPadding(7)).toEqual([{ kind: 'padN', data: new Uint8Array(5) }]);
  });
});
