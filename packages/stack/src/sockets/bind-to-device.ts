/**
 * SO_BINDTODEVICE as every socket kind of the node takes it (sock_setbindtodevice): an empty name
 * unbinds, a name the node has a device for binds, any other name is ENODEV. What a kind keeps of
 * the device stays with it: the IPv4 sockets its index (sk_bound_dev_if, so a renamed device stays
 * bound), the IPv6 ones its name.
 */
import type { DeviceView } from '../routing-api.js';

/** The device SO_BINDTODEVICE's value names: null for '' (unbind), ENODEV when there is no such device. */
export function deviceToBind(value: string | number | boolean, device: (name: string) => DeviceView | undefined): { ok: true; device: DeviceView | null } | { ok: false; errno: 'ENODEV' } {
  const name = String(value);
  if (name === '') return { ok: true, device: null };
  const found = device(name);
  return found === undefined ? { ok: false, errno: 'ENODEV' } : { ok: true, device: found };
}
