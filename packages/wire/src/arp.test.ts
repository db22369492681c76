import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArpOperation, ArpPacketView, arpBufferLen, emitArp, parseArp, type ArpRepr } from './arp.js';
import { arpReprArb, filledBuffer } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { isWireError } from './wire-error.js';

// The ARP reply Linux (10.0.0.254) sent to 10.0.0.1, without its Ethernet header
// (testing/captured-frames.ts, "ARP, Reply 10.0.0.254 is-at 02:00:00:00:00:02, length 28"):
//   00 01         hardware type: Ethernet
//   08 00         protocol type: IPv4
//   06 04         hardware and protocol address lengths
//   00 02         operation: reply
//   02 00 00 00 00 02   sender MAC
//   0a 00 00 fe         sender IP 10.0.0.254
//   02 00 00 00 00 01   target MAC
//   0a 00 00 01         target IP 10.0.0.1
const reply = hexBytes(captured.arpReply.hex).subarray(14);

const replyRepr: ArpRepr = {
  operation: ArpOperation.reply,
  senderMac: new Uint8Array([2, 0, 0, 0, 0, 2]),
  senderIp: 0x0a0000fe,
  targetMac: new Uint8Array([2, 0, 0, 0, 0, 1]),
  targetIp: 0x0a000001,
};

describe('ARP', () => {
  it('reads a reply through the view', () => {
    const view = ArpPacketView.check(reply);
    if (isWireError(view)) throw new Error(view.error);
    expect(view.hardwareType).toBe(1);
    expect(view.protocolType).toBe(0x0800);
    expect(view.operation).toBe(ArpOperation.reply);
    expect(view.senderMac).toEqual(replyRepr.senderMac);
    expect(view.senderIp).toBe(0x0a0000fe);
    expect(view.targetMac).toEqual(replyRepr.targetMac);
    expect(view.targetIp).toBe(0x0a000001);
  });

  it('writes a reply through the view', () => {
    const bytes = filledBuffer(28);
    const view = ArpPacketView.over(bytes);
    view.setEthernetIpv4();
    view.operation = ArpOperation.reply;
    view.senderMac = replyRepr.senderMac;
    view.senderIp = 0x0a0000fe;
    view.targetMac = replyRepr.targetMac;
    view.targetIp = 0x0a000001;
    expect(bytes).toEqual(reply);
  });

  it('parses a reply into a record', () => {
    expect(parseArp(reply)).toEqual(replyRepr);
  });

  it('emits a record into a buffer pre-filled with 0xa5', () => {
    const buf = filledBuffer(arpBufferLen(replyRepr));
    expect(emitArp(replyRepr, buf)).toBe(28);
    expect(buf).toEqual(reply);
  });

  it('ignores Ethernet padding after the 28 bytes', () => {
    const padded = new Uint8Array(46);
    padded.set(reply);
    expect(parseArp(padded)).toEqual(replyRepr);
  });

  it('rejects short packets and other hardware or protocol types', () => {
    expect(parseArp(reply.subarray(0, 27))).toEqual({ error: 'truncated' });
    const ieee802 = reply.slice();
    ieee802[1] = 6;
    expect(parseArp(ieee802)).toEqual({ error: 'unsupported' });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40, size: 'max' }), (bytes) => void parseArp(bytes)));
  });

  it('parse ∘ emit is the identity on records, and emit ∘ parse on packets', () => {
    fc.assert(
      fc.property(arpReprArb, (repr) => {
        const buf = filledBuffer(28);
        emitArp(repr, buf);
        const parsed = parseArp(buf);
        expect(parsed).toEqual(repr);
        const again = filledBuffer(28);
        emitArp(parsed as ArpRepr, again);
        expect(again).toEqual(buf);
      }),
    );
  });
});
