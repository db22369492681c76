import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { KEY_BINDINGS } from './key-bindings.js';
import { STEP_NS } from './start-tui.js';
import type { ReactNode } from 'react';
import { ConsolePane } from './ConsolePane.js';
import { FakeEmulator, routerChainSpec } from '../testing/fake-emulator.js';
import { useKeyboard } from './use-keyboard.js';
import { keys, renderTui, type RenderedTui } from './testing/render-tui.js';

// Rendering is quick, but the machine may be shared and busy.
vi.setConfig({ testTimeout: 30_000 });

afterEach(() => cleanup());

function KeyboardAndConsole(): ReactNode {
  useKeyboard();
  return <ConsolePane width={80} height={12} />;
}

async function openConsole(tui: RenderedTui): Promise<void> {
  await tui.type(keys.tab, keys.tab, keys.tab);
}

function frame(tui: RenderedTui): string {
  return tui.lastFrame() ?? '';
}

describe('console', () => {
  it('runs a command on the selected node and shows its real output under the NODE# prompt', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('ip route get 10.0.9.2', keys.enter);
    expect(frame(tui)).toContain('h1# ip route get 10.0.9.2');
    expect(frame(tui)).toContain('10.0.9.2 via 10.0.0.2 dev eth0 src 10.0.0.1 uid 0');
    expect(tui.emulator.calls).toContain('spawn h1 ip route get 10.0.9.2');
  });

  it('output streamed through onOutput (as the runtime sends it) is shown once, its chunks joined into lines', async () => {
    const tui = renderTui({ element: <KeyboardAndConsole /> });
    await tui.type(keys.enter, 'ip route get 10.0.9.2', keys.enter, 'ip frob', keys.enter);
    const console = frame(tui).split('\n').slice(1, -1).map((line) => line.slice(1).replace(/[│║]$/, '').trimEnd()).filter((line) => line !== '');
    expect(console).toEqual(['h1# ip route get 10.0.9.2', '10.0.9.2 via 10.0.0.2 dev eth0 src 10.0.0.1 uid 0', '    cache', 'h1# ip frob', 'Object "frob" is unknown, try "ip help".', 'h1#']);
  });

  it('follows the node selected in the node pane', async () => {
    const tui = renderTui();
    await tui.type(keys.down, keys.enter, 'ip route get 10.0.9.2', keys.enter);
    expect(frame(tui)).toContain('r1# ip route get 10.0.9.2');
    expect(frame(tui)).toContain('10.0.9.2 via 10.0.1.2 dev eth1 src 10.0.1.1 uid 0');
  });

  it("a bad command shows the tool's error text, not a stack trace", async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('ip frob', keys.enter);
    expect(frame(tui)).toContain('Object "frob" is unknown, try "ip help".');
    await tui.type('frobnicate', keys.enter);
    expect(frame(tui)).toContain('frobnicate: command not found');
    expect(frame(tui)).not.toMatch(/\n\s+at /);
  });

  it('an engine failure during a command shows its message without a stack trace', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('crash', keys.enter);
    expect(frame(tui)).toContain('shard 0 failed on node h1: crash requested');
    expect(frame(tui)).not.toContain('Error:');
    expect(frame(tui)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('Up and Down walk the command history', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('ip addr', keys.enter, 'ip route get 10.0.9.2', keys.enter, 'pin');
    await tui.type(keys.up);
    expect(frame(tui)).toContain('h1# ip route get 10.0.9.2 ');
    await tui.type(keys.up);
    expect(frame(tui)).toMatch(/h1# ip addr +║/);
    await tui.type(keys.down, keys.down);
    expect(frame(tui)).toMatch(/h1# pin +║/);
  });

  it('Tab completes commands, ip objects and interface names, and lists ambiguous choices', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('ip r', keys.tab);
    expect(frame(tui)).toContain('route  rule');
    await tui.type('o', keys.tab, 'g', keys.tab, '10.0.9.2 oif e', keys.tab);
    expect(frame(tui)).toContain('h1# ip route get 10.0.9.2 oif eth0 ');
  });

  it('typing keys fast in one chunk keeps every key (text, Tab, Enter)', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('ip ro\tg\t10.0.9.2\r');
    expect(frame(tui)).toContain('h1# ip route get 10.0.9.2');
    expect(frame(tui)).toContain('10.0.9.2 via 10.0.0.2 dev eth0');
  });

  it('command keys are typed as text while the console has focus, and Esc leaves it', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('q m?');
    expect(tui.quits).toBe(0);
    expect(frame(tui)).toContain('h1# q m?');
    await tui.type(keys.escape, '?');
    expect(frame(tui)).toContain('KEYS (? or Esc closes)');
  });

  it('PageUp and PageDown scroll the console output', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('ping -c 12 10.0.2.2', keys.enter);
    expect(frame(tui)).not.toContain('icmp_seq=5 ');
    await tui.type('\u001B[5~');
    expect(frame(tui)).toContain('icmp_seq=5 ');
    expect(frame(tui)).toContain('↑10 (PgDn)');
    await tui.type('\u001B[6~');
    expect(frame(tui)).not.toContain('icmp_seq=5 ');
  });

  it('Backspace erases', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('ip addrx', keys.backspace, keys.enter);
    expect(frame(tui)).toContain('inet 10.0.0.1/24 scope global eth0');
  });
});

describe('keys', () => {
  it('Tab moves focus around the panes and Shift+Tab back', async () => {
    const tui = renderTui();
    expect(frame(tui)).toContain('h1# (Tab to the console to type)');
    await tui.type(keys.tab, keys.tab, keys.tab);
    expect(frame(tui)).not.toContain('(Tab to the console to type)');
    await tui.type(keys.tab);
    expect(frame(tui)).toContain('(Tab to the console to type)');
    await tui.type(keys.shiftTab);
    expect(frame(tui)).not.toContain('(Tab to the console to type)');
  });

  it('Space pauses and resumes; while running, the clock advances virtual time', async () => {
    const tui = renderTui();
    expect(frame(tui)).toContain('❚❚ paused');
    await tui.type(' ');
    expect(frame(tui)).toContain('▶ running');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await tui.type(' ');
    expect(frame(tui)).toContain('❚❚ paused');
    const advanced = tui.emulator.now();
    expect(advanced).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await tui.settle();
    expect(tui.emulator.now()).toBe(advanced);
    expect(frame(tui)).toContain(`t=${(advanced / 1e9).toFixed(6)}s`);
  });

  it('a failing engine stops the clock and shows the failure, once, without a stack trace', async () => {
    const tui = renderTui({ startPaused: false });
    tui.emulator.advanceFailure = new Error('node r2: Error: boom');
    // Waits for the failure to show (polling as ink renders), however slow the machine is.
    const shown = await tui.frameWith('node r2: Error: boom');
    await tui.settle();
    expect(shown).toContain('node r2: Error: boom');
    expect(frame(tui)).toContain('❚❚ paused');
    expect(tui.emulator.calls.filter((c) => c.startsWith('advance'))).toHaveLength(1);
  });

  it('. advances exactly one 10 ms step', async () => {
    const tui = renderTui();
    await tui.type('.', '.');
    expect(tui.emulator.calls.filter((c) => c.startsWith('advance'))).toEqual([`advance ${STEP_NS}`, `advance ${STEP_NS}`]);
    expect(frame(tui)).toContain('t=0.020000s');
    expect(frame(tui)).toContain('stepped 10 ms');
  });

  it('. pauses a running clock before stepping', async () => {
    const tui = renderTui({ startPaused: false });
    await tui.type('.');
    expect(frame(tui)).toContain('❚❚ paused');
  });

  it('+ and - change the speed', async () => {
    const tui = renderTui();
    await tui.type('+', '+');
    expect(frame(tui)).toContain('speed ×5');
    await tui.type('-', '-', '-');
    expect(frame(tui)).toContain('speed ×0.5');
  });

  it('l toggles the selected link, and pings across it then fail with linkDown drops in the log', async () => {
    const tui = renderTui();
    await tui.type(keys.tab, keys.down, 'l');
    expect(tui.emulator.calls).toContain('setLink r1:eth1--r2:eth0 {"up":false}');
    expect(frame(tui)).toMatch(/r1:eth1--r2:eth0 +DOWN/);
    expect(frame(tui)).toContain('link r1:eth1--r2:eth0 down');
    await tui.type(keys.tab, keys.tab, 'ping -c 1 10.0.2.2', keys.enter);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(frame(tui)).toContain('1 packets transmitted, 0 received, 100% packet loss');
    expect(frame(tui)).toContain('r1 drop(linkDown) IP 10.0.0.1 > 10.0.2.2: ICMP echo request');
    await tui.type(keys.escape, keys.tab, 'l');
    expect(frame(tui)).toMatch(/r1:eth1--r2:eth0 +up/);
  });

  it('l pressed twice at once takes the link down and up again', async () => {
    const tui = renderTui();
    await tui.type(keys.tab, 'll');
    expect(tui.emulator.calls.filter((c) => c.startsWith('setLink'))).toEqual(['setLink h1:eth0--r1:eth0 {"up":false}', 'setLink h1:eth0--r1:eth0 {"up":true}']);
    expect(frame(tui)).toMatch(/h1:eth0--r1:eth0 +up/);
  });

  it('c pressed twice at once starts and stops a capture', async () => {
    const tui = renderTui();
    await tui.type('cc');
    expect(tui.emulator.capturing).toBeNull();
    expect(frame(tui)).toContain('capture stopped: 3 file(s) in /tmp/netloom-test-captures/router-chain-1');
  });

  it('c starts a capture showing its files, and c again stops it', async () => {
    const tui = renderTui();
    await tui.type('c');
    expect(tui.emulator.capturing).toBe('/tmp/netloom-test-captures/router-chain-1');
    expect(frame(tui)).toContain('● capturing');
    expect(frame(tui)).toContain('capturing to /tmp/netloom-test-captures/router-chain-1: h1_eth0--r1_eth0.pcapng, r1_eth1');
    expect(frame(tui)).toContain('pcap: 3 files in /tmp/netloom-test-captures/router-chain-1');
    await tui.type('c');
    expect(tui.emulator.capturing).toBeNull();
    expect(frame(tui)).toContain('capture stopped: 3 file(s) in /tmp/netloom-test-captures/router-chain-1');
  });

  it('m shows the map and m hides it', async () => {
    const tui = renderTui();
    await tui.type('m');
    expect(frame(tui)).toContain('h1──────r1──────r2──────h2');
    await tui.type('m');
    expect(frame(tui)).not.toContain('h1──────r1');
    expect(frame(tui)).toContain('PACKETS');
  });

  it('? shows help with every key, Esc closes it', async () => {
    const tui = renderTui();
    await tui.type('?');
    for (const binding of KEY_BINDINGS) expect(frame(tui)).toContain(binding.keys);
    await tui.type(keys.escape);
    expect(frame(tui)).not.toContain('KEYS (? or Esc closes)');
  });

  it('Ctrl+C in the console abandons the line; elsewhere it quits', async () => {
    const tui = renderTui();
    await openConsole(tui);
    await tui.type('ping -c 100 10.0.2.2', '\u0003');
    expect(frame(tui)).toContain('h1# ping -c 100 10.0.2.2^C');
    expect(tui.quits).toBe(0);
    expect(tui.emulator.calls.some((c) => c.startsWith('spawn'))).toBe(false);
    await tui.type(keys.escape, '\u0003');
    expect(tui.quits).toBe(1);
  });

  it('q quits', async () => {
    const tui = renderTui();
    await tui.type('q');
    expect(tui.quits).toBe(1);
  });

  it('Up/Down scroll the packet log when it has focus', async () => {
    const tui = renderTui();
    tui.emulator.emit(Array.from({ length: 30 }, (_, i) => ({ t: i * 1000, kind: 'tx' as const, node: 'h1', ifname: null, link: 'h1:eth0--r1:eth0', summary: `frame ${i} end` })));
    await tui.type(keys.tab, keys.tab, keys.up, keys.up);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(frame(tui)).toContain('↑2');
    expect(frame(tui)).toContain('frame 27 end');
    expect(frame(tui)).not.toContain('frame 29 end');
  });
});

describe('layout', () => {
  it('fits 80 columns', async () => {
    const tui = renderTui();
    for (const line of frame(tui).split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });
});

describe('escape sequences', () => {
  it('a control character whose ESC prefix ink dropped still acts as its key', async () => {
    const tui = renderTui();
    await tui.type('\u001B\t');
    await tui.type('\u001B\t', '\u001B\t');
    expect(frame(tui)).not.toContain('(Tab to the console to type)');
  });
});

describe('typed chunks', () => {
  it('a chunk of command keys acts key by key (/drop opens the filter with "drop")', async () => {
    const tui = renderTui();
    await tui.type('/drop');
    expect(frame(tui)).toContain('filter/ drop');
  });
});

describe('first impression', () => {
  it('the focused pane has a double border and an inverse title; the others a thin one', async () => {
    const tui = renderTui();
    const doubleCorners = () => frame(tui).split('╔').length - 1;
    expect(doubleCorners()).toBe(1);
    expect(frame(tui)).toMatch(/╔═+╗╭─+╮/);
    expect(frame(tui)).toMatch(/║NODE +KIND/);
    await tui.type(keys.tab);
    expect(doubleCorners()).toBe(1);
    expect(frame(tui)).toMatch(/╭─+╮╔═+╗/);
    expect(frame(tui)).toMatch(/│NODE +KIND .*║LINK /);
    await tui.type(keys.tab);
    expect(frame(tui)).toMatch(/║PACKETS /);
    await tui.type(keys.tab);
    expect(frame(tui)).toMatch(/║h1# +║/);
    expect(doubleCorners()).toBe(1);
  });

  it('at 80x24 the node list of a ten-node chain pages, says which rows it shows, and reaches every node', async () => {
    const tui = renderTui({ emulator: new FakeEmulator(routerChainSpec(8)).startNow() });
    expect(frame(tui)).toContain('NODE 1-4/10↓');
    expect(frame(tui)).not.toMatch(/[│║]h2 /);
    await tui.type('\u001B[F');
    expect(frame(tui)).toContain('NODE 7-10/10↑');
    expect(frame(tui)).toMatch(/║h2 +host +up/);
    await tui.type('\u001B[H');
    expect(frame(tui)).toContain('NODE 1-4/10↓');
    await tui.type('\u001B[6~');
    expect(frame(tui)).toContain('NODE 7-10/10↑');
    await tui.type('\u001B[5~');
    expect(frame(tui)).toContain('NODE 1-4/10↓');
    for (let i = 0; i < 9; i++) await tui.type(keys.down);
    expect(frame(tui)).toContain('NODE 7-10/10↑');
    // Moving up inside the rows shown keeps them; past the top, the list follows by one row.
    await tui.type(keys.up, keys.up, keys.up);
    expect(frame(tui)).toContain('NODE 7-10/10↑');
    await tui.type(keys.up);
    expect(frame(tui)).toContain('NODE 6-9/10↑↓');
    // The console follows: r5 is the sixth node.
    await tui.type(keys.enter);
    expect(frame(tui)).toMatch(/r5# /);
  });

  it('a timeline event shows as a line in the packet log, whatever the filter, and as a notice in the header', async () => {
    const tui = renderTui();
    tui.emulator.emitTimeline({ t: 10e9, kind: 'node', node: 'r1', link: null, description: 'node r1 stop' });
    await tui.settle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(frame(tui)).toContain('10.000000 ⚑ event: node r1 stop');
    expect(frame(tui).split('\n')[0]).toContain('⚑ node r1 stop');
    expect(frame(tui)).toContain('PACKETS 0 events, 0 drops');
    await tui.type('/drop', keys.enter);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(frame(tui)).toContain('10.000000 ⚑ event: node r1 stop');
  });
});
