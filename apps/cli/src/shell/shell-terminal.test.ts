/**
 * `netloom shell` in a real terminal (tmux): the prompt appears, Up recalls the last line, Tab
 * completes, Ctrl-C abandons a line, Ctrl-D on an empty line exits with status 0; with --realtime,
 * Ctrl-C during a ping stops it with `^C` and its statistics, discarding what was typed ahead.
 */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { FIXTURES } from '../testing/cli-harness.js';
import { assertBuilt, BIN, CLI_ROOT } from '../testing/spawn-cli.js';

const terminal = needs({ tools: ['tmux'] });
const socket = `netloom-cli-test-${process.pid}`;

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function screen(session = 'shell'): string {
  return tmux('capture-pane', '-p', '-t', session);
}

async function waitFor(predicate: (text: string) => boolean, what: string, ms = 20_000, session = 'shell'): Promise<string> {
  const deadline = Date.now() + ms;
  let text = '';
  while (Date.now() < deadline) {
    text = screen(session);
    if (predicate(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('netloom shell in a terminal', () => {
  afterAll(() => {
    if (terminal.met) spawnSync('tmux', ['-L', socket, 'kill-server']);
  });

  terminal.it('prompts, recalls history with Up, completes with Tab, and exits 0 on Ctrl-D', async () => {
    assertBuilt();
    const command = `node ${BIN} shell ${join(FIXTURES, 'three-hosts.yaml')} --placement inline; echo "netloom exited $?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'shell', '-x', '120', '-y', '40', '-c', CLI_ROOT, command);

    await waitFor((text) => /^netloom>/m.test(text), 'the prompt');
    tmux('send-keys', '-t', 'shell', 'h1 ip -br addr show dev eth0', 'Enter');
    await waitFor((text) => count(text, '10.0.1.1/24') === 1 && text.trimEnd().endsWith('netloom>'), 'the first answer');

    tmux('send-keys', '-t', 'shell', 'Up');
    await waitFor((text) => count(text, 'netloom> h1 ip -br addr show dev eth0') === 2, 'the recalled line');
    tmux('send-keys', '-t', 'shell', 'Enter');
    await waitFor((text) => count(text, '10.0.1.1/24') === 2, 'the second answer');

    tmux('send-keys', '-t', 'shell', 'nod', 'Tab');
    await waitFor((text) => /netloom> node$/m.test(text), 'completion of "nod" to "node"');
    tmux('send-keys', '-t', 'shell', 's', 'Enter');
    await waitFor((text) => text.includes('r1    router  up'), 'the nodes table');

    tmux('send-keys', '-t', 'shell', 'h2 garbage-in-progress', 'C-c');
    await waitFor((text) => text.includes('^C'), 'Ctrl-C abandoning the line');
    tmux('send-keys', '-t', 'shell', 'C-d');
    const final = await waitFor((text) => text.includes('netloom exited'), 'the shell to exit');
    expect(final).toContain('netloom exited 0');
    expect(final).not.toContain('unknown node or command');
  }, 60_000);

  terminal.it('--realtime: Ctrl-C during a ping prints ^C and its statistics, and discards type-ahead as a tty does', async () => {
    assertBuilt();
    const command = `node ${BIN} shell ${join(FIXTURES, 'three-hosts.yaml')} --realtime --placement inline; echo "netloom exited $?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'realtime', '-x', '120', '-y', '40', '-c', CLI_ROOT, command);
    const wait = (predicate: (text: string) => boolean, what: string) => waitFor(predicate, what, 30_000, 'realtime');
    await wait((text) => /^netloom>/m.test(text), 'the prompt');
    tmux('send-keys', '-t', 'realtime', 'h1 ping h3', 'Enter');
    const running = await wait((text) => text.includes('icmp_seq=2 '), 'the second reply');
    expect(running).not.toContain('statistics');
    tmux('send-keys', '-t', 'realtime', 'time');
    tmux('send-keys', '-t', 'realtime', 'C-c');
    const stopped = await wait((text) => /^netloom> ?$/m.test(text), 'the statistics, then an empty prompt');
    expect(stopped).toMatch(/^\^C$/m);
    expect(stopped).toMatch(/^--- 10\.0\.2\.3 ping statistics ---\n\d+ packets transmitted, \d+ received, 0% packet loss/m);
    tmux('send-keys', '-t', 'realtime', 'time', 'Enter');
    await wait((text) => /^\d+\.\d{9}s$/m.test(text), 'the answer to time');
    tmux('send-keys', '-t', 'realtime', 'C-d');
    expect(await wait((text) => text.includes('netloom exited'), 'the shell to exit')).toContain('netloom exited 0');
  }, 60_000);
});
