/**
 * Test helper: renders the whole UI (or any element inside the provider) on a FakeEmulator with
 * ink-testing-library, starting paused so virtual time moves only when a test steps it.
 */
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import type { EmulatorApi } from '@netloom/runtime';
import { App } from '../App.js';
import { createEngine } from '../start-tui.js';
import type { TuiEngine } from '../tui-context.js';
import { TuiProvider } from '../TuiProvider.js';
import { FakeEmulator, routerChainSpec } from '../../testing/fake-emulator.js';

export interface RenderedTui<E extends EmulatorApi = FakeEmulator> extends ReturnType<typeof render> {
  emulator: E;
  engine: TuiEngine;
  quits: number;
  /** Types keys one chunk at a time, letting ink and React settle after each. */
  type(...chunks: string[]): Promise<void>;
  settle(): Promise<void>;
  /**
   * The frame once it contains `text`: polls as ink renders (batched on timers), so a busy machine
   * only makes it slower, never wrong. Gives up after a hang guard and returns the last frame.
   */
  frameWith(text: string): Promise<string>;
}

export const keys = {
  tab: '\t',
  shiftTab: '\u001B[Z',
  enter: '\r',
  escape: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  backspace: '\u007F',
};

/** How long frameWith waits before it hands back the frame for the test's assertion to judge. */
const HANG_GUARD_MS = 120_000;

export interface RenderOptions {
  element?: ReactElement;
  startPaused?: boolean;
  /** Virtual time one `.` advances (default STEP_NS, 10 ms). */
  stepNs?: number;
}

export function renderTui(options?: RenderOptions & { emulator?: FakeEmulator }): RenderedTui;
export function renderTui<E extends EmulatorApi>(options: RenderOptions & { emulator: E }): RenderedTui<E>;
export function renderTui(options: RenderOptions & { emulator?: EmulatorApi } = {}): RenderedTui<EmulatorApi> {
  const emulator = options.emulator ?? new FakeEmulator(routerChainSpec(2)).startNow();
  const engine = createEngine(emulator, '/tmp/netloom-test-captures');
  if (options.stepNs !== undefined) engine.stepNs = options.stepNs;
  let quits = 0;
  const instance = render(
    <TuiProvider engine={engine} startPaused={options.startPaused ?? true} onQuit={() => quits++}>
      {options.element ?? <App />}
    </TuiProvider>,
  );
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      await engine.queue.idle();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    ...instance,
    emulator,
    engine,
    get quits() {
      return quits;
    },
    settle,
    async frameWith(text: string) {
      const guard = Date.now() + HANG_GUARD_MS;
      for (;;) {
        const frame = instance.lastFrame() ?? '';
        if (frame.includes(text) || Date.now() > guard) return frame;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async type(...chunks: string[]) {
      for (const chunk of chunks) {
        instance.stdin.write(chunk);
        await settle();
      }
    },
  };
}
