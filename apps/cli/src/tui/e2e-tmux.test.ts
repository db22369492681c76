/**
 * The terminal UI in a real terminal (tmux, 80x24, with CI=true to prove live rendering is
 * forced): open it on the router chain, run `ip route get` in h1's console, ping h2, take a link
 * down and watch the ping fail with the drop reason in the packet log, pause and step the clock, quit, and
 * check the terminal is back at the shell prompt with nothing of the UI left on screen.
 * Runs twice: on the real engine through `netloom tui topologies/router-chain.yaml` (needs apps/cli
 * built: skipped, saying so, when it is not, or failing under CI=true), and on the FakeEmulator
 * through testing/launch-fake-tui.ts (compiled here with tsc). Both need tmux.
 * One more on the real engine, for real time: a ping typed in the console at speed 1 prints its
 * replies one by one as the seconds pass, and Ctrl-C ends it with ping's statistics. And lvs-nat's
 * director in the node detail pane (`i`, 100x40): its UDP service's real servers go from no
 * connections to two each as the file's timeline runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { TmuxSession } from './testing/tmux-session.js';

const repo = resolve(import.meta.dirname, '../../../..');
const fakeBuild = join(repo, 'node_modules/.cache/netloom-tui-e2e');
const terminal = needs({ tools: ['tmux'] });
const builtCli = needs({ files: { [join(repo, 'apps/cli/dist/main.js')]: 'npm run build' } });

let session: TmuxSession | null = null;
afterEach(() => {
  session?.close();
  session = null;
});

function headerTime(screen: string): string {
  const match = /t=(\d+\.\d{6})s/.exec(screen);
  if (match === null) throw new Error(`no virtual time in the header:\n${screen}`);
  return match[1] as string;
}

/** Esc on its own: a terminal reads Esc followed at once by another key as Alt+key. */
async function escape(tmux: TmuxSession): Promise<void> {
  tmux.press('Escape');
  await new Promise((resolve) => setTimeout(resolve, 200));
}

async function driveRouterChain(command: string): Promise<void> {
  const tmux = new TmuxSession('netloom-tui-e2e', repo);
  session = tmux;
  await tmux.waitFor('e2e$');
  tmux.type(`CI=true ${command}`);
  tmux.press('Enter');
  await tmux.waitFor('press ? for help', 90_000);

  // h1 is selected; Tab×3 reaches its console.
  tmux.press('Tab', 'Tab', 'Tab');
  tmux.type('ip route get 10.0.8.2');
  tmux.press('Enter');
  await tmux.waitFor(/10\.0\.8\.2 via 10\.0\.0\.2 dev eth0 src 10\.0\.0\.1 uid 0/);

  // A ping end to end works (and resolves the neighbours on the way).
  tmux.type('ping -c 1 10.0.8.2');
  tmux.press('Enter');
  await tmux.waitFor(/1 packets transmitted, 1 received, 0% packet loss/, 90_000);

  // Esc leaves the console; Tab to the links; the second link is r1:eth1--r2:eth0.
  await escape(tmux);
  tmux.press('Tab', 'Down');
  tmux.type('l');
  await tmux.waitFor(/r1:eth1--r2:eth0 +DOWN/);

  tmux.press('Tab', 'Tab');
  tmux.type('ping -c 1 10.0.8.2');
  tmux.press('Enter');
  // r1's next hop lost its carrier with the link (a veth pair), so r1 may answer Destination Host
  // Unreachable once its neighbour entry fails: ping then counts an error, as iputils does.
  await tmux.waitFor(/1 packets transmitted, 0 received, (\+1 errors, )?100% packet loss/, 90_000);
  // Show only drops in the log: the drop and its reason.
  await escape(tmux);
  tmux.type('/drop');
  tmux.press('Enter');
  await tmux.waitFor(/filter: drop/);
  // r1 drops the echo request at the dead link: the link's linkDown, the stack's interfaceDown when
  // r1 sees its carrier go first, or neighbourFailed once its next hop's entry fails without carrier.
  await tmux.waitFor(/r1:eth1--r2:eth0 r1 drop\((linkDown|interfaceDown|neighbourFailed)\) /);

  // Pause, then one step of 10 ms.
  tmux.press('Space');
  await tmux.waitFor('❚❚ paused');
  // A clock tick already under way when Space was pressed still lands; then time stands still.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const before = headerTime(tmux.screen());
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(headerTime(tmux.screen())).toBe(before);
  tmux.type('.');
  const after = (Number(before) + 0.01).toFixed(6);
  await tmux.waitFor(`t=${after}s`);

  // q quits; the shell prompt is back, the alternate screen is gone.
  tmux.type('q');
  const restored = await tmux.waitFor(/^e2e\$\s*$/m, 30_000);
  expect(restored).not.toContain('PACKETS');
  expect(restored).not.toContain('╭');
  expect(restored).toContain(`e2e$ CI=true ${command}`);
  tmux.type('echo "status=$?"');
  tmux.press('Enter');
  await tmux.waitFor(/^status=0$/m);
}

terminal.describe('netloom tui in a real terminal', () => {
  beforeAll(() => {
    const launcher = join(repo, 'apps/cli/src/tui/testing/launch-fake-tui.ts');
    spawnSync(
      process.execPath,
      [join(repo, 'node_modules/typescript/bin/tsc'), '--outDir', fakeBuild, '--rootDir', join(repo, 'apps/cli/src'), '--module', 'nodenext', '--target', 'es2022', '--jsx', 'react-jsx', '--skipLibCheck', '--types', 'node', '--strict', launcher],
      // A hang guard for the compile (about 4 s here); the hook's own bound is a little longer, so
      // that a killed tsc is reported by the test that looks for its output.
      { encoding: 'utf8', timeout: 60_000 },
    );
  }, 70_000);

  it('drives the UI on the fake engine: route lookup, link down and drops, pause and step, quit', async () => {
    const launcher = join(fakeBuild, 'tui/testing/launch-fake-tui.js');
    expect(existsSync(launcher), `tsc did not produce ${launcher}`).toBe(true);
    await driveRouterChain(`node ${launcher}`);
    // Each step waits at most 45-90 s for its screen (a hang guard); the whole drive takes 3-8 s here.
  }, 120_000);

  builtCli.it('drives `netloom tui topologies/router-chain.yaml` on the real engine', async () => {
    const bin = join(repo, 'apps/cli/bin/netloom.js');
    const probe = spawnSync(process.execPath, [bin, 'exec', 'topologies/router-chain.yaml', 'h1', '--', 'ip', 'route', 'get', '10.0.8.2'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(probe.status, `netloom exec on router-chain: ${probe.stderr || probe.stdout}`).toBe(0);
    await driveRouterChain('node apps/cli/bin/netloom.js tui topologies/router-chain.yaml');
  }, { timeout: 120_000 });

  builtCli.it("the node detail pane shows lvs-nat's director's real servers as connections come", async () => {
    const tmux = new TmuxSession('netloom-tui-e2e-lvs', repo, 100, 40);
    session = tmux;
    await tmux.waitFor('e2e$');
    tmux.type('CI=true node apps/cli/bin/netloom.js tui topologies/lvs-nat.yaml --speed 0.5');
    tmux.press('Enter');
    await tmux.waitFor('press ? for help', 90_000);
    // client1, client2, director.
    tmux.press('Down', 'Down');
    tmux.type('i');
    await tmux.waitFor(/director \(director\) {2}IPVS \d+ services? {2}\(i closes\)/);
    // The six UDP connections of the timeline (1 to 1.5 s): two a real server, inactive.
    for (const server of ['2', '3', '4']) await tmux.waitFor(new RegExp(`-> 10\\.1\\.1\\.${server}:53 +Masq +1 +0 +2 `), 90_000);
    tmux.type('q');
    await tmux.waitFor(/^e2e\$\s*$/m, 30_000);
  }, { timeout: 120_000 });

  builtCli.it('real time: a console ping at speed 1 prints its replies as they come, and Ctrl-C shows its statistics', async () => {
    const tmux = new TmuxSession('netloom-tui-e2e-rt', repo);
    session = tmux;
    await tmux.waitFor('e2e$');
    tmux.type('CI=true node apps/cli/bin/netloom.js tui topologies/router-chain.yaml --speed 1');
    tmux.press('Enter');
    await tmux.waitFor('press ? for help', 90_000);
    tmux.press('Tab', 'Tab', 'Tab');
    tmux.type('ping 10.0.8.2');
    tmux.press('Enter');
    // The replies come one a second while the ping runs on (no statistics yet).
    const first = await tmux.waitFor(/icmp_seq=1 ttl=56/);
    expect(first).not.toContain('ping statistics');
    const third = await tmux.waitFor(/icmp_seq=3 ttl=56/);
    expect(third).not.toContain('ping statistics');
    expect(third).toContain('(ping runs: Ctrl+C stops it)');
    tmux.press('C-c');
    const stopped = await tmux.waitFor(/--- 10\.0\.8\.2 ping statistics ---\s*║\s*║\d+ packets transmitted, \d+ received/);
    const transmitted = Number(/(\d+) packets transmitted/.exec(stopped)?.[1]);
    // Paced by the clock: a few probes, not the 3600 of the one-hour cap a full-speed run reaches.
    expect(transmitted).toBeGreaterThanOrEqual(3);
    expect(transmitted).toBeLessThan(100);
    await escape(tmux);
    tmux.type('q');
    await tmux.waitFor(/^e2e\$\s*$/m, 30_000);
  }, { timeout: 120_000 });
});
