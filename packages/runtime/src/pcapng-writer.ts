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
 *
 * Output files are created safely: the folder, resolved through symbolic links, may not be in
 * /proc, /sys or /dev (the kernel's views; a recursive mkdir under /proc never ends); missing
 * folders are made one level at a time; each file is created with O_CREAT|O_EXCL|O_NOFOLLOW, so a
 * symbolic link planted at its path is never followed. A regular file already there (an earlier
 * capture) is removed first and created anew; anything else there is refused. Problems are
 * CaptureErrors (bad output, not a failing node).
 * Leaves out: name resolution and statistics blocks.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, realpathSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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

/** A capture's output cannot be written where it was asked to be (the caller's input, not a node's fault). */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
}

/** The kernel's views, where no capture is written (after symbolic links are resolved). */
const KERNEL_FOLDERS: Record<string, string> = {
  '/proc': "the kernel's process information",
  '/sys': "the kernel's device and driver information",
  '/dev': 'device files',
};

function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') throw err;
  // "ENOTDIR: not a directory, lstat '/x/y'" → "not a directory"
  return e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/s, '');
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link (captures never follow one)';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

/** The longest part of `dir` that exists, absolute and with symbolic links resolved, and the folder names after it. */
function resolveExisting(dir: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let existing = resolve(dir);
  for (;;) {
    try {
      return { existing: realpathSync(existing), missing };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CaptureError(`cannot write captures into ${dir}: ${reasonOf(err)}`);
      const parent = dirname(existing);
      if (parent === existing) throw new CaptureError(`cannot write captures into ${dir}: ${reasonOf(err)}`);
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
}

/**
 * Checks that captures may be written into `dir` and makes the folders missing on the way, one
 * level at a time. Throws CaptureError. Returns the folder as given.
 */
export function prepareCaptureFolder(dir: string): string {
  if (dir.trim() === '') throw new CaptureError('no capture folder given (an empty name)');
  const { existing, missing } = resolveExisting(dir);
  const real = join(existing, ...missing);
  for (const [root, what] of Object.entries(KERNEL_FOLDERS)) {
    if (real === root || real.startsWith(`${root}/`)) {
      throw new CaptureError(`cannot write captures into ${dir}: ${real === resolve(dir) ? '' : `it is ${real}, `}under ${root}, which holds ${what}, not files`);
    }
  }
  let folder = existing;
  for (const name of missing) {
    folder = join(folder, name);
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(folder).isDirectory()) {
        throw new CaptureError(`cannot make the capture folder ${folder}: ${reasonOf(err)}`);
      }
    }
  }
  try {
    if (!statSync(dir).isDirectory()) throw new CaptureError(`cannot write captures into ${dir}: it is not a directory`);
  } catch (err) {
    if (err instanceof CaptureError) throw err;
    throw new CaptureError(`cannot write captures into ${dir}: ${reasonOf(err)}`);
  }
  return dir;
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Creates `path` for writing without following a symbolic link; an earlier regular file there is replaced. Throws CaptureError. */
export function createCaptureFile(path: string): number {
  try {
    return openSync(path, CREATE_FLAGS, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new CaptureError(`cannot create ${path}: ${reasonOf(err)}`);
  }
  const existing = lstatSync(path);
  if (!existing.isFile()) throw new CaptureError(`cannot create ${path}: it exists and is ${kindOf(existing)}`);
  try {
    unlinkSync(path);
    return openSync(path, CREATE_FLAGS, 0o644);
  } catch (err) {
    // EEXIST here: something was put at the path between the unlink and the open; not followed.
    throw new CaptureError(`cannot create ${path}: ${reasonOf(err)}`);
  }
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
  /** Throws CaptureError, with no file left open, when the folder or a file cannot be made. */
  constructor(dir: string, links: { id: string; ends: string[] }[]) {
    prepareCaptureFolder(dir);
    this.files = [];
    try {
      for (const link of links) {
        const path = join(dir, captureFileName(link.id));
        const fd = createCaptureFile(path);
        this.files.push({ fd, path, pending: [] });
        const header = [sectionHeaderBlock(), ...link.ends.map((end) => interfaceDescriptionBlock(end))];
        for (const part of header) writeSync(fd, part);
      }
    } catch (err) {
      for (const file of this.files) closeSync(file.fd);
      throw err;
    }
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
