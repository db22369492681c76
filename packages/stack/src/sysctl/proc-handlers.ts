/**
 * How a write to a /proc/sys file is read and checked: the kernel's proc_handler family
 * (kernel/sysctl.c, kernel 6.18, HZ=250, USER_HZ=100, x86_64) turning the text written into the
 * int kept, or EINVAL.
 *
 * Follows proc_get_long (leading blanks skipped, an optional `-`, then strtoul with base 0, so
 * `0x10` is 16 and `010` is 8; at most 20 characters; the number must be followed by a blank or
 * the end; a second number after a blank is ignored for a one-int file), do_proc_dointvec_conv
 * (int overflow is EINVAL), the minmax variants (proc_dointvec_minmax, proc_douintvec_minmax,
 * proc_dou8vec_minmax: no sign allowed for the unsigned ones), the jiffies conversions
 * (proc_dointvec_jiffies in seconds, proc_dointvec_ms_jiffies in milliseconds rounded up to
 * 4 ms ticks, proc_dointvec_userhz_jiffies in 1/100 s with its lossy round trip: writing -1 reads
 * back as `-0`) and neigh_proc_dointvec_unres_qlen. Values read back are what the kernel would
 * print after the conversion (`retrans_time_ms=1` reads 4).
 * Leaves out vector files (ip_local_port_range) and string files: the model has none.
 */

/** The kernel's handler for one file; `min`/`max` are its extra1/extra2 bounds. */
export type ProcHandler =
  | { kind: 'int' }
  | { kind: 'int-minmax'; min: number; max: number }
  | { kind: 'uint-minmax'; min: number; max: number }
  | { kind: 'u8-minmax'; min: number; max: number }
  | { kind: 'jiffies' }
  | { kind: 'ms-jiffies'; minJiffies?: number }
  | { kind: 'userhz-jiffies' };

export const INT_MAX = 2147483647;
const HZ = 250n;
const USER_HZ = 100n;
const MS_PER_JIFFY = 4n;
const TWO_32 = 1n << 32n;
const TWO_64 = 1n << 64n;
const ULONG_MAX = TWO_64 - 1n;
const LONG_MAX = (1n << 63n) - 1n;
/** TMPBUFLEN - 1: proc_get_long refuses a number this long (it cannot see what follows). */
const MAX_NUMBER_CHARS = 21;

/** SKB_TRUESIZE(ETH_FRAME_LEN) on 6.18 x86_64: unres_qlen is unres_qlen_bytes / this (observed). */
export const UNRES_QLEN_TRUESIZE = 2090;

/** One number as proc_get_long reads it: sign and magnitude (up to ULONG_MAX), or null (EINVAL). */
export function procGetLong(text: string): { negative: boolean; magnitude: bigint } | null {
  let p = text.replace(/^[ \t\n]+/, '');
  if (p === '') return null;
  let negative = false;
  if (p.startsWith('-') && p.length > 1) {
    negative = true;
    p = p.slice(1);
  }
  if (!/^[0-9]/.test(p)) return null;
  let digits: string;
  let magnitude: bigint;
  const hex = /^0[xX]([0-9a-fA-F]+)/.exec(p);
  if (/^0[xX]/.test(p)) {
    if (!hex) return null;
    digits = hex[0];
    magnitude = BigInt(`0x${hex[1]}`);
  } else if (p.startsWith('0')) {
    digits = /^0[0-7]*/.exec(p)![0];
    magnitude = digits.length > 1 ? BigInt(`0o${digits.slice(1)}`) : 0n;
  } else {
    digits = /^[0-9]+/.exec(p)![0];
    magnitude = BigInt(digits);
  }
  if (magnitude > ULONG_MAX) return null;
  if ((negative ? 1 : 0) + digits.length >= MAX_NUMBER_CHARS) return null;
  const next = p.charAt(digits.length);
  if (next !== '' && !' \t\n'.includes(next)) return null;
  return { negative, magnitude };
}

/** do_proc_dointvec_conv: the int kept, or null when it does not fit. */
function toInt(negative: boolean, magnitude: bigint): number | null {
  if (negative) return magnitude > BigInt(INT_MAX) + 1n ? null : -Number(magnitude);
  return magnitude > BigInt(INT_MAX) ? null : Number(magnitude);
}

/** (unsigned int) of an unsigned long computed as `neg ? -lval : lval`. */
function lowUint(negative: boolean, magnitude: bigint): bigint {
  const ulong = negative ? (TWO_64 - magnitude) % TWO_64 : magnitude;
  return ulong % TWO_32;
}

/** (int) of a 64-bit value (two's complement truncation). */
function truncateToInt(value: bigint): number {
  const low = value % TWO_32;
  return Number(low >= 1n << 31n ? low - TWO_32 : low);
}

/**
 * The value a write of `text` leaves in the file as read back, or null for EINVAL. `-0` (a
 * negative zero) is what userhz files print after a negative write.
 */
export function procWrite(handler: ProcHandler, text: string): number | null {
  const parsed = procGetLong(text);
  if (!parsed) return null;
  const { negative, magnitude } = parsed;
  switch (handler.kind) {
    case 'int':
      return toInt(negative, magnitude);
    case 'int-minmax': {
      const value = toInt(negative, magnitude);
      return value === null || value < handler.min || value > handler.max ? null : value;
    }
    case 'uint-minmax':
    case 'u8-minmax': {
      if (negative || magnitude > TWO_32 - 1n) return null;
      const value = Number(magnitude);
      return value < handler.min || value > handler.max ? null : value;
    }
    case 'jiffies': {
      // do_proc_dointvec_jiffies_conv: seconds up to INT_MAX / HZ, kept as ticks; reads back exactly.
      if (magnitude > BigInt(INT_MAX) / HZ) return null;
      return negative ? -Number(magnitude) : Number(magnitude);
    }
    case 'ms-jiffies': {
      // msecs_to_jiffies(unsigned int m): MAX_JIFFY_OFFSET when (int)m < 0, else m rounded up to ticks.
      const ms = lowUint(negative, magnitude);
      if (ms >= 1n << 31n) return null;
      const jiffies = (ms + MS_PER_JIFFY - 1n) / MS_PER_JIFFY;
      if (jiffies < BigInt(handler.minJiffies ?? 0)) return null;
      return Number((jiffies * MS_PER_JIFFY) % TWO_32);
    }
    case 'userhz-jiffies': {
      if (magnitude > (LONG_MAX / HZ) * USER_HZ) return null;
      const x = negative ? (TWO_64 - magnitude) % TWO_64 : magnitude;
      // clock_t_to_jiffies (HZ not a multiple of USER_HZ), then kept in an int.
      const jiffies = x >= (ULONG_MAX / HZ) * USER_HZ ? -1 : truncateToInt((x * HZ) / USER_HZ);
      // Read back: jiffies_to_clock_t of the magnitude, with the sign printed separately.
      const shown = Number((BigInt(Math.abs(jiffies)) * USER_HZ) / HZ);
      return jiffies < 0 ? -shown : shown;
    }
  }
}

/** A value as /proc/sys prints it (`-0` included). */
export function formatProcValue(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}
