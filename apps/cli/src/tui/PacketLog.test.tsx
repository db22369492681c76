import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Profiler } from 'react';
import type { TraceEvent } from '@netloom/runtime';
import { PacketLog, traceLineColor } from './PacketLog.js';
import { keys, renderTui } from './testing/render-tui.js';

// Rendering is quick, but the machine may be shared and busy.
vi.setConfig({ testTimeout: 30_000 });

afterEach(() => cleanup());

function echo(seq: number, overrides: Partial<TraceEvent> = {}): TraceEvent {
  return { t: seq * 1_000_000, kind: 'tx', node: 'h1', ifname: 'eth0', link: 'h1:eth0--r1:eth0', summary: `IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq ${seq}, length 64`, ...overrides };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PacketLog', () => {
  it('shows one tcpdump-like line per event, newest at the bottom, with counts', async () => {
    const tui = renderTui({ element: <PacketLog width={100} height={6} /> });
    tui.emulator.emit([echo(1), echo(2), echo(3), echo(4)]);
    const frame = await tui.frameWith('PACKETS 4 events, 0 drops');
    expect(frame).toContain('PACKETS 4 events, 0 drops');
    expect(frame).not.toContain('seq 1,');
    expect(frame).toContain('0.002000 h1:eth0--r1:eth0 h1 tx IP 10.0.1.1 > 10.0.9.2: ICMP echo request, id 1, seq 2, length 64');
    expect(frame.indexOf('seq 3,')).toBeLessThan(frame.indexOf('seq 4,'));
  });

  it('shows drops with their reason in red', async () => {
    const tui = renderTui({ element: <PacketLog width={100} height={6} /> });
    tui.emulator.emit([echo(1, { kind: 'drop', node: 'r1', reason: 'linkDown', link: 'r1:eth1--r2:eth0' })]);
    const frame = await tui.frameWith('drop(linkDown)');
    expect(frame).toContain('0.001000 r1:eth1--r2:eth0 r1 drop(linkDown) IP 10.0.1.1');
    expect(traceLineColor(tui.engine.logStore.window(null, 1)[0] as TraceEvent)).toBe('red');
    expect(traceLineColor(echo(2))).toBeUndefined();
  });

  it('keeps up with a flood: 50,000 events re-render the log only a handful of times', async () => {
    let renders = 0;
    const tui = renderTui({
      element: (
        <Profiler id="log" onRender={() => renders++}>
          <PacketLog width={100} height={10} />
        </Profiler>
      ),
    });
    const before = renders;
    const started = performance.now();
    for (let batch = 0; batch < 50; batch++) {
      tui.emulator.emit(Array.from({ length: 1000 }, (_, i) => echo(batch * 1000 + i)));
      if (batch % 10 === 9) await sleep(20);
    }
    const last = await tui.frameWith('seq 49999,');
    const elapsedMs = performance.now() - started;
    expect(tui.engine.logStore.size).toBe(5000);
    expect(tui.engine.logStore.totalEvents).toBe(50_000);
    // At most one render per 80 ms batch window (+1 for the trailing batch): a slower machine has
    // more windows and is allowed more renders, so the bound never judges speed.
    expect(renders - before).toBeLessThanOrEqual(Math.ceil(elapsedMs / 80) + 1);
    expect(last).toContain('seq 49999,');
  });

  it('answers a key while a flood of events is arriving (the flood never starves the keyboard)', async () => {
    const tui = renderTui();
    let seq = 0;
    // 200 events every 10 ms timer tick: a flood on any machine. Latency and rate are printed as
    // figures, not judged: a busy machine makes them worse without the behaviour being wrong.
    const flood = setInterval(() => tui.emulator.emit(Array.from({ length: 200 }, () => echo(seq++))), 10);
    try {
      while (seq < 6000) await sleep(10);
      const pressed = performance.now();
      tui.stdin.write('?');
      const frame = await tui.frameWith('KEYS (? or Esc closes)');
      console.log(`help panel after ${(performance.now() - pressed).toFixed(0)} ms under a flood of ${seq} events`);
      expect(frame).toContain('KEYS (? or Esc closes)');
    } finally {
      clearInterval(flood);
    }
    expect(tui.engine.logStore.size).toBe(5000);
  });

  it('/ opens the filter prompt; the filter keeps matching lines only, Esc cancels, empty clears', async () => {
    const tui = renderTui();
    tui.emulator.emit([echo(1), echo(2, { node: 'r1', summary: 'ARP, Request who-has 10.0.1.254 tell 10.0.1.1, length 28' })]);
    await tui.type('/', 'proto arp');
    expect(tui.lastFrame()).toContain('filter/ proto arp');
    await tui.type(keys.enter);
    let frame = await tui.frameWith('filter: proto arp');
    expect(frame).toContain('filter: proto arp');
    expect(frame).toContain('ARP, Request who-has');
    expect(frame).not.toContain('ICMP echo request');
    await tui.type('/', ' node h1', keys.escape);
    expect(tui.lastFrame()).toContain('filter: proto arp');
    await tui.type('/', keys.backspace.repeat(9), keys.enter);
    frame = tui.lastFrame() ?? '';
    expect(frame).toContain('filter cleared');
    expect(frame).toContain('ICMP echo request');
  });

  it('a bad filter shows the error and keeps the old filter', async () => {
    const tui = renderTui();
    await tui.type('/', 'host', keys.enter);
    expect(tui.lastFrame()).toContain('filter/ host   host needs an argument, e.g. host 10.0.1.1');
    await tui.type(' 10.0.1.1', keys.enter);
    expect(tui.lastFrame()).toContain('filter: host 10.0.1.1');
  });
});
