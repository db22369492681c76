/**
 * Test helpers for the control plane: a Kernel with Ethernet devices, and a synchronous way to run a
 * shell command and get its stdout, stderr and exit status.
 */
import { Kernel, type DeviceStats, type RandomSource } from '../kernel.js';
import type { CompatSettings, Nanos } from '../node-host.js';
import { Shell } from '../shell/shell.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** A kernel with `devices` Ethernet ports (eth0, eth1, …), admin up with carrier. */
export function makeKernel(options: { hostname?: string; devices?: string[]; compat?: CompatSettings; up?: boolean; deviceStats?: (dev: string) => DeviceStats; random?: RandomSource } = {}): Kernel {
  const kernel = new Kernel({
    hostname: options.hostname ?? 'node',
    ...(options.compat ? { compat: options.compat } : {}),
    ...(options.deviceStats ? { deviceStats: options.deviceStats } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const devices = options.devices ?? ['eth0'];
  devices.forEach((name, i) => {
    kernel.addDevice(name, 'ether', new Uint8Array([0x02, 0, 0, 0, 0, i + 1]), 1500);
    kernel.setCarrier(name, true);
    if (options.up !== false) kernel.setLinkUp(name, true);
  });
  return kernel;
}

/** Run a command line synchronously (the builtins are synchronous). */
export function run(shell: Shell, line: string, now: Nanos = 0): CommandResult {
  let stdout = '';
  let stderr = '';
  let status = -1;
  shell.exec(line, now, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    exit: (s) => {
      status = s;
    },
  });
  return { stdout, stderr, status };
}

/** A shell over a fresh kernel, and a `sh(line)` runner. */
export function makeShell(options: Parameters<typeof makeKernel>[0] = {}): { kernel: Kernel; shell: Shell; sh: (line: string, now?: Nanos) => CommandResult } {
  const kernel = makeKernel(options);
  const shell = new Shell(kernel);
  return { kernel, shell, sh: (line, now = 0) => run(shell, line, now) };
}
