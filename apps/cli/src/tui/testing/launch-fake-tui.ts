/**
 * Starts the terminal UI on the FakeEmulator, for the tmux end-to-end test while the real
 * `netloom` bin and Emulator are not available: `node apps/cli/dist/tui/testing/launch-fake-tui.js`.
 * Exits with the UI's status.
 */
import { forceLiveRendering } from '../live-rendering.js';
import { FakeEmulator, routerChainSpec } from '../../testing/fake-emulator.js';

forceLiveRendering();
const { startTui } = await import('../start-tui.js');
const emulator = new FakeEmulator(routerChainSpec(8));
await emulator.start();
process.exitCode = await startTui(emulator, {});
