/**
 * The IPv6 address label table (net/ipv6/addrlabel.c, RFC 6724 §2.1 labels) that source address
 * selection matches destinations and candidate sources against, and `ip addrlabel` edits.
 *
 * Follows Linux 6.18: the default table of ip6addrlbl_init_table; __ip6addrlbl_add's order (by
 * prefix length, longest first; a new entry goes before entries of its length that are not bound
 * to a device, so the newest comes first and a device's entry before the global one); the prefix
 * is masked to its length; the same prefix, length and device twice is EEXIST; deletion matches
 * prefix, length and device but not the label (ip6addrlbl_del), ESRCH when none matches; a lookup
 * takes the first entry in list order that contains the address and has no device or the given
 * one (__ipv6_addr_label), else IPV6_ADDR_LABEL_DEFAULT. `flush` empties the table, defaults too.
 * Bounded: at most MAX_ADDRESS_LABELS entries (ENOBUFS beyond).
 */
import { ipv6Network, isInIpv6Prefix, parseIpv6Number, type Ipv6Number } from '@netloom/wire';
import { fail, OK, type KernelResult } from '../fib/errors.js';

/** IPV6_ADDR_LABEL_DEFAULT: the label of an address no entry matches (not settable). */
export const IPV6_ADDR_LABEL_DEFAULT = 0xffffffff;
export const MAX_ADDRESS_LABELS = 4096;

export interface AddressLabel {
  prefix: Ipv6Number;
  prefixLength: number;
  /** ifindex the entry is bound to, 0 for any device. */
  ifindex: number;
  label: number;
}

/** ip6addrlbl_init_table, in its insertion order. */
const DEFAULT_LABELS: readonly [string, number, number][] = [
  ['::', 0, 1],
  ['fc00::', 7, 5],
  ['fec0::', 10, 11],
  ['2002::', 16, 2],
  ['3ffe::', 16, 12],
  ['2001::', 32, 6],
  ['2001:10::', 28, 7],
  ['::ffff:0:0', 96, 4],
  ['::', 96, 3],
  ['::1', 128, 0],
];

/** __ip6addrlbl_add without replace, into `entries`. */
function insertLabel(entries: AddressLabel[], entry: AddressLabel): KernelResult {
  const added: AddressLabel = { ...entry, prefix: ipv6Network(entry.prefix, entry.prefixLength) };
  let index = entries.length;
  for (let i = 0; i < entries.length; i++) {
    const p = entries[i]!;
    if (p.prefixLength === added.prefixLength && p.ifindex === added.ifindex && p.prefix === added.prefix) return fail('EEXIST');
    if ((p.prefixLength === added.prefixLength && p.ifindex === 0) || p.prefixLength < added.prefixLength) {
      index = i;
      break;
    }
  }
  if (entries.length >= MAX_ADDRESS_LABELS) return fail('ENOBUFS');
  entries.splice(index, 0, added);
  return OK;
}

let defaultTable: readonly AddressLabel[] | null = null;

/**
 * The default table in list order, parsed once and shared by every node's table: entries are never
 * changed in place (an edit adds, splices or empties the node's own list), so sharing them is safe.
 */
function defaultEntries(): readonly AddressLabel[] {
  if (defaultTable === null) {
    const entries: AddressLabel[] = [];
    for (const [text, prefixLength, label] of DEFAULT_LABELS) insertLabel(entries, { prefix: parseIpv6Number(text)!, prefixLength, ifindex: 0, label });
    defaultTable = entries.map((entry) => Object.freeze(entry));
  }
  return defaultTable;
}

export class AddressLabels {
  private readonly entries: AddressLabel[] = [...defaultEntries()];

  list(): readonly AddressLabel[] {
    return this.entries;
  }

  /** __ip6addrlbl_add without replace. */
  add(entry: AddressLabel): KernelResult {
    return insertLabel(this.entries, entry);
  }

  /** ip6addrlbl_del: the label is not compared. */
  delete(prefix: Ipv6Number, prefixLength: number, ifindex: number): KernelResult {
    const network = ipv6Network(prefix, prefixLength);
    const index = this.entries.findIndex((p) => p.prefixLength === prefixLength && p.ifindex === ifindex && p.prefix === network);
    if (index < 0) return fail('ESRCH');
    this.entries.splice(index, 1);
    return OK;
  }

  flush(): void {
    this.entries.length = 0;
  }

  /** ipv6_addr_label. */
  labelOf(address: Ipv6Number, ifindex: number): number {
    for (const p of this.entries) {
      if ((p.ifindex === 0 || p.ifindex === ifindex) && isInIpv6Prefix(address, p.prefix, p.prefixLength)) return p.label;
    }
    return IPV6_ADDR_LABEL_DEFAULT;
  }
}
