/**
 * The kernel's change bookkeeping shared by every kernel module: the routing generation that
 * invalidates cached routes (rt_genid, bumped by rt_cache_flush) and the notifier chain that tells
 * the datapath about link, address and route changes (the netdev / inetaddr notifier chains and
 * RTM_NEWxxx / RTM_DELxxx messages, in one list of listeners).
 *
 * `changeCount` moves with every bump and every notification: the device table uses it to know
 * when its per-packet device views are stale. Leaves out netlink groups and per-namespace genids.
 */
import type { KernelChange } from '../routing-api.js';

export class ChangeNotifier {
  private generationCounter = 0;
  private changes = 0;
  private readonly listeners: ((change: KernelChange) => void)[] = [];

  /** rt_genid: bumped by every change that can invalidate a cached route. */
  get generation(): number {
    return this.generationCounter;
  }

  /** Moves with every bump and every notification (device views are rebuilt after it moved). */
  get changeCount(): number {
    return this.changes;
  }

  onChange(listener: (change: KernelChange) => void): void {
    this.listeners.push(listener);
  }

  /** Tell every listener, in registration order. */
  emit(change: KernelChange): void {
    this.changes++;
    for (const listener of this.listeners) listener(change);
  }

  /** rt_cache_flush: every cached route becomes stale. */
  bump(): void {
    this.generationCounter++;
    this.changes++;
  }

  /** A route, address, link or rule change: cached routes go and listeners hear `route`. */
  routesChanged(): void {
    this.bump();
    this.emit({ type: 'route' });
  }
}
