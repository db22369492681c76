import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EtherType, EthernetFrameView, emitEthernet, ethernetBufferLen, parseEthernet, type EthernetRepr } from './ethernet.js';
import { ethernetReprArb, filledBuffer } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { isWireError } from './wire-error.js';

// The ARP request captured from Linux (testing/captured-frames.ts):
//   ff ff ff ff ff ff   destination: broadcast
//   02 00 00 00 00 01   source
//   08 06               EtherType: ARP
//   00 01 08 00 06 04 00 01 …  (28 bytes of ARP)
const untagged = hexBytes(captured.arpRequest.hex);

// The same frame with an 802.1Q tag inserted after the source (IEEE 802.1Q §9.6):
//   81 00               TPID
//   a0 0a               TCI: PCP 5, DEI 0, VID 10
//   08 06               EtherType: ARP
const tagged = hexBytes(captured.arpRequest.hex.slice(0, 24) + '8100a00a' + captured.arpRequest.hex.slice(24));

const broadcast = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const sourceMac = new Uint8Array([0x02, 0, 0, 0, 0, 0x01]);

describe('Ethernet II', () => {
  it('reads the fields of an untagged frame through the view', () => {
    const view = EthernetFrameView.check(untagged);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.destination).toEqual(broadcast);
    expect(view.source).toEqual(sourceMac);
    expect(view.isVlanTagged).toBe(false);
    expect(view.ethertype).toBe(EtherType.arp);
    expect(view.headerLength).toBe(14);
    expect(view.payload).toEqual(untagged.subarray(14));
  });

  it('reads the 802.1Q tag and the inner EtherType through the view', () => {
    const view = EthernetFrameView.check(tagged);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.isVlanTagged).toBe(true);
    expect(view.vlanTci).toBe(0xa00a);
    expect(view.ethertype).toBe(EtherType.arp);
    expect(view.payload).toEqual(untagged.subarray(14));
  });

  it('writes a tagged header through the view', () => {
    const bytes = filledBuffer(tagged.length);
    bytes.set(untagged.subarray(14), 18);
    const view = EthernetFrameView.over(bytes);
    view.destination = broadcast;
    view.source = sourceMac;
    view.setVlanTag(0xa00a);
    view.ethertype = EtherType.arp;
    expect(bytes).toEqual(tagged);
  });

  it('parses a frame into a record, the payload a view of the input', () => {
    expect(parseEthernet(tagged)).toEqual({
      destination: broadcast,
      source: sourceMac,
      vlan: { priority: 5, dropEligible: false, id: 10 },
      ethertype: EtherType.arp,
      payload: untagged.subarray(14),
    });
    const repr = parseEthernet(untagged) as EthernetRepr;
    expect(repr.vlan).toBeNull();
    expect(repr.payload.buffer).toBe(untagged.buffer);
  });

  it('emits a record into a buffer pre-filled with 0xa5, writing every byte', () => {
    const repr: EthernetRepr = {
      destination: broadcast,
      source: sourceMac,
      vlan: { priority: 5, dropEligible: false, id: 10 },
      ethertype: EtherType.arp,
      payload: untagged.subarray(14),
    };
    const buf = filledBuffer(ethernetBufferLen(repr) + 2);
    expect(emitEthernet(repr, buf, 1)).toBe(tagged.length);
    expect(buf.subarray(1, 1 + tagged.length)).toEqual(tagged);
    expect(buf[0]).toBe(0xa5);
    expect(buf[buf.length - 1]).toBe(0xa5);
  });

  it('reports truncation instead of throwing', () => {
    expect(parseEthernet(untagged.subarray(0, 13))).toEqual({ error: 'truncated' });
    expect(parseEthernet(tagged.subarray(0, 17))).toEqual({ error: 'truncated' });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40, size: 'max' }), (bytes) => void parseEthernet(bytes)));
  });

  it('checks a frame without a view as parseEthernet does: where the payload begins and its EtherType', () => {
    expect(EthernetFrameView.checkedHeaderLength(untagged)).toBe(14);
    expect(EthernetFrameView.checkedHeaderLength(tagged)).toBe(18);
    expect(EthernetFrameView.ethertypeOf(tagged)).toBe(EtherType.arp);
    // Tagged often, so that the tag's length check is reached.
    const framesArb = fc.uint8Array({ maxLength: 24, size: 'max' }).chain((bytes) => fc.boolean().map((tag) => (tag && bytes.length >= 14 ? Uint8Array.of(...bytes.subarray(0, 12), 0x81, 0x00, ...bytes.subarray(14)) : bytes)));
    fc.assert(
      fc.property(framesArb, (bytes) => {
        const parsed = parseEthernet(bytes);
        const headerLength = EthernetFrameView.checkedHeaderLength(bytes);
        if (isWireError(parsed)) {
          expect(headerLength).toEqual(parsed);
          return;
        }
        expect(headerLength).toBe(bytes.length - parsed.payload.length);
        expect(EthernetFrameView.ethertypeOf(bytes)).toBe(parsed.ethertype);
      }),
    );
  });

  it('parse ∘ emit is the identity on records', () => {
    fc.assert(
      fc.property(ethernetReprArb, (repr) => {
        const buf = filledBuffer(ethernetBufferLen(repr));
        emitEthernet(repr, buf);
        expect(parseEthernet(buf)).toEqual(repr);
      }),
    );
  });

  it('emit ∘ parse is the identity on valid frames', () => {
    fc.assert(
      fc.property(ethernetReprArb, (repr) => {
        const frame = new Uint8Array(ethernetBufferLen(repr));
        emitEthernet(repr, frame);
        const parsed = parseEthernet(frame) as EthernetRepr;
        const again = filledBuffer(frame.length);
        emitEthernet(parsed, again);
        expect(again).toEqual(frame);
      }),
    );
  });
});
