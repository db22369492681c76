/**
 * `netloom bench chain [--routers 8] [--packets 100000] [--placement …] [--workers N]`: pushes
 * packets through a chain of routers (runtime's benchChain) and prints hop-forwards per second,
 * wall time and peak RSS. Figures only; there is no pass or fail.
 */

import type { BenchChainResult, EmulatorOptions } from '../runtime-api.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_NODE_FAILED, EXIT_OK, errorMessage, type Engine } from '../engine.js';

export interface BenchOptions {
  routers: number;
  packets: number;
  placement?: EmulatorOptions['placement'];
  workers?: number;
  json?: boolean;
}

export async function benchChainCommand(options: BenchOptions, io: CliIo, engine: () => Promise<Engine>): Promise<number> {
  try {
    const runtime = await engine();
    const figures = await runtime.benchChain({
      routers: options.routers,
      packets: options.packets,
      ...(options.placement !== undefined ? { placement: options.placement } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    io.stdout.write(options.json ? `${JSON.stringify(figures)}\n` : describeFigures(figures));
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`netloom: bench: ${errorMessage(error)}\n`);
    return EXIT_NODE_FAILED;
  }
}

export function describeFigures(figures: BenchChainResult): string {
  const group = (n: number) => Math.round(n).toLocaleString('en-US');
  const threads = figures.placement === 'inline' ? 'main thread' : `${figures.workers} worker${figures.workers === 1 ? '' : 's'}`;
  return [
    `router chain: ${figures.routers} routers, ${group(figures.packets)} packets, placement ${figures.placement} (${threads})`,
    `delivered:      ${group(figures.delivered)}`,
    `hop-forwards:   ${group(figures.hopForwards)}`,
    `wall time:      ${(figures.wallMs / 1000).toFixed(3)} s`,
    `hop-forwards/s: ${group(figures.hopForwardsPerSecond)}`,
    `peak RSS:       ${(figures.peakRssBytes / 1048576).toFixed(1)} MiB`,
  ]
    .map((line) => `${line}\n`)
    .join('');
}
