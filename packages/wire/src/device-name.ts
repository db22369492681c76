/**
 * Linux's rule for a network device name, dev_valid_name (net/core/dev.c), in one place for every
 * package that judges one: the stack (`ip link set DEV name NEW`, device creation) and the topology
 * schema (interface names in a topology file). A name is valid when it is not empty, shorter than
 * IFNAMSIZ (16) bytes with its terminating NUL, not `.` or `..`, and none of its bytes is `/`, `:` or
 * a space as the kernel's isspace() sees it: lib/ctype.c marks \t \n \v \f \r, the space and also the
 * Latin-1 no-break space 0xA0 as _S. The kernel reads bytes, so a name is judged in UTF-8: `ééééééé`
 * (14 bytes) is valid, `éééééééé` (16) is not, and `à` (C3 A0) holds a space byte.
 * Leaves out what callers add: iproute2's own check before the kernel's (check_ifname, which knows no
 * 0xA0 and lets `:` through), the names 6.18 refuses for its sysctl directories (`all`, `default`),
 * `%d` patterns, and the topology's stricter rules (printable characters, no `%`).
 */

/** IFNAMSIZ: a device name and its terminating NUL fit in 16 bytes. */
export const IFNAMSIZ = 16;

const encoder = new TextEncoder();

/** Length of a name in bytes (UTF-8), what strlen sees. */
export function nameBytes(name: string): number {
  return encoder.encode(name).length;
}

/** The kernel's isspace() for one byte (lib/ctype.c _ctype: _S). */
export function isKernelSpaceByte(byte: number): boolean {
  return (byte >= 0x09 && byte <= 0x0d) || byte === 0x20 || byte === 0xa0;
}

/** Why dev_valid_name refuses a name. */
export type DeviceNameFault =
  | { kind: 'empty' }
  | { kind: 'tooLong'; bytes: number }
  | { kind: 'dotName' }
  /** `char` holds `/`, `:` or a byte isspace() counts as a space (its first such character). */
  | { kind: 'forbiddenCharacter'; char: string };

/** dev_valid_name's verdict: null when the kernel takes the name, else why not (checked in its order). */
export function deviceNameFault(name: string): DeviceNameFault | null {
  if (name === '') return { kind: 'empty' };
  const bytes = nameBytes(name);
  if (bytes >= IFNAMSIZ) return { kind: 'tooLong', bytes };
  if (name === '.' || name === '..') return { kind: 'dotName' };
  for (const char of name) {
    if (char === '/' || char === ':') return { kind: 'forbiddenCharacter', char };
    if (encoder.encode(char).some(isKernelSpaceByte)) return { kind: 'forbiddenCharacter', char };
  }
  return null;
}

/** dev_valid_name. */
export function isValidDeviceName(name: string): boolean {
  return deviceNameFault(name) === null;
}
