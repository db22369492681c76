/**
 * The msgpack codec for controller ⇄ shard messages (msgpackr).
 *
 * Records (`useRecords`) make the many same-shaped envelopes and trace records compact; `moreTypes`
 * keeps `Uint8Array` a `Uint8Array` on the far side (plain msgpack `bin` would decode as a Node
 * Buffer). Each message is self-contained (no structures shared between messages), so any decoder
 * reads any message. Leaves out: framing on a byte stream (MessagePorts keep message boundaries).
 */
import { Packr } from 'msgpackr';
import { PROTOCOL_VERSION, type ControllerMessage, type ShardMessage } from './messages.js';

const packr = new Packr({ useRecords: true, moreTypes: true });

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Encode a message into bytes the caller owns (safe to transfer). */
export function encodeMessage(message: ControllerMessage | ShardMessage): Uint8Array {
  const packed = packr.pack(message);
  // pack() may return a view into a reused buffer: copy into a buffer of our own.
  const bytes = new Uint8Array(packed.length);
  bytes.set(packed);
  return bytes;
}

function decode(bytes: Uint8Array): { type?: unknown; version?: unknown } {
  const value: unknown = packr.unpack(bytes);
  if (typeof value !== 'object' || value === null) {
    throw new ProtocolError('message is not a map');
  }
  const message = value as { type?: unknown; version?: unknown };
  if (message.version !== PROTOCOL_VERSION) {
    throw new ProtocolError(`protocol version ${String(message.version)}, want ${PROTOCOL_VERSION}`);
  }
  return message;
}

const controllerTypes = new Set(['start', 'window', 'settle', 'close']);
const shardTypes = new Set(['ready', 'windowDone', 'settled', 'done']);

export function decodeControllerMessage(bytes: Uint8Array): ControllerMessage {
  const message = decode(bytes);
  if (typeof message.type !== 'string' || !controllerTypes.has(message.type)) {
    throw new ProtocolError(`unexpected controller message type ${String(message.type)}`);
  }
  return message as ControllerMessage;
}

export function decodeShardMessage(bytes: Uint8Array): ShardMessage {
  const message = decode(bytes);
  if (typeof message.type !== 'string' || !shardTypes.has(message.type)) {
    throw new ProtocolError(`unexpected shard message type ${String(message.type)}`);
  }
  return message as ShardMessage;
}
