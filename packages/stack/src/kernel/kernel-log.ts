/**
 * The kernel's message log (printk's ring buffer) and what `dmesg` prints of it: each record is
 * `[SSSSS.UUUUUU] TEXT`, the seconds since the node booted (virtual time 0) right-aligned in five
 * columns with six decimals, as dmesg(1) from util-linux prints the kernel's timestamps.
 * Holds only what the model logs (addrconf's "IPv6 duplicate address … detected!" for now).
 * Bounded as log_buf is with CONFIG_LOG_BUF_SHIFT 17: at most 128 KiB of text; the oldest records
 * go first. Leaves out log levels, facilities, `dmesg -c`/`-T` and the console.
 */
import type { Nanos } from '../node-host.js';

/** 1 << CONFIG_LOG_BUF_SHIFT (17). */
export const KERNEL_LOG_BYTES = 1 << 17;

export class KernelLog {
  private readonly records: { at: Nanos; text: string }[] = [];
  private bytes = 0;

  /** printk: a record at `now`. */
  record(now: Nanos, text: string): void {
    this.records.push({ at: now, text });
    this.bytes += text.length;
    while (this.bytes > KERNEL_LOG_BYTES && this.records.length > 1) this.bytes -= this.records.shift()!.text.length;
  }

  /** `dmesg`: every record, oldest first, one line each. */
  format(): string {
    return this.records.map((r) => `${formatTimestamp(r.at)} ${r.text}\n`).join('');
  }
}

/** `[   21.734820]`: seconds, then microseconds. */
export function formatTimestamp(at: Nanos): string {
  const micros = Math.floor(at / 1000);
  const seconds = Math.floor(micros / 1_000_000);
  return `[${String(seconds).padStart(5)}.${String(micros % 1_000_000).padStart(6, '0')}]`;
}
