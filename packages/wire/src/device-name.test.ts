/**
 * dev_valid_name's edge cases: the byte count at IFNAMSIZ (15 bytes pass, 16 do not, counted in
 * UTF-8), `.` and `..`, `/` and `:`, and every byte lib/ctype.c counts as a space — 0xA0 too, also
 * inside a multibyte character. The same names are run through the kernel itself (by rename) in
 * packages/stack/src/shell/ip-link-vs-linux.test.ts and through `ip link add` in
 * packages/topology/src/interface-names.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { deviceNameFault, isKernelSpaceByte, isValidDeviceName } from './device-name.js';

describe('dev_valid_name', () => {
  test('the length limit is 15 bytes of UTF-8', () => {
    expect(isValidDeviceName('123456789012345')).toBe(true);
    expect(deviceNameFault('1234567890123456')).toEqual({ kind: 'tooLong', bytes: 16 });
    expect(isValidDeviceName('ééééééé')).toBe(true); // 14 bytes in 7 characters
    expect(isValidDeviceName('ééééééée')).toBe(true); // 15
    expect(deviceNameFault('éééééééé')).toEqual({ kind: 'tooLong', bytes: 16 });
    expect(isValidDeviceName('eth🙂🙂🙂')).toBe(true); // 3 + 12 bytes
    expect(deviceNameFault('eth🙂🙂🙂🙂')).toEqual({ kind: 'tooLong', bytes: 19 });
  });

  test('empty, . and .. are refused; ... and names with dots are not', () => {
    expect(deviceNameFault('')).toEqual({ kind: 'empty' });
    expect(deviceNameFault('.')).toEqual({ kind: 'dotName' });
    expect(deviceNameFault('..')).toEqual({ kind: 'dotName' });
    expect(isValidDeviceName('...')).toBe(true);
    expect(isValidDeviceName('eth0.5')).toBe(true);
  });

  test("/, : and the kernel's spaces are refused, 0xA0 inside a UTF-8 character too", () => {
    for (const name of ['a/b', 'a:b', 'a b', 'a\tb', 'a\nb', 'a\vb', 'a\fb', 'a\rb', 'a\u00a0b', 'ethà', 'Š']) {
      expect(isValidDeviceName(name), JSON.stringify(name)).toBe(false);
    }
    expect(deviceNameFault('ethà')).toEqual({ kind: 'forbiddenCharacter', char: 'à' });
    // 0x85 (NEL) is a control character in lib/ctype.c, not a space: ą is C4 85.
    for (const name of ['ethą', 'eth%d', 'e"x', '-x', 'ethé']) expect(isValidDeviceName(name), name).toBe(true);
  });

  test('isspace is exactly \\t \\n \\v \\f \\r, space and 0xA0', () => {
    const spaces = Array.from({ length: 256 }, (_, b) => b).filter(isKernelSpaceByte);
    expect(spaces).toEqual([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);
  });
});
