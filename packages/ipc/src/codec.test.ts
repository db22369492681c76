import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeControllerMessage, decodeShardMessage, encodeMessage, ProtocolError } from './codec.js';
import { PROTOCOL_VERSION, type WindowDoneMessage, type WindowMessage } from './messages.js';

const window: WindowMessage = {
  type: 'window',
  version: PROTOCOL_VERSION,
  start: 1_000_000,
  until: 2 ** 40 + 7,
  controls: [
    { type: 'exec', id: 3, node: 1, cmd: 'ping -c 3 10.0.9.2', queued: false },
    { type: 'link', link: 0, change: { up: false, bandwidthBps: null } },
  ],
  frames: [
    { deliverAt: 1_500_000, link: 2, port: 4, seq: 0, bytes: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0]) },
    { deliverAt: 1_500_000, link: 2, port: 4, seq: 1, bytes: new Uint8Array([]) },
  ],
  trace: true,
};

describe('ipc codec', () => {
  it('round-trips a window with frame envelopes, keeping bytes as Uint8Array', () => {
    const decoded = decodeControllerMessage(encodeMessage(window));
    expect(decoded).toEqual(window);
    if (decoded.type !== 'window') throw new Error('wrong type');
    const first = decoded.frames[0]!;
    expect(Object.getPrototypeOf(first.bytes)).toBe(Uint8Array.prototype);
    expect([...first.bytes]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0]);
    expect(decoded.until).toBe(2 ** 40 + 7);
  });

  it('round-trips a windowDone with Infinity as the idle next-event time and an error naming the node', () => {
    const done: WindowDoneMessage = {
      type: 'windowDone',
      version: PROTOCOL_VERSION,
      shard: 2,
      out: [],
      ringed: [],
      outputs: [{ id: 1, node: 0, t: 5, seq: 0, stream: 'stdout', text: 'PING 10.0.9.2\n' }],
      exits: [{ id: 1, node: 0, t: 9, seq: 1, status: 0 }],
      traces: [{ t: 5, seq: 0, kind: 'drop', node: 0, ifname: null, link: -1, reason: 'noRoute' }],
      nodes: [],
      ports: [{ port: 0, frames: 3, drops: 1, queueDepth: 0 }],
      nextEventAt: Infinity,
      error: { node: 'r3', message: 'Error: boom' },
    };
    expect(decodeShardMessage(encodeMessage(done))).toEqual(done);
  });

  it('round-trips settle and its answer, which may name a node that failed asynchronously', () => {
    expect(decodeControllerMessage(encodeMessage({ type: 'settle', version: PROTOCOL_VERSION }))).toEqual({ type: 'settle', version: PROTOCOL_VERSION });
    const settled = { type: 'settled' as const, version: PROTOCOL_VERSION, shard: 1, error: { node: 'h2', message: 'unhandled rejection: Error: late' } };
    expect(decodeShardMessage(encodeMessage(settled))).toEqual(settled);
    expect(() => decodeControllerMessage(encodeMessage(settled))).toThrow(/unexpected controller message type settled/);
  });

  it('the encoded bytes are not shared with the next encoding', () => {
    const a = encodeMessage(window);
    const copy = a.slice();
    encodeMessage({ ...window, until: 1 });
    expect(a).toEqual(copy);
  });

  it('rejects another protocol version and a message of the wrong direction', () => {
    expect(() => decodeControllerMessage(encodeMessage({ ...window, version: 99 }))).toThrow(ProtocolError);
    expect(() => decodeShardMessage(encodeMessage(window))).toThrow(/unexpected shard message type window/);
  });

  it('round-trips arbitrary envelope batches', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            deliverAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
            link: fc.nat(1000),
            port: fc.nat(1000),
            seq: fc.nat(),
            bytes: fc.uint8Array({ maxLength: 1600, size: 'max' }),
          }),
          { maxLength: 20, size: 'max' },
        ),
        (frames) => {
          const decoded = decodeControllerMessage(encodeMessage({ ...window, frames }));
          expect(decoded.type === 'window' && decoded.frames).toEqual(frames);
        },
      ),
    );
  });
});
