/**
 * Where the TUI's `c` key writes a capture: `<capture root>/<topology name>-<n>`. The topology's
 * `name` is free text from the file, so it becomes one safe folder name first: letters, digits,
 * ".", "_" and "-" only (anything else, "/" and control characters included, turns into "_"), no
 * leading "." (so never "." or ".." and never hidden), at most CAPTURE_NAME_MAX characters.
 * The files inside are created by the runtime's PcapngCapture, which refuses symbolic links.
 */
import { join } from 'node:path';

/** The longest topology-derived part of a capture folder's name. */
export const CAPTURE_NAME_MAX = 64;

/** `../../../../outside` → `outside`, `lab 1/α` → `lab_1_`, `` → `capture`. */
export function captureFolderName(topologyName: string): string {
  const safe = [...topologyName]
    .map((char) => (/^[A-Za-z0-9._-]$/.test(char) ? char : '_'))
    .join('')
    .replace(/_+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, CAPTURE_NAME_MAX);
  return safe === '' ? 'capture' : safe;
}

/** The folder of the `count`-th capture of a topology, under `root`. */
export function captureFolder(root: string, topologyName: string, count: number): string {
  return join(root, `${captureFolderName(topologyName)}-${count}`);
}
