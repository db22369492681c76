/**
 * Network device names as the kernel checks and chooses them when a device is renamed
 * (net/core/dev.c dev_change_name → dev_get_valid_name): dev_valid_name (wire's device-name.ts, the
 * one copy the stack and the topology schema share), the names 6.18 refuses although
 * they pass it (`all` and `default`, the devinet sysctl directories: EINVAL, as observed), and a
 * `%d` pattern (`eth%d`) resolved to the lowest free number (__dev_alloc_name, at most 32768 tried;
 * one `%d` only, no other `%`). Also the address labels a rename leaves (devinet.c
 * inetdev_changename: the first address takes the new name, the others keep their `:suffix` or get
 * `:N`). Lengths are counted in UTF-8 bytes, as the kernel counts them.
 * Leaves out: alternative names (`altname`) and renaming across network namespaces.
 */
import { IFNAMSIZ, isValidDeviceName, nameBytes } from '@netloom/wire/device-name';
import type { KernelErrno } from './fib/errors.js';

export { IFNAMSIZ, nameBytes };

/** __dev_alloc_name's bitmap: one page of bits (max_netdevices). */
const MAX_NETDEVICES = 8 * 4096;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The first IFNAMSIZ - 1 bytes of `name` (snprintf into a char[IFNAMSIZ]). */
function truncateName(name: string): string {
  const bytes = encoder.encode(name);
  return bytes.length < IFNAMSIZ ? name : decoder.decode(bytes.subarray(0, IFNAMSIZ - 1));
}

/**
 * The name a device renamed to `wanted` gets, or the errno (dev_get_valid_name): EINVAL for an
 * invalid name or pattern, EEXIST when the name is taken, ENFILE when every number of a pattern is.
 */
export function chooseDeviceName(wanted: string, isInUse: (name: string) => boolean): { name: string } | { errno: KernelErrno } {
  if (!isValidDeviceName(wanted)) return { errno: 'EINVAL' };
  const percent = wanted.indexOf('%');
  let name = wanted;
  if (percent >= 0) {
    if (wanted[percent + 1] !== 'd' || wanted.includes('%', percent + 2)) return { errno: 'EINVAL' };
    const prefix = wanted.slice(0, percent);
    const suffix = wanted.slice(percent + 2);
    let found: string | null = null;
    for (let i = 0; i < MAX_NETDEVICES && found === null; i++) {
      const candidate = truncateName(`${prefix}${i}${suffix}`);
      if (!isInUse(candidate)) found = candidate;
    }
    if (found === null) return { errno: 'ENFILE' };
    name = found;
  } else if (isInUse(name)) return { errno: 'EEXIST' };
  if (name === 'all' || name === 'default') return { errno: 'EINVAL' };
  return { name };
}

/**
 * inetdev_changename: the labels of a device's addresses (in list order) after it was renamed to
 * `name`. The first becomes `name`; each other keeps the part from its `:` (or gets `:N`, N its
 * position counting from 1), cut so that the label stays shorter than IFNAMSIZ bytes.
 */
export function renamedLabels(labels: readonly string[], name: string): string[] {
  return labels.map((old, index) => {
    if (index === 0) return name;
    const colon = old.indexOf(':');
    const dot = colon >= 0 ? old.slice(colon) : `:${index + 1}`;
    if (nameBytes(dot) + nameBytes(name) < IFNAMSIZ) return name + dot;
    const keep = encoder.encode(name).subarray(0, IFNAMSIZ - nameBytes(dot) - 1);
    return decoder.decode(keep) + dot;
  });
}
