/**
 * Capture output on a hostile file system: the folder checks and the exclusive, no-follow
 * creation of pcapng files (pcapng-writer.ts's prepareCaptureFolder and createCaptureFile).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError, PcapngCapture, createCaptureFile, prepareCaptureFolder } from './pcapng-writer.js';

const scratch = mkdtempSync(join(tmpdir(), 'netloom-capture-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const link = { id: 'h1:eth0--h2:eth0', ends: ['h1:eth0', 'h2:eth0'] };
const PCAPNG_MAGIC = [0x0a, 0x0d, 0x0d, 0x0a];

function errorOf(run: () => unknown): CaptureError {
  try {
    run();
  } catch (err) {
    if (err instanceof CaptureError) return err;
    throw err;
  }
  throw new Error('no CaptureError');
}

describe('capture folders', () => {
  it('refuses /proc, /sys and /dev, also behind a symbolic link, without making anything', () => {
    expect(errorOf(() => prepareCaptureFolder('/proc/x')).message).toBe(
      "cannot write captures into /proc/x: under /proc, which holds the kernel's process information, not files",
    );
    expect(errorOf(() => prepareCaptureFolder('/sys/kernel')).message).toBe(
      "cannot write captures into /sys/kernel: under /sys, which holds the kernel's device and driver information, not files",
    );
    const toDev = join(scratch, 'to-dev');
    symlinkSync('/dev', toDev);
    expect(errorOf(() => prepareCaptureFolder(join(toDev, 'caps'))).message).toBe(
      `cannot write captures into ${toDev}/caps: it is /dev/caps, under /dev, which holds device files, not files`,
    );
    expect(existsSync('/dev/caps')).toBe(false);
  });

  it('an empty folder name is refused, not read as the current folder', () => {
    expect(errorOf(() => prepareCaptureFolder('')).message).toBe('no capture folder given (an empty name)');
  });

  it('makes missing folders one level at a time, and refuses a folder that is a file', () => {
    const deep = join(scratch, 'a', 'b', 'c');
    expect(prepareCaptureFolder(deep)).toBe(deep);
    expect(lstatSync(deep).isDirectory()).toBe(true);
    const file = join(scratch, 'plain-file');
    writeFileSync(file, 'x');
    expect(errorOf(() => prepareCaptureFolder(file)).message).toBe(`cannot write captures into ${file}: it is not a directory`);
    expect(errorOf(() => prepareCaptureFolder(join(file, 'below'))).message).toBe(
      `cannot write captures into ${file}/below: not a directory`,
    );
  });
});

describe('capture files', () => {
  it('does not follow a symbolic link planted at a capture path: the target keeps its bytes', () => {
    const dir = join(scratch, 'planted');
    mkdirSync(dir);
    const victim = join(scratch, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'h1_eth0--h2_eth0.pcapng'));
    expect(errorOf(() => new PcapngCapture(dir, [link])).message).toBe(
      `cannot create ${dir}/h1_eth0--h2_eth0.pcapng: it exists and is a symbolic link (captures never follow one)`,
    );
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('does not follow a dangling symbolic link either (O_EXCL|O_NOFOLLOW), and makes no file at its target', () => {
    const dir = join(scratch, 'dangling');
    mkdirSync(dir);
    const target = join(scratch, 'would-be-created');
    symlinkSync(target, join(dir, 'h1_eth0--h2_eth0.pcapng'));
    expect(() => new PcapngCapture(dir, [link])).toThrow(CaptureError);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a FIFO at a capture path instead of blocking on it', () => {
    const dir = join(scratch, 'fifo');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, 'h1_eth0--h2_eth0.pcapng')]);
    expect(errorOf(() => createCaptureFile(join(dir, 'h1_eth0--h2_eth0.pcapng'))).message).toBe(
      `cannot create ${dir}/h1_eth0--h2_eth0.pcapng: it exists and is a FIFO`,
    );
  });

  it('replaces an earlier capture (a regular file) with a new file, not by writing through a hard link', () => {
    const dir = join(scratch, 'rerun');
    mkdirSync(dir);
    const path = join(dir, 'h1_eth0--h2_eth0.pcapng');
    writeFileSync(path, 'old capture');
    const other = join(scratch, 'hard-link-to-old');
    execFileSync('ln', [path, other]);
    const capture = new PcapngCapture(dir, [link]);
    capture.close();
    expect([...readFileSync(path).subarray(0, 4)]).toEqual(PCAPNG_MAGIC);
    expect(readFileSync(other, 'utf8')).toBe('old capture');
  });

  it('closes the files it opened when a later one cannot be created', () => {
    const dir = join(scratch, 'second-fails');
    mkdirSync(dir);
    mkdirSync(join(dir, 'b_eth0--c_eth0.pcapng'));
    const links = [link, { id: 'b:eth0--c:eth0', ends: ['b:eth0', 'c:eth0'] }];
    expect(errorOf(() => new PcapngCapture(dir, links)).message).toBe(
      `cannot create ${dir}/b_eth0--c_eth0.pcapng: it exists and is a directory`,
    );
  });
});
