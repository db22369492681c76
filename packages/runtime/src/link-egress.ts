/**
 * The sending side of one link end (or LAN member port): what happens to a frame between the
 * node's device and the wire.
 *
 * Covers, in this order: carrier (a down link drops with `linkDown`), MTU (a frame longer than
 * mtu + its Ethernet header is dropped with `mtuExceeded`, as a real NIC would not send it), a
 * drop-tail queue of `queue` frames in front of a serializer of `bandwidthBps` (`queueFull`;
 * serialization takes ⌈bits·10⁹/bandwidth⌉ ns; no bandwidth = no queueing), then seeded loss on the
 * wire (`loss`, drawn from this end's own PRNG), then propagation `latencyNs`.
 * The queue counts every frame not yet fully serialized, including the one on the wire.
 * Leaves out: collisions on hubs, FCS/preamble/inter-frame gap (lengths are frame bytes).
 */
import type { LinkParamsRecord } from '@netloom/ipc';
import { Prng } from './prng.js';

export type LinkDropReason = 'linkDown' | 'mtuExceeded' | 'queueFull' | 'loss';

const ETHER_HEADER = 14;
const VLAN_TAG = 4;

export class LinkEgress {
  /** Frames accepted onto the wire, and link-level drops (both directions of this end). */
  frames = 0;
  drops = 0;
  private busyUntil = 0;
  /** Finish times of frames in the queue, oldest first. */
  private readonly finishTimes: number[] = [];
  private head = 0;
  private readonly prng: Prng;
  /** Per port: counts frames put on the wire (the envelope seq). */
  seq = 0;

  constructor(
    public params: LinkParamsRecord,
    seed: number,
  ) {
    this.prng = new Prng(seed);
  }

  queueDepth(now: number): number {
    this.expire(now);
    return this.finishTimes.length - this.head;
  }

  private expire(now: number): void {
    const times = this.finishTimes;
    while (this.head < times.length && times[this.head]! <= now) this.head++;
    if (this.head > 64 && this.head * 2 > times.length) {
      times.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * Offer a frame at `now`. Returns the delivery time at the far end, or the reason it was dropped.
   * A frame lost on the wire still occupied the serializer.
   */
  offer(frame: Uint8Array, now: number, up: boolean): number | LinkDropReason {
    if (!up) return 'linkDown';
    const params = this.params;
    const tagged = frame.length >= 14 && frame[12] === 0x81 && frame[13] === 0x00;
    if (frame.length > params.mtu + ETHER_HEADER + (tagged ? VLAN_TAG : 0)) return 'mtuExceeded';
    let finish = now;
    if (params.bandwidthBps !== null) {
      this.expire(now);
      if (this.finishTimes.length - this.head >= params.queue) return 'queueFull';
      const start = this.busyUntil > now ? this.busyUntil : now;
      finish = start + Math.ceil((frame.length * 8 * 1e9) / params.bandwidthBps);
      this.busyUntil = finish;
      this.finishTimes.push(finish);
    }
    if (params.loss > 0 && this.prng.next() < params.loss) return 'loss';
    return finish + params.latencyNs;
  }
}
