/**
 * The UI on the real engine, in-process (placement inline, ink-testing-library): the router chain's
 * node shell answers in the console with its real output and its real error text, the packet
 * log shows the real trace, and console commands run alongside the clock (the UI starts paused;
 * `.` steps it 10 ms at a time, so these tests size their waits in steps of virtual time).
 * An engine that cannot start the topology fails these tests (never a skip).
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { Emulator } from '@netloom/runtime';
import type { ReactNode } from 'react';
import { ConsolePane } from './ConsolePane.js';
import { startedEmulator } from './testing/started-emulator.js';
import { keys, renderTui, type RenderedTui } from './testing/render-tui.js';
import { useKeyboard } from './use-keyboard.js';

const topology = resolve(import.meta.dirname, '../../../../topologies/router-chain.yaml');

const emulator = startedEmulator(topology);

function frame(tui: RenderedTui<Emulator>): string {
  return tui.lastFrame() ?? '';
}

/** The keyboard and a console tall enough to show a whole interrupted ping. */
function KeyboardAndConsole(): ReactNode {
  useKeyboard();
  return <ConsolePane width={90} height={16} />;
}

/** Presses `.` (10 ms of virtual time) until the screen shows `pattern`, at most `steps` times; focus must not be in the console. */
async function stepUntil(tui: RenderedTui<Emulator>, pattern: RegExp, steps: number): Promise<void> {
  for (let i = 0; i < steps && !pattern.test(frame(tui)); i++) await tui.type('.');
  expect(frame(tui)).toMatch(pattern);
}

describe('the UI on the real engine', () => {
  it("runs the node shell's commands with their real output, and shows the tools' error text", async () => {
    const tui = renderTui({ emulator: emulator.current });
    await tui.type(keys.tab, keys.tab, keys.tab, 'ip route get 10.0.8.2', keys.enter);
    expect(frame(tui)).toContain('10.0.8.2 via 10.0.0.2 dev eth0 src 10.0.0.1 uid 0');
    await tui.type('ip route get nonsense', keys.enter);
    expect(frame(tui)).toContain('Error: any valid prefix is expected rather than "nonsense".');
    await tui.type('frobnicate', keys.enter);
    expect(frame(tui)).toContain('frobnicate: command not found');
    expect(frame(tui)).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('shows a ping in the packet log, filtered by node and protocol, and the node counters', async () => {
    const tui = renderTui({ emulator: emulator.current });
    await tui.type(keys.tab, keys.tab, keys.tab, 'ping -c 1 10.0.8.2', keys.enter);
    // Paused, the ping has sent its probe and waits for the clock.
    expect(frame(tui)).toContain('PING 10.0.8.2 (10.0.8.2) 56(84) bytes of data.');
    expect(frame(tui)).toContain('(ping waits: the clock is paused)');
    await tui.type(keys.escape);
    await stepUntil(tui, /1 packets transmitted, 1 received, 0% packet loss/, 20);
    expect(frame(tui)).toMatch(/h1:eth0--r1:eth0 h1 deliver\(icmp\) IP 10\.0\.8\.2 > 10\.0\.0\.1: ICMP echo reply/);
    await tui.type(keys.escape, '/', 'node h2 proto icmp', keys.enter);
    await new Promise((done) => setTimeout(done, 150));
    expect(frame(tui)).toMatch(/r8:eth1--h2:eth0 h2 rx IP 10\.0\.0\.1 > 10\.0\.8\.2: ICMP echo request/);
    expect(frame(tui)).not.toMatch(/ (h1|r\d) (rx|tx) /);
    expect(frame(tui)).toMatch(/[│║]h1 +host +up +[1-9]\d* +[1-9]\d* +0/);
  }, 60_000);

  it('a link taken down with l makes the next ping fail, with the drop and its reason in the log', async () => {
    const tui = renderTui({ emulator: emulator.current });
    await tui.type(keys.tab, keys.down, 'l');
    expect(frame(tui)).toMatch(/r1:eth1--r2:eth0 +DOWN/);
    await tui.type(keys.tab, keys.tab, 'ping -c 1 -W 1 10.0.8.2', keys.enter, keys.escape);
    await stepUntil(tui, /1 packets transmitted, 0 received, 100% packet loss/, 120);
    await tui.type('/', 'drop', keys.enter);
    await new Promise((done) => setTimeout(done, 150));
    expect(frame(tui)).toMatch(/r1:eth1--r2:eth0 r1 drop\((linkDown|interfaceDown)\) /);
    await tui.type(keys.tab, 'l');
    expect(frame(tui)).toMatch(/r1:eth1--r2:eth0 +up/);
  }, 60_000);

  it('a ping runs alongside the clock, its replies appearing as time passes, and Ctrl+C ends it with its statistics', async () => {
    const tui = renderTui({ emulator: emulator.current, element: <KeyboardAndConsole /> });
    await tui.type(keys.enter, 'clear', keys.enter, 'ping 10.0.8.2', keys.enter, keys.escape);
    // 10 ms steps: the second reply comes a second after the first probe.
    await stepUntil(tui, /icmp_seq=2 /, 250);
    expect(frame(tui)).not.toContain('icmp_seq=3 ');
    expect(frame(tui)).toContain('(ping waits: the clock is paused)');
    // Another node's console is free meanwhile.
    await tui.type(keys.down, keys.enter, 'ip -br addr show dev eth0', keys.enter);
    expect(frame(tui)).toMatch(/eth0 +UP +10\.0\.0\.2\/24/);
    await tui.type(keys.escape, keys.up, keys.enter, '\u0003');
    // As a terminal shows it: ^C on the line after the last reply, then ping's statistics.
    expect(frame(tui)).toMatch(/icmp_seq=2 .*\n║\^C +║\n║--- 10\.0\.8\.2 ping statistics --- +║\n║2 packets transmitted, 2 received, 0% packet loss/);
    expect(frame(tui)).toMatch(/h1# +║/);
  }, 60_000);
});
