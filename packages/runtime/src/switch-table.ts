/**
 * A MAC-learning switch's forwarding table, as one replica per receiving port.
 *
 * Every LAN frame reaches every member port's replica (the sender's too), at the frame's delivery
 * time and in the queue's deterministic order, so all replicas hold the same table and agree on
 * whether a frame is forwarded to a port — without a shared switch object that would tie the LAN
 * to one thread. Follows the Linux bridge: learn the source on ingress, flood group and unknown
 * destinations, forward known unicast only to its port, filter frames whose destination sits on
 * the ingress port; entries age out after 300 s (bridge ageing_time). Leaves out STP and VLANs.
 */

const AGEING_NS = 300e9;

function macKey(frame: Uint8Array, offset: number): number {
  // 48 bits fit exactly in a double.
  return (
    frame[offset]! * 2 ** 40 +
    frame[offset + 1]! * 2 ** 32 +
    ((frame[offset + 2]! << 24) >>> 0) +
    (frame[offset + 3]! << 16) +
    (frame[offset + 4]! << 8) +
    frame[offset + 5]!
  );
}

export class SwitchTable {
  private readonly entries = new Map<number, { port: number; learnedAt: number }>();

  /** Learn the frame's source on `ingressPort`; return whether the switch sends it out of `egressPort`. */
  process(frame: Uint8Array, ingressPort: number, egressPort: number, now: number): boolean {
    if (frame.length < 14) return false;
    this.entries.set(macKey(frame, 6), { port: ingressPort, learnedAt: now });
    if (egressPort === ingressPort) return false;
    if ((frame[0]! & 1) !== 0) return true;
    const entry = this.entries.get(macKey(frame, 0));
    if (entry === undefined || now - entry.learnedAt > AGEING_NS) return true;
    return entry.port === egressPort;
  }
}
