import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CAPTURE_NAME_MAX, captureFolder, captureFolderName } from './capture-folder.js';

describe('capture folder names from the topology name', () => {
  test('a name that climbs out of the capture root stays inside it', () => {
    expect(captureFolder('/tmp/caps', '../../../../outside', 1)).toBe('/tmp/caps/outside-1');
    expect(captureFolder('/tmp/caps', '..', 2)).toBe('/tmp/caps/capture-2');
    expect(captureFolder('/tmp/caps', '/etc/cron.d/x', 3)).toBe('/tmp/caps/etc_cron.d_x-3');
  });

  test('separators, spaces, control characters and non-ASCII become one "_"; a leading dot goes', () => {
    expect(captureFolderName('lab 1/α')).toBe('lab_1_');
    expect(captureFolderName('a\u001b[31m\\b')).toBe('a_31m_b');
    expect(captureFolderName('.hidden')).toBe('hidden');
    expect(captureFolderName('')).toBe('capture');
    expect(captureFolderName('router-chain')).toBe('router-chain');
  });

  test('the name is bounded, so the path is too', () => {
    expect(captureFolderName('x'.repeat(10_000))).toBe('x'.repeat(CAPTURE_NAME_MAX));
    expect(captureFolder('r', 'y'.repeat(500), 12)).toBe(join('r', `${'y'.repeat(CAPTURE_NAME_MAX)}-12`));
  });
});
