import { describe, expect, it } from 'vitest';
import { Lab, MS, SECOND, opened } from './testing/lab.js';
import type { Program } from './process.js';

const ticker: Program = (ctx) => {
  let n = 0;
  const tick = (): void => {
    n++;
    ctx.stdout(`tick ${n} at ${ctx.now() / SECOND}\n`);
    ctx.setTimer(1 * SECOND, tick);
  };
  ctx.onInterrupt(() => {
    ctx.stdout(`--- ${n} ticks ---\n`);
    ctx.exit(0);
  });
  tick();
};

const plain: Program = (ctx) => {
  ctx.setTimer(10 * SECOND, () => ctx.stdout('never\n'));
};

const thrower: Program = () => {
  throw new Error('boom');
};

const leaky: Program = (ctx) => {
  const socket = ctx.udpSocket(4);
  if ('errno' in socket) return;
  socket.bind('0.0.0.0', 7777);
  ctx.stdout(`${ctx.hostname} ${ctx.ifindex('eth0')} ${ctx.ifname(1)} ${ctx.resolve('localhost')} ${ctx.resolve(ctx.hostname)}\n`);
  ctx.exit(3);
  ctx.stdout('after exit\n');
};

function lab(): Lab {
  const l = new Lab();
  l.addNode('h1', { programs: { ticker, plain, thrower, leaky } });
  l.addNode('h2');
  l.link('h1:eth0', 'h2:eth0');
  l.addr('h1', 'eth0', '10.0.0.1/24');
  return l;
}

describe('processes', () => {
  it('run on virtual time and print their summary on Ctrl-C', () => {
    const l = lab();
    const run = l.exec('h1', 'ticker');
    l.run(2500 * MS);
    run.interrupt();
    expect(run.stdout).toBe('tick 1 at 0\ntick 2 at 1\ntick 3 at 2\n--- 3 ticks ---\n');
    expect(run.status).toBe(0);
    l.run(5 * SECOND);
    expect(run.stdout.split('\n')).toHaveLength(5);
  });

  it('exit 130 on Ctrl-C without a handler, and their timers die with them', () => {
    const l = lab();
    const run = l.exec('h1', 'plain');
    run.interrupt();
    expect(run.status).toBe(130);
    l.run(20 * SECOND);
    expect(run.stdout).toBe('');
  });

  it('a program that throws lets the error out of exec: a bug is not turned into stderr', () => {
    expect(() => lab().exec('h1', 'thrower')).toThrow('boom');
  });

  it('output after exit is discarded, sockets are closed at exit, names resolve', () => {
    const l = lab();
    const run = l.exec('h1', 'leaky');
    expect(run).toMatchObject({ status: 3, stdout: 'h1 2 lo 127.0.0.1 10.0.0.1\n' });
    // The port is free again.
    expect(opened(l.node('h1').parts.sockets.openUdp({})).bind('0.0.0.0', 7777)).toEqual({ ok: true });
  });

  it('an unknown command gets bash\'s "command not found" and status 127', () => {
    expect(lab().exec('h1', 'nosuchprogram -x')).toMatchObject({ status: 127, stderr: 'nosuchprogram: command not found\n' });
  });
});
