import { describe, expect, it } from 'vitest';
import { tlvPadding, walkTlvOptions, type TlvOptionFamily } from './tlv-options.js';
import { isWireError } from './wire-error.js';

type Record = { kind: 'pad1' } | { kind: 'padN'; length: number } | { kind: 'tlv'; type: number; data: number[] };

function family(maxOptions = Number.POSITIVE_INFINITY): TlvOptionFamily<Record> {
  return {
    pad1: { kind: 'pad1' },
    padN: (data) => ({ kind: 'padN', length: data.length }),
    parse: (type, data) => (type === 1 ? { kind: 'padN', length: data.length } : { kind: 'tlv', type, data: [...data] }),
    maxOptions,
  };
}

describe('TLV options', () => {
  it('walks Pad1, PadN and other options in order, a zero-length one included', () => {
    const bytes = Uint8Array.from([
      0x00, // Pad1
      0x05, 0x02, 0x00, 0x00, // Router Alert, 2 bytes
      0x01, 0x01, 0x00, // PadN, 1 byte
      0xc9, 0x00, // an option of no data
      0x00, // Pad1
    ]);
    expect(walkTlvOptions(bytes, family())).toEqual([
      { kind: 'pad1' },
      { kind: 'tlv', type: 0x05, data: [0, 0] },
      { kind: 'padN', length: 1 },
      { kind: 'tlv', type: 0xc9, data: [] },
      { kind: 'pad1' },
    ]);
    expect(walkTlvOptions(new Uint8Array(0), family())).toEqual([]);
  });

  it('an option without its length byte, or whose data runs past the end, is badOption', () => {
    expect(walkTlvOptions(Uint8Array.from([0x00, 0x05]), family())).toEqual({ error: 'badOption' });
    expect(walkTlvOptions(Uint8Array.from([0x05, 0x03, 0x00, 0x00]), family())).toEqual({ error: 'badOption' });
    expect(isWireError(walkTlvOptions(Uint8Array.from([0x05, 0x02, 0x00, 0x00]), family()))).toBe(false);
  });

  it('takes as many options as the bound, padding counted, and no more', () => {
    expect(walkTlvOptions(new Uint8Array(3), family(3))).toHaveLength(3);
    expect(walkTlvOptions(new Uint8Array(4), family(3))).toEqual({ error: 'badOption' });
  });

  it('pads with nothing, a Pad1, or one PadN of zeros', () => {
    expect(tlvPadding(0, family())).toEqual([]);
    expect(tlvPadding(1, family())).toEqual([{ kind: 'pad1' }]);
    expect(tlvPadding(2, family())).toEqual([{ kind: 'padN', length: 0 }]);
    expect(tlvPadding(7, family())).toEqual([{ kind: 'padN', length: 5 }]);
  });
});
