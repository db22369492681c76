/**
 * Linux network namespaces as a reference for tests: run a scripted scenario in a throw-away
 * namespace pair — a host namespace whose devices are veth ends (MACs chosen by the test) and a peer
 * namespace holding the other ends (so carrier exists and can be cut by setting the peer down),
 * built by wire's NamespaceLab (the one namespace lab of the TypeScript tests). The steps run in one
 * bash process, each with a marker line carrying its exit status; the namespaces are deleted after.
 * Only private addresses are used inside the namespaces; nothing leaves them. Whether namespaces
 * can be used here is the tests' `needs({ netns: true })` (@netloom/wire/testing/test-environment).
 */
import { spawnSync } from 'node:child_process';
import { NamespaceLab } from '@netloom/wire/testing/namespace-lab';

/** One step of a scenario run in the host namespace. */
export type NamespaceStep =
  /** A shell command line run inside the host namespace (its output and status are recorded). */
  | { kind: 'command'; line: string }
  /** Carrier of a host device: the peer end goes down or up (not recorded). */
  | { kind: 'carrier'; dev: string; up: boolean };

export interface NamespaceDevice {
  name: string;
  mac: string;
  mtu?: number;
}

export interface StepResult {
  stdout: string;
  status: number;
}

let scenarioCounter = 0;

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Run a scenario; returns one result per step (carrier steps give an empty result). stderr of a
 * command is merged into its stdout (2>&1), which is how the comparisons read it.
 */
export function runNamespaceScenario(devices: readonly NamespaceDevice[], steps: readonly NamespaceStep[]): StepResult[] {
  const id = `${process.pid}x${scenarioCounter++}`;
  const lab = new NamespaceLab(`nlh${scenarioCounter}`);
  try {
    const host = lab.addNode('host', { ipv6: true });
    const peer = lab.addNode('peer', { ipv6: true });
    devices.forEach((dev, i) => {
      lab.link(`host:${dev.name}`, `peer:p${i}`, { macA: dev.mac, ...(dev.mtu ? { mtuA: dev.mtu } : {}), singleQueue: true, up: 'b' });
    });
    const marker = `@@NETLOOM-STEP-${id}@@`;
    const lines: string[] = [`exec 3>&1`];
    const peerUp = new Map(devices.map((d) => [d.name, true]));
    const waitState = (dev: string, state: 'UP' | 'DOWN'): string =>
      `for i in $(seq 100); do ip -n ${host} link show dev ${dev} | grep -q 'state ${state}' && break; sleep 0.02; done`;
    for (const step of steps) {
      if (step.kind === 'carrier') {
        peerUp.set(step.dev, step.up);
        const index = devices.findIndex((d) => d.name === step.dev);
        lines.push(`ip -n ${peer} link set p${index} ${step.up ? 'up' : 'down'}`);
        // Carrier changes reach the FIB through linkwatch, up to a second later: wait for them.
        lines.push(waitState(step.dev, step.up ? 'UP' : 'DOWN'));
        lines.push(`echo ${marker} 0`);
      } else {
        // `ip -n` is much cheaper than `ip netns exec` (no mount namespace); same output.
        const direct = /^ip [^'"\\$;&|<>]*$/.test(step.line);
        const run = direct ? `ip -n ${host} ${step.line.slice(3)}` : `ip netns exec ${host} bash -c ${shellQuote(step.line)}`;
        lines.push(`${run} 2>&1; echo ${marker} $?`);
        // Operstate (IFF_RUNNING, what ifconfig shows) follows an admin up through linkwatch: wait.
        // (`ifconfig DEV ADDR …` brings the device up too, even through a label.)
        const up = /^(?:ip link set (?:dev )?(\S+) up|ifconfig ([^\s:]+)(?::\S+)? (?!.*\bdown\b).+)$/.exec(step.line);
        const dev = up ? (up[1] ?? up[2])! : '';
        if (dev && peerUp.get(dev)) lines.push(waitState(dev, 'UP'));
      }
    }
    const result = spawnSync('bash', ['-c', lines.join('\n')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const out = result.stdout ?? '';
    const results: StepResult[] = [];
    let rest = out;
    for (let i = 0; i < steps.length; i++) {
      const at = rest.indexOf(marker);
      if (at < 0) break;
      const end = rest.indexOf('\n', at);
      const status = Number(rest.slice(at + marker.length + 1, end));
      results.push({ stdout: rest.slice(0, at), status });
      rest = rest.slice(end + 1);
    }
    return results;
  } finally {
    lab.destroy();
  }
}

/**
 * Remove what veth ends add to `ip` output (`@ifN` peer suffix, ` link-netns NAME`, JSON peer keys).
 * Also iproute2's "Peer netns reference is invalid": to name the peer's namespace `ip` opens every
 * file in /var/run/netns, and a file another process's `ip netns add`/`del` is creating or removing
 * (it exists before the bind mount and after the unmount) is no namespace, so the kernel refuses it
 * (rtnl_net_getid). Seen once in 50 seeds while other tests built namespaces: a race with the rest
 * of the machine, not part of the command's output.
 */
export function normaliseVethOutput(text: string): string {
  return text
    .replace(/^Error: Peer netns reference is invalid\.\n/gm, '')
    .replace(/(\d+: [A-Za-z0-9_.-]+)@if\d+:/g, '$1:')
    .replace(/ link-netns \S+/g, '')
    .replace(/^([A-Za-z0-9_.-]+)@if\d+ +/gm, (_m, n: string) => `${n.padEnd(16)} `)
    .replace(/"link_index":\d+,/g, '')
    .replace(/,"link_netnsid":\d+/g, '');
}
