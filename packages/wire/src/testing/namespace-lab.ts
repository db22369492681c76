/**
 * Linux network namespaces for the tests that compare netloom with the real kernel: the one
 * TypeScript namespace lab (test/kernel/netns.py's Lab is the Python scripts' one, built the same
 * way). A node is a namespace `PREFIX-NODE-PID` with lo up (and IPv6 off unless asked for, as
 * netloom's nodes have none); a point-to-point link is one veth pair straight between two nodes (so
 * each end's carrier follows the other end's admin state, as netloom's links do); a LAN is a Linux
 * bridge (STP off) in a helper namespace with one veth pair per member. MACs are the test's, or the
 * kernel's random ones. Commands run inside a node with `ip netns exec NS sh -c LINE` (or bash).
 *
 * Only private addresses should be used; nothing leaves the namespaces. `destroy()` deletes them
 * all (tests call it in a `finally` or `afterAll`). Needs root and iproute2: tests declare it with
 * `needs({ netns: true })` from ./test-environment.js. Leaves out: routing, addresses and sysctls
 * (the tests run their own commands for those, the same lines they give netloom), and tc.
 * Built into wire's dist (tsconfig.build.json `files`): `@netloom/wire/testing/namespace-lab`.
 */
import { spawnSync } from 'node:child_process';

export interface LinkOptions {
  /** MAC of the `a` end, of the `b` end (default: the kernel's random ones). */
  macA?: string;
  macB?: string;
  /** MTU of the `a` end. */
  mtuA?: number;
  /** One transmit and one receive queue on each end. */
  singleQueue?: boolean;
  /** 'b': only the `b` end comes up (a test that brings `a` up itself); default both. */
  up?: 'both' | 'b';
}

export interface NamespaceRun {
  stdout: string;
  stderr: string;
  /** The exit status; -1 when the command could not run or was killed. */
  status: number;
}

/** At most this much output is kept from one command (then it fails, as a bound, not silently). */
const MAX_OUTPUT = 16 * 1024 * 1024;
/** A command still running after this long hangs; it is killed (a hang guard, never a verdict). */
const HANG_GUARD_MS = 600_000;

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(r.stderr ?? '').trim() || `status ${r.status}`}`);
}

function end(text: string): [string, string] {
  const [node = '', ifname = ''] = text.split(':');
  if (node === '' || ifname === '') throw new Error(`not a node:interface end: ${text}`);
  return [node, ifname];
}

export class NamespaceLab {
  private readonly tag = `${process.pid}`;
  private readonly namespaces = new Map<string, string>();
  private helper: string | null = null;
  private readonly bridges = new Map<string, { device: string; ports: number }>();

  /** `prefix` names this lab's namespaces (`PREFIX-NODE-PID`); keep it short and unique to the test. */
  constructor(private readonly prefix: string) {}

  /** A namespace for `node`, lo up; IPv6 off unless `ipv6`. */
  addNode(node: string, options: { ipv6?: boolean } = {}): string {
    if (this.namespaces.has(node)) throw new Error(`node ${node} exists`);
    const ns = `${this.prefix}-${node}-${this.tag}`;
    ip('netns', 'add', ns);
    this.namespaces.set(node, ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    if (options.ipv6 !== true) this.sh(node, 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1');
    return ns;
  }

  /** The namespace of a node. */
  ns(node: string): string {
    const ns = this.namespaces.get(node);
    if (ns === undefined) throw new Error(`no node ${node}`);
    return ns;
  }

  /** A veth pair straight between `a` and `b` (`node:ifname`), both ends up unless told otherwise. */
  link(a: string, b: string, options: LinkOptions = {}): void {
    const [aNode, aIf] = end(a);
    const [bNode, bIf] = end(b);
    // One queue each way when asked, as netloom's devices show with `ip -d link` (a veth gets one per CPU).
    const queues = options.singleQueue === true ? ['numtxqueues', '1', 'numrxqueues', '1'] : [];
    ip(
      'link', 'add', aIf, ...(options.macA ? ['address', options.macA] : []), ...(options.mtuA ? ['mtu', String(options.mtuA)] : []), ...queues, 'netns', this.ns(aNode),
      'type', 'veth', 'peer', 'name', bIf, ...(options.macB ? ['address', options.macB] : []), ...queues, 'netns', this.ns(bNode),
    );
    if (options.up !== 'b') ip('-n', this.ns(aNode), 'link', 'set', aIf, 'up');
    ip('-n', this.ns(bNode), 'link', 'set', bIf, 'up');
  }

  /** A LAN: a bridge in the helper namespace, each member (`node:ifname`, MAC optional) one port of it, all up. */
  lan(name: string, members: readonly { end: string; mac?: string }[]): void {
    for (const member of members) this.joinLan(name, member.end, member.mac);
  }

  /** One more member of the LAN `name` (its bridge made on first use): a veth pair from `end` to a bridge port. */
  joinLan(name: string, endText: string, mac?: string): void {
    const [node, ifname] = end(endText);
    if (this.helper === null) {
      this.helper = `${this.prefix}-sw-${this.tag}`;
      ip('netns', 'add', this.helper);
    }
    let bridge = this.bridges.get(name);
    if (bridge === undefined) {
      bridge = { device: `br${this.bridges.size}`, ports: 0 };
      this.bridges.set(name, bridge);
      ip('-n', this.helper, 'link', 'add', bridge.device, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
      ip('-n', this.helper, 'link', 'set', bridge.device, 'up');
    }
    const port = `${bridge.device}p${bridge.ports++}`;
    ip('link', 'add', ifname, 'netns', this.ns(node), ...(mac ? ['address', mac] : []), 'type', 'veth', 'peer', 'name', port, 'netns', this.helper);
    ip('-n', this.helper, 'link', 'set', port, 'master', bridge.device, 'up');
    ip('-n', this.ns(node), 'link', 'set', ifname, 'up');
  }

  /** Runs `line` in the node's namespace with `shell` (sh, or bash for bash's own answers). */
  run(node: string, line: string, shell: 'sh' | 'bash' = 'sh'): NamespaceRun {
    const r = spawnSync('ip', ['netns', 'exec', this.ns(node), shell, '-c', line], { encoding: 'utf8', timeout: HANG_GUARD_MS, maxBuffer: MAX_OUTPUT });
    if (r.error !== undefined) throw new Error(`${node}: ${line}: ${r.error.message}`);
    return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
  }

  /** Runs `line` and throws unless it exits 0; returns its stdout. */
  sh(node: string, line: string): string {
    const r = this.run(node, line);
    if (r.status !== 0) throw new Error(`${node}: ${line}: status ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Deletes every namespace of the lab (its devices go with them). */
  destroy(): void {
    for (const ns of [...this.namespaces.values(), ...(this.helper === null ? [] : [this.helper])]) spawnSync('ip', ['netns', 'del', ns]);
    this.namespaces.clear();
    this.bridges.clear();
    this.helper = null;
  }
}
