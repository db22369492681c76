/**
 * One small network built twice for the comparison tests: in Linux network namespaces (wire's
 * NamespaceLab: a veth pair per link, ends named like netloom's interfaces) and in netloom (NodeLab,
 * real nodes), with the same setup lines; a command line then runs on a node of either, and
 * `maskWallClock` hides what depends on the wall clock (RTTs, `time …ms`, statistics) and on the
 * hardware (MACs), so outputs compare as text. The namespaces are named `PREFIX-NODE-PID` and
 * deleted by `destroy()`; only private addresses are used and nothing leaves them. Tests declare
 * `needs({ netns: true, … })`.
 */
import type { Program } from '@netloom/stack';
import { NamespaceLab } from '@netloom/wire/testing/namespace-lab';
import { NodeLab, SECOND } from './node-lab.js';

export interface TwinResult {
  stdout: string;
  stderr: string;
  status: number;
}

export interface TwinSpec {
  /** Node names; `forwarding` ones get ip_forward=1 on both sides. */
  nodes: { name: string; forwarding?: boolean }[];
  /** Point-to-point links, `node:ifname` ends. */
  links: [string, string][];
  /** Command lines run on both sides before the comparisons (ip addr add …, ip route add …). */
  setup: [string, string][];
}

/**
 * a — r — b: a at PREFIX.1.1/24, the router r at PREFIX.1.254 and PREFIX.2.254 (forwarding),
 * b at PREFIX.2.2/24; a and b route by default through r.
 */
export function routedPair(prefix: string): TwinSpec {
  return {
    nodes: [{ name: 'a' }, { name: 'r', forwarding: true }, { name: 'b' }],
    links: [
      ['a:eth0', 'r:eth0'],
      ['r:eth1', 'b:eth0'],
    ],
    setup: [
      ['a', `ip addr add ${prefix}.1.1/24 dev eth0`],
      ['r', `ip addr add ${prefix}.1.254/24 dev eth0`],
      ['r', `ip addr add ${prefix}.2.254/24 dev eth1`],
      ['b', `ip addr add ${prefix}.2.2/24 dev eth0`],
      ['a', `ip route add default via ${prefix}.1.254`],
      ['b', `ip route add default via ${prefix}.2.254`],
    ],
  };
}

export class TwinNetwork {
  readonly lab: NodeLab;
  readonly namespaces: NamespaceLab;

  constructor(
    prefix: string,
    private readonly spec: TwinSpec,
    programs: Readonly<Record<string, Program>>,
  ) {
    this.lab = new NodeLab(programs);
    this.namespaces = new NamespaceLab(prefix);
  }

  /** Build both networks (namespaces first; a failure there throws). */
  build(): void {
    for (const node of this.spec.nodes) {
      this.namespaces.addNode(node.name, { ipv6: true });
      this.lab.addNode(node.name, node.forwarding === true ? { forwarding: true } : {});
    }
    for (const [x, y] of this.spec.links) {
      this.namespaces.link(x, y);
      this.lab.link(x, y);
    }
    for (const node of this.spec.nodes) {
      if (node.forwarding === true) this.namespaces.sh(node.name, 'sysctl -qw net.ipv4.ip_forward=1');
      // Linux rate-limits ICMP errors (1/s per peer after a burst of 6); many probes would meet it
      // by chance, so both sides run without it.
      this.namespaces.sh(node.name, 'sysctl -qw net.ipv4.icmp_ratelimit=0');
      this.lab.exec(node.name, 'sysctl -qw net.ipv4.icmp_ratelimit=0');
    }
    for (const [node, line] of this.spec.setup) {
      this.namespaces.sh(node, line);
      this.lab.sh(node, line);
    }
  }

  destroy(): void {
    this.namespaces.destroy();
  }

  /** The namespace of a node. */
  ns(node: string): string {
    return this.namespaces.ns(node);
  }

  /** Run `line` in the node's namespace with `shell` (sh, or bash for bash's own answers). */
  linux(node: string, line: string, shell: 'sh' | 'bash' = 'sh'): TwinResult {
    return this.namespaces.run(node, line, shell);
  }

  /** Run `line` on the netloom node (virtual time: at most two minutes, then ten seconds more). */
  netloom(node: string, line: string): TwinResult {
    const run = this.lab.exec(node, line, 120 * SECOND);
    this.lab.run(10 * SECOND);
    return { stdout: run.stdout, stderr: run.stderr, status: run.status ?? -1 };
  }
}

/** Mask what depends on the wall clock or the hardware. */
export function maskWallClock(text: string): string {
  return text
    .replace(/time=\d+(\.\d+)? ms/g, 'time=T ms')
    .replace(/time \d+ms/g, 'time Tms')
    .replace(/rtt min\/avg\/max\/mdev = [\d./]+ ms/g, 'rtt min/avg/max/mdev = T ms')
    .replace(/ipg\/ewma [\d./]+ ms/g, 'ipg/ewma T ms')
    .replace(/ {2}\d+\.\d{3} ms/g, '  T ms')
    .replace(/\[[0-9A-F]{2}(:[0-9A-F]{2}){5}\]/g, '[MAC]')
    .replace(/ {2}\d+\.\d{3}ms/g, '  Tms')
    .replace(/iputils \d+/g, 'iputils V');
}

/** Output, stderr and status as one text for a comparison. */
export function transcript(result: TwinResult): string {
  return maskWallClock(`${result.stdout}--stderr--\n${result.stderr}--status ${result.status}`);
}
