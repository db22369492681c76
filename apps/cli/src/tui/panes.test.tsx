import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Header } from './Header.js';
import { HelpPanel } from './HelpPanel.js';
import { KEY_BINDINGS } from './key-bindings.js';
import { LinkPane } from './LinkPane.js';
import { MapView } from './MapView.js';
import { formatNodeRow, NodePane } from './NodePane.js';
import { keys, renderTui } from './testing/render-tui.js';

// Rendering is quick, but the machine may be shared and busy.
vi.setConfig({ testTimeout: 30_000 });

afterEach(() => cleanup());

describe('Header', () => {
  it('shows the topology name, virtual time, speed and paused/running', async () => {
    const tui = renderTui({ element: <Header /> });
    expect(tui.lastFrame()).toBe('netloom router-chain  t=0.000000s  speed ×1  ❚❚ paused');
  });
});

describe('NodePane', () => {
  it('lists every node with kind, state and frame counters', async () => {
    const tui = renderTui({ element: <NodePane width={40} height={8} /> });
    const frame = tui.lastFrame() ?? '';
    // The node pane has the focus at the start: a double border.
    expect(frame).toContain('║NODE    KIND   STATE    IN   OUT DROP ║');
    expect(frame).toContain('║h1      host   up        0     0    0 ║');
    expect(frame).toContain('║r2      router up        0     0    0 ║');
  });

  it('shows frames in/out and drops after traffic, and DOWN for a stopped node', async () => {
    const tui = renderTui();
    await tui.emulator.stopNode('h2');
    await tui.type(keys.tab, keys.tab, keys.tab, 'ping -c 2 10.0.2.2', keys.enter);
    const frame = tui.lastFrame() ?? '';
    expect(frame).toContain('│h1      host   up        0     2    0');
    expect(frame).toContain('│r1      router up        2     2    0');
    expect(frame).toContain('│h2      host   DOWN      2     0    0');
  });

  it('cuts a name or kind too long for its column with … and keeps a space after it', () => {
    expect(formatNodeRow('director', 'director', 'up', 17, 17, 0)).toBe('direct… direc… up       17    17    0');
    expect(formatNodeRow('mn', 'mobile-node', 'up', 1, 2, 3)).toBe('mn      mobil… up        1     2    3');
    expect(formatNodeRow('client1', 'router', 'DOWN', 0, 0, 0)).toBe('client1 router DOWN      0     0    0');
  });

  it('keeps the selected node visible when the list is longer than the pane', async () => {
    const tui = renderTui();
    await tui.type(keys.down, keys.down, keys.down);
    expect(tui.lastFrame()).toContain('h2# ');
  });
});

describe('LinkPane', () => {
  it('lists links with state, frames, drops and queue depth', async () => {
    const tui = renderTui({ element: <LinkPane width={41} height={6} /> });
    const frame = tui.lastFrame() ?? '';
    expect(frame).toContain('│LINK             STATE FRAMES DROPS   Q│');
    expect(frame).toContain('│h1:eth0--r1:eth0 up         0     0   0│');
  });

  it('shortens a long link id to fit 80 columns', async () => {
    const tui = renderTui({ element: <LinkPane width={36} height={6} /> });
    expect(tui.lastFrame()).toContain('│h1:eth0--r… up         0     0   0│');
  });
});

describe('MapView', () => {
  it('draws the chain with a down link marked', async () => {
    const tui = renderTui({ element: <MapView width={80} height={8} /> });
    await tui.emulator.setLink('r1:eth1--r2:eth0', { up: false });
    const tui2 = renderTui({ element: <MapView width={80} height={8} />, emulator: tui.emulator });
    expect(tui2.lastFrame()).toContain('h1──────r1────x─r2──────h2');
  });
});

describe('HelpPanel', () => {
  it('lists every key binding', async () => {
    const tui = renderTui({ element: <HelpPanel width={100} height={20} /> });
    const frame = tui.lastFrame() ?? '';
    for (const binding of KEY_BINDINGS) expect(frame).toContain(binding.keys);
  });
});
