/**
 * A classic pcap file (LINKTYPE_ETHERNET, microsecond timestamps, all zero) holding frames, for
 * the tests that hand netloom's bytes to tcpdump or tshark.
 */
export function pcapOf(frames: readonly Uint8Array[]): Uint8Array {
  const length = 24 + frames.reduce((sum, frame) => sum + 16 + frame.length, 0);
  const pcap = new Uint8Array(length);
  const view = new DataView(pcap.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 1, true);
  let offset = 24;
  for (const frame of frames) {
    view.setUint32(offset + 8, frame.length, true);
    view.setUint32(offset + 12, frame.length, true);
    pcap.set(frame, offset + 16);
    offset += 16 + frame.length;
  }
  return pcap;
}
