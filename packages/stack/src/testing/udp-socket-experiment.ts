/**
 * Socket experiments run twice, on the Linux kernel and on the model, for the UDP-over-IPv6 tests
 * that compare them outcome for outcome (udp6-errno-vs-linux, udp6-dualstack-vs-linux): two hosts
 * on one LAN, h1 (2001:db8::1, and 10.0.0.1 with IPv4) with nothing listening and h2
 * (2001:db8::2, 10.0.0.2) running a list of socket operations. Linux's side is a python3 program
 * in h2's network namespace (namespace-lan.ts builds them, IPv6 switched on there); the model's
 * is a program on a Lab node. Each side prints one line per operation, `<description> <outcome>`,
 * and `wait` for half a second of (emulated) time.
 * Leaves out the operations themselves and how they are printed: each test has its own list.
 */
import type { Program, ProcessContext, SendResult, SocketResult, UdpSocket } from '../process.js';
import { Lab, SECOND } from './lab.js';
import { runLanExperiment } from './namespace-lan.js';

/** The LAN's addresses: IPv6 always, IPv4 beside it for dual-stack experiments. */
export interface ExperimentLan {
  ipv4: boolean;
}

/** An operation of a list; `wait` lets half a second pass. */
export interface SocketOperation {
  op: string;
}

const HOSTS = [
  { node: 'h1', ipv6: '2001:db8::1/64', ipv4: '10.0.0.1/24', mac: '02:00:00:00:06:01' },
  { node: 'h2', ipv6: '2001:db8::2/64', ipv4: '10.0.0.2/24', mac: '02:00:00:00:06:02' },
] as const;

/** The address commands of the LAN, as `ip -n NS` (Linux) or `ip` on a node (model) would run them. */
function addressCommands(lan: ExperimentLan): { node: string; command: string }[] {
  const commands = HOSTS.map((h) => ({ node: h.node, command: `ip -6 addr add ${h.ipv6} dev eth0 nodad` }));
  if (lan.ipv4) commands.push(...HOSTS.map((h) => ({ node: h.node, command: `ip addr add ${h.ipv4} dev eth0` })));
  return commands;
}

/**
 * The first lines of the python3 program: `sock(name)` opens a socket of the family
 * `familyExpression` names (python, of `name`) on first use, and `run(text, f)` prints
 * `text` and `resultExpression` (python, of `r`, f's result) or the errno f raised.
 */
export function pythonPrelude(familyExpression: string, resultExpression: string): string[] {
  return [
    'import socket, errno, time',
    'socks = {}',
    'def sock(name):',
    `    if name not in socks: socks[name] = socket.socket(${familyExpression}, socket.SOCK_DGRAM)`,
    '    return socks[name]',
    'def run(text, f):',
    '    try:',
    '        r = f()',
    `        print(text + ${resultExpression})`,
    '    except OSError as e:',
    '        print(text + " " + errno.errorcode[e.errno])',
  ];
}

/** The python3 line of a `wait`: the same half second, and the same `wait` line. */
export const PYTHON_WAIT = ['time.sleep(0.5)', 'print("wait")'] as const;

/** An operation's outcome as both sides print it: `ok` or the errno's name. */
export function outcomeOf(r: SocketResult | SendResult): string {
  return r.ok ? 'ok' : r.errno;
}

/**
 * The model's `sock(name)`: a UDP socket of the family `familyOf` gives the name, opened on first
 * use (`opened` sees it then), as the python program's.
 */
export function namedSockets(ctx: ProcessContext, familyOf: (name: string) => 4 | 6, opened?: (name: string, socket: UdpSocket) => void): (name: string) => UdpSocket {
  const sockets = new Map<string, UdpSocket>();
  return (name) => {
    let socket = sockets.get(name);
    if (socket === undefined) {
      const made = ctx.udpSocket(familyOf(name));
      if ('errno' in made) throw new Error(made.errno);
      socket = made;
      opened?.(name, socket);
      sockets.set(name, socket);
    }
    return socket;
  };
}

/** What the python program printed in h2's namespace on Linux; throws with bash's error text when the set-up failed. */
export function linuxTranscript(lan: ExperimentLan, python: string): string {
  const ports = HOSTS.map((h) => ({ node: h.node, ifname: 'eth0', mac: h.mac, lan: 'lan' }));
  const script = [
    // runLanExperiment's namespaces start with IPv6 off.
    'for ns in $h1 $h2; do ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0; done',
    ...HOSTS.map((h) => `ip -n $${h.node} link set eth0 up`),
    ...addressCommands(lan).map(({ node, command }) => command.replace(/^ip /, `ip -n $${node} `)),
    'sleep 2',
    'echo @@linux',
    `ip netns exec $h2 python3 - <<'PYTHON'\n${python}\nPYTHON`,
  ].join('\n');
  const sections = runLanExperiment(ports, script);
  const error = sections.get('error');
  if (error !== undefined) throw new Error(`the namespace experiment failed: ${error}`);
  return `${sections.get('linux')?.trimEnd()}\n`;
}

/**
 * The same operations on the model: `perform` (made once per run from the program's context)
 * does one and returns its outcome; its line is `<describe(o)> <outcome>`.
 */
export function modelTranscript<O extends SocketOperation>(
  lan: ExperimentLan,
  operations: readonly O[],
  describe: (o: O) => string,
  performer: (ctx: ProcessContext) => (o: O) => string,
): string {
  const out: string[] = [];
  const prober: Program = (ctx) => {
    const perform = performer(ctx);
    const step = (index: number): void => {
      for (let i = index; i < operations.length; i++) {
        const o = operations[i]!;
        if (o.op === 'wait') {
          out.push('wait');
          ctx.setTimer(SECOND / 2, () => step(i + 1));
          return;
        }
        out.push(`${describe(o)} ${perform(o)}`);
      }
      ctx.exit(0);
    };
    step(0);
  };
  const lab = new Lab();
  lab.addNode('h1');
  lab.addNode('h2', { programs: { prober } });
  lab.link('h1:eth0', 'h2:eth0');
  for (const { node, command } of addressCommands(lan)) lab.exec(node, command);
  lab.run(3 * SECOND);
  const run = lab.exec('h2', 'prober', 5 * SECOND);
  if (run.status !== 0) throw new Error(`prober: ${run.stderr}`);
  return `${out.join('\n')}\n`;
}
