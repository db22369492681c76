/**
 * The one-line summary of a frame in trace events: @netloom/wire's tcpdump-like describeFrame.
 * The single place the runtime asks for it (the controller, never the shards' hot path).
 */
import { describeFrame } from '@netloom/wire';

export function summarizeFrame(frame: Uint8Array): string {
  return describeFrame(frame);
}
