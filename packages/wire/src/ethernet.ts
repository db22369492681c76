/**
 * Ethernet II frames (IEEE 802.3 §3.2.6 type interpretation) with an optional IEEE 802.1Q tag.
 *
 * Covers: destination, source, one 802.1Q tag (TPID 0x8100: PCP, DEI, VID), the EtherType and the
 * payload. The frame check sequence is not carried (as on Linux taps and in pcaps); frames are not
 * padded to 60 bytes (as veth sends them). Leaves out: 802.3 length frames / LLC (their "EtherType"
 * is < 0x0600 and reported as is), stacked tags (0x88a8 is reported as the EtherType).
 */
import { readU16, writeU16, placeBytes } from './bytes.js';
import { wireError, type WireError } from './wire-error.js';

export const EtherType = {
  ipv4: 0x0800,
  arp: 0x0806,
  vlan: 0x8100,
  ipv6: 0x86dd,
} as const;

export const ETHERNET_HEADER_LENGTH = 14;
export const VLAN_TAG_LENGTH = 4;

/** Field offsets within an Ethernet header. */
const DESTINATION = 0;
const SOURCE = 6;
const TYPE = 12;
const TCI = 14;
const INNER_TYPE = 16;

export interface VlanTag {
  /** Priority code point, 0–7. */
  priority: number;
  /** Drop eligible indicator. */
  dropEligible: boolean;
  /** VLAN identifier, 0–4095. */
  id: number;
}

export interface EthernetRepr {
  destination: Uint8Array;
  source: Uint8Array;
  /** The 802.1Q tag, or null on an untagged frame. */
  vlan: VlanTag | null;
  /** The EtherType of the payload (the inner one on a tagged frame). */
  ethertype: number;
  /** On parse: a subarray of the input (no copy). */
  payload: Uint8Array;
}

/** A checked view over an Ethernet frame: the header fits, so accessors need no bounds checks. */
export class EthernetFrameView {
  private constructor(readonly bytes: Uint8Array) {}

  /** A view once the header (including a tag when the TPID says so) fits in `bytes`. */
  static check(bytes: Uint8Array): EthernetFrameView | WireError {
    const headerLength = EthernetFrameView.checkedHeaderLength(bytes);
    return typeof headerLength === 'number' ? new EthernetFrameView(bytes) : headerLength;
  }

  /**
   * The checks of `check` with no view made: the header's length — 14, or 18 with an 802.1Q tag,
   * where the payload begins — or why the frame is malformed. The receive path asks this and
   * `ethertypeOf`, so a frame it takes in costs no object.
   */
  static checkedHeaderLength(bytes: Uint8Array): number | WireError {
    if (bytes.length < ETHERNET_HEADER_LENGTH) return wireError('truncated');
    if (readU16(bytes, TYPE) !== EtherType.vlan) return ETHERNET_HEADER_LENGTH;
    return bytes.length < ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH ? wireError('truncated') : ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH;
  }

  /** The payload's EtherType of a checked frame (after the tag on a tagged frame). */
  static ethertypeOf(bytes: Uint8Array): number {
    return readU16(bytes, readU16(bytes, TYPE) === EtherType.vlan ? INNER_TYPE : TYPE);
  }

  /** A view over a buffer the caller is about to fill (it must be long enough). */
  static over(bytes: Uint8Array): EthernetFrameView {
    return new EthernetFrameView(bytes);
  }

  get destination(): Uint8Array {
    return this.bytes.subarray(DESTINATION, DESTINATION + 6);
  }
  set destination(mac: Uint8Array) {
    this.bytes.set(mac.subarray(0, 6), DESTINATION);
  }
  get source(): Uint8Array {
    return this.bytes.subarray(SOURCE, SOURCE + 6);
  }
  set source(mac: Uint8Array) {
    this.bytes.set(mac.subarray(0, 6), SOURCE);
  }
  get isVlanTagged(): boolean {
    return readU16(this.bytes, TYPE) === EtherType.vlan;
  }
  /** The 802.1Q tag control information (PCP:3 DEI:1 VID:12); only meaningful when tagged. */
  get vlanTci(): number {
    return readU16(this.bytes, TCI);
  }
  /** The payload's EtherType (after the tag on a tagged frame). */
  get ethertype(): number {
    return EthernetFrameView.ethertypeOf(this.bytes);
  }
  set ethertype(value: number) {
    writeU16(this.bytes, this.isVlanTagged ? INNER_TYPE : TYPE, value);
  }
  /** Write a tag: TPID 0x8100 at offset 12, TCI at 14 (the EtherType then goes at 16). */
  setVlanTag(tci: number): void {
    writeU16(this.bytes, TYPE, EtherType.vlan);
    writeU16(this.bytes, TCI, tci);
  }
  get headerLength(): number {
    return this.isVlanTagged ? ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH : ETHERNET_HEADER_LENGTH;
  }
  get payload(): Uint8Array {
    return this.bytes.subarray(this.headerLength);
  }
}

export function parseEthernet(bytes: Uint8Array): EthernetRepr | WireError {
  const view = EthernetFrameView.check(bytes);
  if (!(view instanceof EthernetFrameView)) return view;
  let vlan: VlanTag | null = null;
  if (view.isVlanTagged) {
    const tci = view.vlanTci;
    vlan = { priority: tci >>> 13, dropEligible: (tci & 0x1000) !== 0, id: tci & 0x0fff };
  }
  return {
    destination: bytes.slice(DESTINATION, DESTINATION + 6),
    source: bytes.slice(SOURCE, SOURCE + 6),
    vlan,
    ethertype: view.ethertype,
    payload: view.payload,
  };
}

export function ethernetHeaderLength(repr: Pick<EthernetRepr, 'vlan'>): number {
  return repr.vlan === null ? ETHERNET_HEADER_LENGTH : ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH;
}

export function ethernetBufferLen(repr: EthernetRepr): number {
  return ethernetHeaderLength(repr) + repr.payload.length;
}

/** Write header and payload at `offset`; returns the number of bytes written. */
export function emitEthernet(repr: EthernetRepr, buf: Uint8Array, offset = 0): number {
  const frame = offset === 0 ? buf : buf.subarray(offset);
  const view = EthernetFrameView.over(frame);
  view.destination = repr.destination;
  view.source = repr.source;
  if (repr.vlan === null) {
    writeU16(frame, TYPE, repr.ethertype);
  } else {
    view.setVlanTag((repr.vlan.priority << 13) | (repr.vlan.dropEligible ? 0x1000 : 0) | repr.vlan.id);
    writeU16(frame, INNER_TYPE, repr.ethertype);
  }
  const headerLength = ethernetHeaderLength(repr);
  placeBytes(buf, offset + headerLength, repr.payload);
  return headerLength + repr.payload.length;
}
