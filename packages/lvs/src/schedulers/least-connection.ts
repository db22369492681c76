/**
 * Least-connection schedulers: lc (ip_vs_lc.c), wlc (ip_vs_wlc.c, the default), sed (ip_vs_sed.c)
 * and nq (ip_vs_nq.c), with the kernel's comparisons and tie-breaks (the first in list order wins:
 * the newest server).
 *
 * lc and wlc weigh a server by ip_vs_dest_conn_overhead = activeconns × 256 + inactconns; sed and nq
 * by activeconns + 1. wlc/sed compare overhead/weight without dividing (replace the least when
 * loh × w > doh × wl), starting from the first non-overloaded server with weight > 0; nq returns the
 * first idle server (no active connections) at once. Weight 0 and overloaded servers are skipped.
 * Kernels from 6.12.105 count (activeconns << 8) + totalconns instead (the "ipvs: add totalconns for
 * dest" stable patch): not modelled, see docs/lvs.md.
 */
import type { RealServer, Scheduler, VirtualService } from '../virtual-service.js';

/** ip_vs_dest_conn_overhead. */
export function connectionOverhead(dest: RealServer): number {
  return dest.activeConns * 256 + dest.inactConns;
}

/** sed's and nq's overhead: activeconns + 1. */
function expectedDelayOverhead(dest: RealServer): number {
  return dest.activeConns + 1;
}

const noChange = (): void => {};

export class LeastConnectionScheduler implements Scheduler {
  readonly name = 'lc';
  destinationsChanged = noChange;

  schedule(service: VirtualService): RealServer | null {
    let least: RealServer | null = null;
    let leastOverhead = 0;
    for (const dest of service.destinations) {
      if (dest.isOverloaded || dest.weight === 0) continue;
      const overhead = connectionOverhead(dest);
      if (least === null || overhead < leastOverhead) {
        least = dest;
        leastOverhead = overhead;
      }
    }
    return least;
  }
}

/**
 * wlc's and sed's walk: the first usable server, then any with a smaller overhead/weight.
 * `isCandidate` narrows both stages (lblcr's ip_vs_dest_set_min also wants IP_VS_DEST_F_AVAILABLE).
 */
export function weightedLeast(
  destinations: readonly RealServer[],
  overheadOf: (dest: RealServer) => number,
  isCandidate: (dest: RealServer) => boolean = () => true,
): RealServer | null {
  let index = destinations.findIndex((dest) => !dest.isOverloaded && dest.weight > 0 && isCandidate(dest));
  if (index < 0) return null;
  let least = destinations[index]!;
  let leastOverhead = overheadOf(least);
  for (index++; index < destinations.length; index++) {
    const dest = destinations[index]!;
    if (dest.isOverloaded || !isCandidate(dest)) continue;
    const overhead = overheadOf(dest);
    if (leastOverhead * dest.weight > overhead * least.weight) {
      least = dest;
      leastOverhead = overhead;
    }
  }
  return least;
}

export class WeightedLeastConnectionScheduler implements Scheduler {
  readonly name = 'wlc';
  destinationsChanged = noChange;

  schedule(service: VirtualService): RealServer | null {
    return weightedLeast(service.destinations, connectionOverhead);
  }
}

export class ShortestExpectedDelayScheduler implements Scheduler {
  readonly name = 'sed';
  destinationsChanged = noChange;

  schedule(service: VirtualService): RealServer | null {
    return weightedLeast(service.destinations, expectedDelayOverhead);
  }
}

export class NeverQueueScheduler implements Scheduler {
  readonly name = 'nq';
  destinationsChanged = noChange;

  schedule(service: VirtualService): RealServer | null {
    let least: RealServer | null = null;
    let leastOverhead = 0;
    for (const dest of service.destinations) {
      if (dest.isOverloaded || dest.weight === 0) continue;
      const overhead = expectedDelayOverhead(dest);
      if (dest.activeConns === 0) return dest;
      if (least === null || leastOverhead * dest.weight > overhead * least.weight) {
        least = dest;
        leastOverhead = overhead;
      }
    }
    return least;
  }
}
