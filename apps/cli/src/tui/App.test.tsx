import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { keys, renderTui } from './testing/render-tui.js';

afterEach(() => cleanup());

describe('App', () => {
  it('typing a command in the console runs it on the selected node and shows its output', async () => {
    const tui = renderTui();
    await tui.settle();
    await tui.type(keys.tab, keys.tab, keys.tab, 'ip route get 10.0.9.2', keys.enter);
    const frame = tui.lastFrame() ?? '';
    expect(frame).toContain('h1# ip route get 10.0.9.2');
    expect(frame).toContain('10.0.9.2 via 10.0.1.254 dev eth0 src 10.0.1.1 uid 0');
  });
});
