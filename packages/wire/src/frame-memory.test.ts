import { describe, expect, it } from 'vitest';
import { allocateFrameBytes, copyFrameBytes } from './frame-memory.js';

describe('frame memory', () => {
  it('hands out zeroed, non-overlapping, 8-byte aligned views', () => {
    const frames = Array.from({ length: 500 }, (_, i) => allocateFrameBytes(42 + (i % 60)));
    frames.forEach((frame, i) => {
      expect(frame.every((byte) => byte === 0)).toBe(true);
      expect(frame.byteOffset % 8).toBe(0);
      frame.fill(i & 0xff);
    });
    frames.forEach((frame, i) => expect(frame.every((byte) => byte === (i & 0xff))).toBe(true));
  });

  it('gives large frames a buffer of their own', () => {
    const jumbo = allocateFrameBytes(9000);
    expect(jumbo.byteOffset).toBe(0);
    expect(jumbo.buffer.byteLength).toBe(9000);
  });

  it('copies bytes into a fresh view', () => {
    const original = new Uint8Array([1, 2, 3]);
    const copy = copyFrameBytes(original);
    original[0] = 9;
    expect(Array.from(copy)).toEqual([1, 2, 3]);
  });
});
