/**
 * pcapng capture files (draft-ietf-opsawg-pcapng): one file per link or LAN, one interface per link
 * end, frames as the ends saw them.
 *
 * Covers: a Section Header Block (little endian), an Interface Description Block per end
 * (LINKTYPE_ETHERNET, if_name `node:ifname`, if_tsresol 9 = nanoseconds) and Enhanced Packet
 * Blocks with virtual timestamps and epb_flags direction (inbound/outbound). The emulator writes
 * each frame once, on the sending end's interface at the time it was sent (outbound), like a tap
 * at the sender: a frame then lost on the wire is in the capture, and request/reply matching in
 * Wireshark sees no duplicates. Files are named `<link id, ':' → '_'>.pcapng`.
 * Leaves out: name resolution and statistics blocks.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const LINKTYPE_ETHERNET = 1;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function option(code: number, value: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(4 + pad4(value.length));
  const view = new DataView(bytes.buffer);
  view.setUint16(0, code, true);
  view.setUint16(2, value.length, true);
  bytes.set(value, 4);
  return bytes;
}

function block(type: number, body: Uint8Array[]): Uint8Array {
  const bodyLength = body.reduce((sum, part) => sum + part.length, 0);
  const total = 12 + bodyLength;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  let offset = 8;
  for (const part of body) {
    bytes.set(part, offset);
    offset += part.length;
  }
  view.setUint32(total - 4, total, true);
  return bytes;
}

const END_OF_OPTIONS = new Uint8Array(4);

export function sectionHeaderBlock(): Uint8Array {
  const fixed = new Uint8Array(16);
  const view = new DataView(fixed.buffer);
  view.setUint32(0, 0x1a2b3c4d, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, 0, true);
  view.setInt32(8, -1, true); // section length unknown
  view.setInt32(12, -1, true);
  const userAppl = option(4, new TextEncoder().encode('netloom'));
  return block(SHB, [fixed, userAppl, END_OF_OPTIONS]);
}

export function interfaceDescriptionBlock(name: string, snaplen = 262144): Uint8Array {
  const fixed = new Uint8Array(8);
  const view = new DataView(fixed.buffer);
  view.setUint16(0, LINKTYPE_ETHERNET, true);
  view.setUint32(4, snaplen, true);
  return block(IDB, [fixed, option(2, new TextEncoder().encode(name)), option(9, Uint8Array.of(9)), END_OF_OPTIONS]);
}

export function enhancedPacketBlock(interfaceId: number, timestampNs: number, frame: Uint8Array, inbound: boolean): Uint8Array {
  const fixed = new Uint8Array(20);
  const view = new DataView(fixed.buffer);
  view.setUint32(0, interfaceId, true);
  const high = Math.floor(timestampNs / 2 ** 32);
  view.setUint32(4, high, true);
  view.setUint32(8, timestampNs - high * 2 ** 32, true);
  view.setUint32(12, frame.length, true);
  view.setUint32(16, frame.length, true);
  const data = new Uint8Array(pad4(frame.length));
  data.set(frame);
  const flags = new Uint8Array(4);
  new DataView(flags.buffer).setUint32(0, inbound ? 1 : 2, true);
  return block(EPB, [fixed, data, option(2, flags), END_OF_OPTIONS]);
}

export function captureFileName(linkId: string): string {
  return `${linkId.replaceAll(':', '_')}.pcapng`;
}

interface CaptureFile {
  fd: number;
  path: string;
  pending: Uint8Array[];
}

/** Writes every link's capture file; frames are appended in the order they are given. */
export class PcapngCapture {
  private readonly files: CaptureFile[];

  /** `links[i]` = the link id and its ends' names, in port order. */
  constructor(dir: string, links: { id: string; ends: string[] }[]) {
    mkdirSync(dir, { recursive: true });
    this.files = links.map((link) => {
      const path = join(dir, captureFileName(link.id));
      const fd = openSync(path, 'w');
      const header = [sectionHeaderBlock(), ...link.ends.map((end) => interfaceDescriptionBlock(end))];
      for (const part of header) writeSync(fd, part);
      return { fd, path, pending: [] };
    });
  }

  get paths(): string[] {
    return this.files.map((file) => file.path);
  }

  add(link: number, end: number, timestampNs: number, frame: Uint8Array, inbound: boolean): void {
    this.files[link]?.pending.push(enhancedPacketBlock(end, timestampNs, frame, inbound));
  }

  flush(): void {
    for (const file of this.files) {
      if (file.pending.length === 0) continue;
      const total = file.pending.reduce((sum, part) => sum + part.length, 0);
      const bytes = new Uint8Array(total);
      let offset = 0;
      for (const part of file.pending) {
        bytes.set(part, offset);
        offset += part.length;
      }
      writeSync(file.fd, bytes);
      file.pending = [];
    }
  }

  close(): void {
    this.flush();
    for (const file of this.files) closeSync(file.fd);
  }
}
