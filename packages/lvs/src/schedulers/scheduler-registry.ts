/**
 * The schedulers netloom has, by the names ipvsadm -s takes (register_ip_vs_scheduler): rr, wrr,
 * lc, wlc, sed, nq, sh, dh, lblc, lblcr, mh. A name outside the list is what the kernel answers for
 * a module it cannot load (ENOENT: "Scheduler or persistence engine not found"); fo, ovf and twos
 * are not modelled (twos draws random numbers per connection).
 */
import { DestinationHashingScheduler, MaglevHashingScheduler, SourceHashingScheduler } from './hashing.js';
import { LeastConnectionScheduler, NeverQueueScheduler, ShortestExpectedDelayScheduler, WeightedLeastConnectionScheduler } from './least-connection.js';
import { LocalityLeastConnectionReplicationScheduler, LocalityLeastConnectionScheduler } from './locality.js';
import { RoundRobinScheduler, WeightedRoundRobinScheduler } from './round-robin.js';
import type { Scheduler, VirtualService } from '../virtual-service.js';

/** ipvsadm's DEF_SCHED. */
export const DEFAULT_SCHEDULER = 'wlc';

const FACTORIES: Readonly<Record<string, (service: VirtualService) => Scheduler>> = {
  rr: () => new RoundRobinScheduler(),
  wrr: (service) => new WeightedRoundRobinScheduler(service),
  lc: () => new LeastConnectionScheduler(),
  wlc: () => new WeightedLeastConnectionScheduler(),
  sed: () => new ShortestExpectedDelayScheduler(),
  nq: () => new NeverQueueScheduler(),
  sh: (service) => withTable(new SourceHashingScheduler(), service),
  dh: (service) => withTable(new DestinationHashingScheduler(), service),
  mh: (service) => withTable(new MaglevHashingScheduler(), service),
  lblc: () => new LocalityLeastConnectionScheduler(),
  lblcr: () => new LocalityLeastConnectionReplicationScheduler(),
};

/** init_service: a table built from the service's current servers. */
function withTable<T extends Scheduler>(scheduler: T, service: VirtualService): T {
  const first = service.destinations[0];
  if (first !== undefined) scheduler.destinationsChanged(service, 'upd', first, -1);
  return scheduler;
}

export function isSchedulerName(name: string): boolean {
  return Object.hasOwn(FACTORIES, name);
}

/** A scheduler bound to `service` (its init_service), or null for an unknown name. */
export function createScheduler(name: string, service: VirtualService): Scheduler | null {
  const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
  return factory === undefined ? null : factory(service);
}
