/**
 * Round-robin schedulers: rr (ip_vs_rr.c) and wrr (ip_vs_wrr.c), with the kernel's cursors.
 *
 * rr keeps the last chosen real server and walks on from it in list order (newest first), skipping
 * weight 0 and overloaded servers; deleting the current server moves the cursor to its predecessor
 * (ip_vs_rr_del_dest), so the walk goes on where it would have.
 *
 * wrr is the interleaved weighted round robin of the current kernel: di = gcd of the weights > 0
 * (1 when none), mw = max weight − (di − 1), current weight cw starting at mw; a pass over the list
 * picks each non-overloaded server with weight ≥ cw, and at the end of the list cw drops by di,
 * restarting at mw once it reaches 0 or below. Any change of the list (ip_vs_wrr_dest_changed) puts
 * the cursor back on the list head and keeps cw (cw = mw if it is now above mw or 0; rounded to
 * a multiple of di plus one when di > 1). The `stop`/`last_pass` logic bounds the search to one full
 * pass at weight ≥ 1, as the kernel's does.
 */
import type { RealServer, Scheduler, VirtualService } from '../virtual-service.js';

/** rr's cursor (svc->sched_data): the last chosen server, or null for the list head. */
export class RoundRobinScheduler implements Scheduler {
  readonly name = 'rr';
  private cursor: RealServer | null = null;

  destinationsChanged(service: VirtualService, change: 'add' | 'del' | 'upd', dest: RealServer, formerIndex: number): void {
    // ip_vs_rr_del_dest: the cursor on the removed server moves to its predecessor (p->next->prev).
    if (change === 'del' && this.cursor === dest) this.cursor = formerIndex > 0 ? (service.destinations[formerIndex - 1] ?? null) : null;
  }

  schedule(service: VirtualService): RealServer | null {
    const list = service.destinations;
    const n = list.length;
    const start = this.cursor === null ? -1 : list.indexOf(this.cursor);
    // From after the cursor to the end; then, when the cursor is a server, from the head up to and
    // including the cursor (the kernel's second pass stops after checking `last`).
    for (let step = 1; step <= n; step++) {
      const dest = list[(start + step) % n]!;
      if (!dest.isOverloaded && dest.weight > 0) {
        this.cursor = dest;
        return dest;
      }
    }
    return null;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class WeightedRoundRobinScheduler implements Scheduler {
  readonly name = 'wrr';
  /** mark->cl: the last chosen server, or null for the list head. */
  private cursor: RealServer | null = null;
  /** mark->cw, mark->mw, mark->di. */
  currentWeight: number;
  maxWeight: number;
  private interval: number;

  constructor(service: VirtualService) {
    this.interval = gcdWeight(service);
    this.maxWeight = maxWeight(service) - (this.interval - 1);
    this.currentWeight = this.maxWeight;
  }

  destinationsChanged(service: VirtualService): void {
    this.cursor = null;
    this.interval = gcdWeight(service);
    this.maxWeight = maxWeight(service) - (this.interval - 1);
    if (this.currentWeight > this.maxWeight || this.currentWeight === 0) this.currentWeight = this.maxWeight;
    else if (this.interval > 1) this.currentWeight = Math.trunc(this.currentWeight / this.interval) * this.interval + 1;
  }

  schedule(service: VirtualService): RealServer | null {
    const list = service.destinations;
    if (this.maxWeight === 0) return null;
    const lastIndex = this.cursor === null ? -1 : list.indexOf(this.cursor);
    const lastIsHead = lastIndex < 0;
    let index = lastIndex;
    let stop = -2; // no stop
    let lastPass = false;
    let restarted = false;
    for (;;) {
      // list_for_each_entry_continue: from after `index` to the end of the list.
      for (index = index + 1; index < list.length; index++) {
        const dest = list[index]!;
        if (!dest.isOverloaded && dest.weight >= this.currentWeight) {
          this.cursor = dest;
          return dest;
        }
        if (index === stop) {
          this.cursor = dest;
          return null;
        }
      }
      index = -1; // back at the head
      this.currentWeight -= this.interval;
      if (this.currentWeight <= 0) {
        this.currentWeight = this.maxWeight;
        if (lastPass || lastIsHead) {
          this.cursor = null;
          return null;
        }
        restarted = true;
      }
      lastPass = this.currentWeight <= this.interval;
      if (lastPass && restarted && !lastIsHead) stop = lastIndex;
    }
  }
}

function gcdWeight(service: VirtualService): number {
  let g = 0;
  for (const dest of service.destinations) if (dest.weight > 0) g = g > 0 ? gcd(dest.weight, g) : dest.weight;
  return g === 0 ? 1 : g;
}

function maxWeight(service: VirtualService): number {
  let weight = 0;
  for (const dest of service.destinations) if (dest.weight > weight) weight = dest.weight;
  return weight;
}
