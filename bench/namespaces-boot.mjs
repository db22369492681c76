// The boot chain of `netloom bench boot` built with Linux network namespaces and veth pairs, the
// way Mininet builds a network: a namespace per node, a veth pair per link, then every address,
// route and the routers' forwarding set by one `ip`/`sysctl` process per command (Mininet runs
// each through its node's shell). The commands are netloom's own startup commands for the chain
// (bootNodeCommands), run as `ip -n NS …`. Each veth pair is created with both ends already in
// their namespaces (`ip link add … netns A type veth peer … netns B`), one process where Mininet
// spends three, so the namespace figure is, if anything, flattering.
//
// Namespaces are named bnch-PID-I and always deleted (also after an error or Ctrl-C). Needs root and
// iproute2; `node bench/namespaces-boot.mjs 100` runs it alone and prints JSON.
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { bootNodeCommands } from '@netloom/runtime';

/** Why this machine cannot build namespaces, or null. */
export function namespacesUnavailable() {
  if (process.getuid?.() !== 0) return 'not root (network namespaces need CAP_SYS_ADMIN)';
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (ip.error !== undefined) return 'iproute2 is not installed (no ip command): apt-get install -y iproute2';
  return null;
}

function run(argv) {
  execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Builds the chain of `nodes` nodes, returns the wall time to ready; deletes everything it made. */
export function bootNamespaces(nodes) {
  const prefix = `bnch-${process.pid}-`;
  const made = [];
  const cleanup = () => {
    if (made.length === 0) return;
    // One ip process for all: `netns del` of each namespace we made (their veths go with them).
    spawnSync('ip', ['-force', '-batch', '-'], { input: made.map((ns) => `netns del ${ns}\n`).join(''), stdio: ['pipe', 'ignore', 'ignore'] });
    made.length = 0;
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let commands = 0;
  try {
    const began = performance.now();
    for (let i = 0; i < nodes; i++) {
      run(['ip', 'netns', 'add', `${prefix}${i}`]);
      made.push(`${prefix}${i}`);
      commands++;
    }
    for (let k = 0; k < nodes - 1; k++) {
      const left = k === 0 ? 'eth0' : 'eth1';
      run(['ip', 'link', 'add', left, 'netns', `${prefix}${k}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', `${prefix}${k + 1}`]);
      commands++;
    }
    for (let i = 0; i < nodes; i++) {
      const ns = `${prefix}${i}`;
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      commands++;
      if (i > 0 && i < nodes - 1) {
        run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
        commands++;
      }
      for (const line of bootNodeCommands(i, nodes)) {
        run(['ip', '-n', ns, ...line.split(' ').slice(1)]);
        commands++;
      }
    }
    const readyMs = performance.now() - began;
    // Sanity: the chain routes end to end (ping's TTL of 64 limits this to short chains).
    let reachable = null;
    if (nodes <= 60) {
      const last = nodes - 2;
      const ping = spawnSync('ip', ['netns', 'exec', `${prefix}0`, 'ping', '-c', '1', '-W', '2', `10.${last >> 8}.${last & 0xff}.2`], { encoding: 'utf8' });
      reachable = ping.status === 0;
    }
    return { nodes, links: nodes - 1, commands, readyMs, reachable };
  } finally {
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const why = namespacesUnavailable();
  if (why !== null) {
    console.error(`namespaces-boot: skipped: ${why}`);
    process.exit(0);
  }
  console.log(JSON.stringify(bootNamespaces(Number(process.argv[2] ?? 100))));
}
