/**
 * The real stack node, watched for what the shard's transmit relies on: a frame the node hands to
 * the runtime is the wire's from then on, and the node never writes into it again (the shard takes
 * it without a copy). Each frame transmitted is remembered with a copy of its bytes; when a frame
 * is received, a difference from the copy its sender made means someone wrote into it between the
 * two, and the receiving node fails with a fault naming the first byte that changed. Loaded by URL
 * from the compiled dist-test/testing/frame-ownership-node.js, like the fake node.
 */
import type { NodePlacement } from '@netloom/ipc';
import type { NodeConfig, NodeEnvironment, NodeHost } from '@netloom/stack/node-host';
import type { ReportingNode } from '../node-factory.js';
import { createRealNode } from '../real-node.js';

/** Every frame transmitted on this thread, with its bytes as they were handed over (weak: no bound needed). */
const handedOver = new WeakMap<Uint8Array, Uint8Array>();

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

export function createFrameOwnershipNode(node: NodePlacement, config: NodeConfig, env: NodeEnvironment): ReportingNode {
  const watched: NodeEnvironment = {
    ...env,
    transmit: (ifname, frame) => {
      handedOver.set(frame, frame.slice());
      env.transmit(ifname, frame);
    },
  };
  const real = createRealNode(node, config, watched);
  const host = new Proxy(real.host, {
    get(target, key) {
      if (key === 'receive') {
        return (ifname: string, frame: Uint8Array, now: number): void => {
          const sent = handedOver.get(frame);
          const at = sent === undefined ? -1 : firstDifference(sent, frame);
          if (at >= 0) throw new Error(`a frame received on ${ifname} at ${now} ns was written into after it was transmitted (byte ${at})`);
          target.receive(ifname, frame, now);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { host, moduleState: (now) => real.moduleState(now) };
}
