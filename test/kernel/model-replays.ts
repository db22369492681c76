/**
 * The model side of the differential tests: each function replays one kernel script of this
 * directory (NAME.py) step by step on netloom, through the library API (`Emulator`, inline placement,
 * virtual time), and prints the same transcript format the script prints, so that a test can compare
 * it with the script's recorded output (NAME.expected.txt).
 *
 * Where the kernel script needs a tool netloom has no counterpart for, the replay uses the closest
 * thing and says so: tcpdump on the director becomes the director's `tx` trace events; Python sockets
 * become the probe programs of probe-node-factory.mjs; `sleep` becomes `advance`. Gateway 1 is stopped
 * as the kernel script stops it (its interfaces set down inside it), not with dead-gateway.yaml's
 * `action: stop`: a stopped-and-started node is not something the kernel script can do.
 */
import { join } from 'node:path';
import { Emulator, type CommandResult, type TraceEvent } from '@netloom/runtime';
import { repoRoot, kernelDir } from './harness.js';

const factory = { module: new URL('./probe-node-factory.mjs', import.meta.url).href, export: 'createProbeNode' };
const MS = 1_000_000;
const S = 1_000_000_000;

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.at(-1) === '') out.pop();
  return out;
}

/** The transcript, in the scripts' format (netns.py `show`). */
class Transcript {
  private readonly out: string[] = [];

  line(text: string): void {
    this.out.push(text);
  }

  show(label: string, r: { status: number; stdout: string; stderr: string }): void {
    this.out.push(`$ ${label}`, ...lines(r.stdout), ...lines(r.stderr).map((l) => `! ${l}`));
    if (r.status !== 0) this.out.push(`[exit ${r.status}]`);
  }

  text(): string {
    return this.out.join('\n') + '\n';
  }
}

async function open(file: string): Promise<Emulator> {
  const em = await Emulator.load(file, { placement: 'inline', nodeFactory: factory });
  await em.start();
  return em;
}

/** `ping -q ARGS` reduced as netns.py `ping` does: `N received` and the status. */
async function ping(em: Emulator, t: Transcript, node: string, args: string): Promise<void> {
  const r = await em.exec(node, `ping -q ${args}`);
  const m = /(\d+) received/.exec(r.stdout);
  t.line(`$ ${node}: ping ${args}`);
  t.line(`${m ? m[1] : '?'} received`);
  for (const l of lines(r.stderr)) t.line(`! ${l}`);
  if (r.status !== 0) t.line(`[exit ${r.status}]`);
}

async function run(em: Emulator, t: Transcript, node: string, cmd: string, filter = (s: string) => s): Promise<CommandResult> {
  const r = await em.exec(node, cmd);
  t.show(`${node}: ${cmd}`, { ...r, stdout: filter(r.stdout) });
  return r;
}

// ---- policy-routing.py ----------------------------------------------------------------------------

export async function replayPolicyRouting(): Promise<string> {
  const em = await open(join(repoRoot, 'topologies', 'policy-routing.yaml'));
  const t = new Transcript();
  const veth = (s: string) => s.replace(/@if\d+/g, '').replace(/ link-netns \S+/g, '');
  try {
    await run(em, t, 'realserver', 'ip rule show');
    await run(em, t, 'realserver', 'ip route get 172.16.0.1 from 10.0.0.100');
    await run(em, t, 'realserver', 'ip route get 172.16.0.1');
    await run(em, t, 'realserver', 'ip route get 172.16.0.1 from 10.0.0.2');
    await run(em, t, 'realserver', 'ip route get 172.16.0.1 from 10.0.0.110');
    await run(em, t, 'realserver', 'ip route show table 100');
    await run(em, t, 'realserver', 'ip route show');
    await ping(em, t, 'realserver', '-c 2 -W 1 -I 10.0.0.100 172.16.0.1');
    await run(em, t, 'router', 'ip neigh show 10.0.0.100');
    await ping(em, t, 'realserver', '-c 2 -W 1 172.16.0.1');
    await run(em, t, 'realserver', 'ip addr show dev eth0', veth);
    await run(em, t, 'realserver', 'ip addr show dev lo', veth);
    await run(em, t, 'realserver', 'ifconfig eth0:110');
    await run(em, t, 'realserver', 'ifconfig lo:0');
    await run(em, t, 'director', 'ip route add default via 10.0.0.2');
    await run(em, t, 'director', 'ip route append default via 10.0.0.2');
    await run(em, t, 'director', 'ip route show');
  } finally {
    await em.close();
  }
  return t.text();
}

// ---- one-net-redirect.py ------------------------------------------------------------------------

function ipv4(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/** tcpdump -q's line for an ICMP redirect frame (Ethernet + IPv4 + ICMP type 5), or null. */
function redirectLine(frame: Uint8Array): string | null {
  if (frame.length < 14 + 20 + 8 + 20 || frame[12] !== 0x08 || frame[13] !== 0x00) return null;
  const ihl = (frame[14]! & 0x0f) * 4;
  const icmp = 14 + ihl;
  if (frame[23] !== 1 || frame[icmp] !== 5) return null;
  const total = (frame[16]! << 8) | frame[17]!;
  const inner = icmp + 8;
  return `${ipv4(frame, 26)} > ${ipv4(frame, 30)}: ICMP redirect ${ipv4(frame, inner + 16)} to host ${ipv4(frame, icmp + 4)}, length ${total - ihl}`;
}

function hops(traceroute: string): string[] {
  const out: string[] = [];
  for (const l of lines(traceroute).slice(1)) {
    const m = /^\s*(\d+)\s+(\S+)/.exec(l);
    if (m) out.push(`${m[1]!.padStart(2)}  ${m[2]}`);
  }
  return out;
}

/** The director's redirects, as tcpdump on its eth0 prints them. */
function captureRedirects(em: Emulator): string[] {
  const captured: string[] = [];
  em.onTrace((events: TraceEvent[]) => {
    for (const e of events) {
      if (e.node !== 'director' || e.kind !== 'tx' || e.frame === undefined) continue;
      const l = redirectLine(e.frame);
      if (l !== null) captured.push(l);
    }
  });
  return captured;
}

/** Phase 0 of one-net-redirect.py: the yaml's own timeline, default sysctls, its own network. */
async function yamlTimeline(t: Transcript): Promise<void> {
  const em = await open(join(repoRoot, 'topologies', 'one-net-redirect.yaml'));
  try {
    const captured = captureRedirects(em);
    await em.exec('client', 'sysctl -qw net.ipv4.icmp_ratemask=0');
    t.line("## phase 0: the yaml's timeline, default sysctls but the client's icmp_ratemask=0 (times from the first command)");
    const steps: [number, string][] = [
      [1, 'ip route get 10.1.1.10'], [2, 'traceroute -n -q 1 10.1.1.10'], [3, 'traceroute -n -q 1 10.1.1.10'],
      [5, 'ip route get 10.1.1.10'], [6, 'traceroute -n -q 1 10.1.1.10'], [7, 'route -Cn'], [8, 'ip route get 10.1.1.10'],
    ];
    for (const [at, cmd] of steps) {
      if (em.now() < at * S) await em.advance(at * S - em.now());
      const r = await em.exec('realserver', cmd);
      const stdout = cmd.startsWith('traceroute') ? hops(r.stdout).join('\n') : r.stdout;
      t.show(`realserver: ${cmd}`, { ...r, stdout });
    }
    await em.advance(300 * MS);
    t.line(`# redirects sent by the director in phase 0: ${captured.filter((l) => l.includes('> 192.168.1.20:')).length}`);
  } finally {
    await em.close();
  }
}

export async function replayOneNetRedirect(): Promise<string> {
  const t = new Transcript();
  await yamlTimeline(t);
  const em = await open(join(repoRoot, 'topologies', 'one-net-redirect.yaml'));
  const captured = captureRedirects(em);
  const routeGet = () => run(em, t, 'realserver', 'ip route get 10.1.1.10');
  const redirectsSince = async (mark: number) => {
    await em.advance(300 * MS);
    const got = captured.slice(mark);
    const toRs = got.filter((l) => l.includes('> 192.168.1.20:')).length;
    const toClient = got.filter((l) => l.includes('> 10.1.1.10:')).length;
    t.line(`# redirects sent by the director: ${toRs} to the realserver, ${toClient} to the client`);
    for (const l of [...new Set(got)].sort()) t.line(`#   ${l}`);
  };
  const traceroute = async () => {
    await em.advance(1100 * MS);
    const mark = captured.length;
    const r = await em.exec('realserver', 'traceroute -n -q 1 10.1.1.10');
    t.line('$ realserver: traceroute -n -q 1 10.1.1.10   (hops only)');
    for (const h of hops(r.stdout)) t.line(h);
    if (r.status !== 0) t.line(`[exit ${r.status}] ${r.stderr.trim()}`);
    await redirectsSince(mark);
  };
  try {
    for (const node of ['client', 'director']) await em.exec(node, 'sysctl -qw net.ipv4.icmp_ratemask=0');
    await em.advance(1500 * MS);
    t.line('# set from here on: net.ipv4.icmp_ratemask=0 on client and director (per-netns); nothing else changed');
    t.line('## phase 1: before any traffic');
    await routeGet();
    t.line("## phase 2: first traceroute; the director redirects, the real server does not know 10.1.1.10's MAC yet");
    await traceroute();
    await run(em, t, 'realserver', 'ip neigh show 10.1.1.10');
    await routeGet();
    t.line('## phase 3: second traceroute; this redirect is accepted');
    await traceroute();
    await routeGet();
    t.line('## phase 4: third traceroute goes straight to the client');
    await traceroute();
    await routeGet();
    await run(em, t, 'realserver', 'ip route show cache');
    await run(em, t, 'realserver', 'ip -j route show cache');
    await run(em, t, 'realserver', 'route -Cn');
    await run(em, t, 'realserver', 'ip route get 10.1.1.11');
    await run(em, t, 'director', 'ip route get 10.1.1.10 from 192.168.1.20 iif eth0');
    await run(em, t, 'client', 'ip route get 192.168.1.20');
    t.line('## phase 5: the expiry countdown');
    const expires = async () => /expires (\d+)sec/.exec((await em.exec('realserver', 'ip route get 10.1.1.10')).stdout)?.[1];
    const before = await expires();
    const t0 = em.now();
    await em.advance(3 * S);
    const after = await expires();
    const waited = (em.now() - t0) / S;
    if (before !== undefined && after !== undefined) {
      const fell = Number(before) - Number(after);
      t.line(`# expires ${before}sec, ${waited.toFixed(0)} s later expires ${after}sec`);
      t.line(`# countdown follows wall time: ${Math.abs(fell - waited) <= 2 ? 'yes' : 'no'}`);
    } else {
      t.line('# countdown: no expires field');
    }
    t.line('## phase 6: ip route flush cache');
    await run(em, t, 'realserver', 'ip route flush cache');
    await routeGet();
    await run(em, t, 'realserver', 'ip route show cache');
    await traceroute();
    await routeGet();
    t.line('## phase 7: send_redirects matrix on the director (after a flush on the real server each time)');
    for (const [all, dev] of [[0, 1], [0, 0], [1, 0]] as const) {
      await em.exec('director', `sysctl -qw net.ipv4.conf.all.send_redirects=${all}`);
      await em.exec('director', `sysctl -qw net.ipv4.conf.eth0.send_redirects=${dev}`);
      t.line(`## all.send_redirects=${all} eth0.send_redirects=${dev}`);
      await run(em, t, 'director', 'sysctl net.ipv4.conf.all.send_redirects net.ipv4.conf.eth0.send_redirects');
      await run(em, t, 'realserver', 'ip route flush cache');
      await traceroute();
      await routeGet();
      await traceroute();
    }
  } finally {
    await em.close();
  }
  return t.text();
}

// ---- dead-gateway.py ----------------------------------------------------------------------------

export async function replayDeadGateway(): Promise<string> {
  const em = await open(join(repoRoot, 'topologies', 'dead-gateway.yaml'));
  const t = new Transcript();
  const hostTx: { ifname: string; bytes: number }[] = [];
  em.onTrace((events: TraceEvent[]) => {
    for (const e of events) {
      if (e.node === 'host' && e.kind === 'tx' && e.ifname !== null) hostTx.push({ ifname: e.ifname, bytes: e.frame?.length ?? 0 });
    }
  });
  const receiver = await em.spawn('server', 'nlkrecv 9');
  let received = 0;
  const send = async (): Promise<string> => {
    const mark = hostTx.length;
    await em.exec('host', 'nlksend 172.16.0.10 9 400');
    await em.advance(50 * MS);
    const devs = ['eth0', 'eth1'].filter((d) => hostTx.slice(mark).some((f) => f.ifname === d && f.bytes >= 400));
    const got = lines(em.commandResult(receiver.id)?.stdout ?? '');
    const src = got.length > received ? got[received++]! : 'lost';
    received = Math.max(received, got.length);
    return `${devs.join(',') || 'not-transmitted'} ${src}`;
  };
  /** The kernel script's way of stopping gateway 1: both its interfaces down (or up again). */
  const gw1 = async (how: 'up' | 'down') => {
    for (const dev of ['eth0', 'eth1']) {
      const r = await em.exec('gw1', `ip link set ${dev} ${how}`);
      if (r.status !== 0) throw new Error(`gw1: ip link set ${dev} ${how}: ${r.stderr}`);
    }
  };
  const neigh = async (addr: string) => {
    const words = (await em.exec('host', `ip neigh show ${addr}`)).stdout.split(/\s+/).filter((w) => w !== '');
    return words.at(-1) ?? '(none)';
  };
  const watch = async (interval: number, until: string, sendsAfter: number, limit: number) => {
    const start = em.now();
    const since: Record<string, number> = {};
    let state: string | null = null;
    let after = 0;
    let folded = false;
    let last: string | null = null;
    let nextSend = start;
    const at = (now: number) => `t=${((now - start) / S).toFixed(1).padStart(4)}s`;
    while (em.now() - start < limit) {
      const now = em.now();
      const s = await neigh('10.1.0.1');
      if (s !== state) {
        if (folded) t.line('  (more sends the same while REACHABLE)');
        folded = false;
        state = s;
        since[s] = (now - start) / S;
        t.line(`${at(now)} 10.1.0.1 ${s}`);
      }
      if (state === until && after >= sendsAfter) break;
      if (now >= nextSend) {
        const l = `send (${state}): ${await send()}`;
        if (state === 'REACHABLE' && l === last) folded = true;
        else t.line(`${at(now)} ${l}`);
        last = l;
        if (state === until) after++;
        nextSend += interval;
      }
      await em.advance(100 * MS);
    }
    if (folded) t.line('  (more sends the same while REACHABLE)');
    return since;
  };
  try {
    for (const dev of ['eth0', 'eth1']) await em.exec('host', `sysctl -qw net.ipv4.neigh.${dev}.base_reachable_time_ms=12000`);
    t.line('# set on host: net.ipv4.neigh.{eth0,eth1}.base_reachable_time_ms=12000 (default 30000); other neighbour timers default:');
    for (const knob of ['delay_first_probe_time', 'retrans_time_ms', 'ucast_solicit', 'mcast_solicit']) {
      t.line(`#   ${(await em.exec('host', `sysctl net.ipv4.neigh.eth0.${knob}`)).stdout.trim()}`);
    }
    t.line('## phase 1: both gateways up');
    await run(em, t, 'host', 'ip route show');
    await ping(em, t, 'host', '-c 2 172.16.0.10');
    await run(em, t, 'host', 'ip route get 172.16.0.10');
    await run(em, t, 'host', 'ip route add default via 10.2.0.1');
    await run(em, t, 'host', 'ip neigh show 10.1.0.1');
    await run(em, t, 'host', 'ip neigh show 10.2.0.1');
    t.line('## phase 2: gw1 stops answering (its interfaces go down inside gw1); one send every 1.5 s');
    await gw1('down');
    const since = await watch(1.5 * S, 'FAILED', 1, 40 * S);
    const { DELAY, PROBE, FAILED } = since;
    if (DELAY !== undefined && PROBE !== undefined && FAILED !== undefined) {
      t.line(`# DELAY -> PROBE after ${(PROBE - DELAY).toFixed(0)} s, PROBE -> FAILED after ${(FAILED - PROBE).toFixed(0)} s`);
    }
    await run(em, t, 'host', 'ip neigh show 10.1.0.1');
    await run(em, t, 'host', 'ip route get 172.16.0.10');
    await run(em, t, 'host', 'ip route get 172.16.0.10');
    await ping(em, t, 'host', '-c 2 172.16.0.10');
    t.line('## phase 3: gw1 answers again');
    await gw1('up');
    await em.advance(1 * S);
    await run(em, t, 'host', 'ip route get 172.16.0.10');
    t.line(`send: ${await send()}`);
    await run(em, t, 'host', 'ip neigh show 10.1.0.1');
    await ping(em, t, 'host', '-c 1 10.1.0.1');
    await run(em, t, 'host', 'ip neigh show 10.1.0.1');
    await run(em, t, 'host', 'ip route get 172.16.0.10');
    t.line(`send: ${await send()}`);
    t.line(`send: ${await send()}`);
    t.line('## phase 4: metrics 10 and 20 instead: no failover');
    await run(em, t, 'host', 'ip route del default via 10.1.0.1');
    await run(em, t, 'host', 'ip route del default via 10.2.0.1');
    await run(em, t, 'host', 'ip route add default via 10.1.0.1 metric 10');
    await run(em, t, 'host', 'ip route add default via 10.2.0.1 metric 20');
    await run(em, t, 'host', 'ip route show');
    await gw1('down');
    await run(em, t, 'host', 'ip neigh del 10.1.0.1 dev eth0');
    await watch(1.25 * S, 'FAILED', 0, 15 * S);
    await run(em, t, 'host', 'ip neigh show 10.1.0.1');
    await run(em, t, 'host', 'ip route get 172.16.0.10');
  } finally {
    await em.close();
  }
  return t.text();
}

// ---- udp-errno.py -------------------------------------------------------------------------------

interface UdpCase {
  name: string;
  setup: string[];
  /** Commands run between the two sends of a connected case. */
  between?: string[];
  undo: string[];
}

const promote = 'sysctl -qw net.ipv4.conf.eth0.promote_secondaries';
/** The cases of udp-errno.py, in its order, with its set-up and undo commands. */
export const udpCases: UdpCase[] = [
  { name: 'on-link', setup: [], undo: [] },
  { name: 'no-route', setup: [], undo: [] },
  { name: 'prohibit-route', setup: ['ip route add prohibit 198.51.100.0/24'], undo: ['ip route del prohibit 198.51.100.0/24'] },
  { name: 'unreachable-route', setup: ['ip route add unreachable 198.51.100.0/24'], undo: ['ip route del unreachable 198.51.100.0/24'] },
  { name: 'blackhole-route', setup: ['ip route add blackhole 198.51.100.0/24'], undo: ['ip route del blackhole 198.51.100.0/24'] },
  { name: 'throw-route', setup: ['ip route add throw 198.51.100.0/24'], undo: ['ip route del throw 198.51.100.0/24'] },
  { name: 'interface-admin-down', setup: ['ip link set eth1 down'], undo: ['ip link set eth1 up'] },
  {
    name: 'gateway-route-device-down',
    setup: ['ip route add 198.51.100.0/24 via 10.1.0.1', 'ip link set eth1 down'],
    undo: ['ip link set eth1 up'],
  },
  { name: 'message-65507-bytes', setup: [], undo: [] },
  { name: 'message-65508-bytes', setup: [], undo: [] },
  { name: 'broadcast-without-SO_BROADCAST', setup: [], undo: [] },
  { name: 'broadcast-with-SO_BROADCAST', setup: [], undo: [] },
  { name: 'destination-port-0', setup: [], undo: [] },
  { name: 'bind-nonlocal-address', setup: [], undo: [] },
  { name: 'bind-nonlocal-IP_FREEBIND-then-sendto', setup: [], undo: [] },
  { name: 'IP_PKTINFO-spec_dst-nonlocal', setup: [], undo: [] },
  { name: 'IP_PKTINFO-spec_dst-other-interface', setup: [], undo: [] },
  { name: 'IP_PKTINFO-ifindex-eth1-to-eth0-subnet', setup: [], undo: [] },
  { name: 'IP_PKTINFO-ifindex-down-device', setup: ['ip link set eth1 down'], undo: ['ip link set eth1 up'] },
  { name: 'SO_BINDTODEVICE-no-route-on-device', setup: ['ip route add default via 10.0.0.1'], undo: ['ip route del default via 10.0.0.1'] },
  { name: 'SO_BINDTODEVICE-no-route-at-all', setup: [], undo: [] },
  { name: 'SO_BINDTODEVICE-on-link-of-other-device', setup: [], undo: [] },
  { name: 'SO_BINDTODEVICE-device-down', setup: ['ip link set eth1 down'], undo: ['ip link set eth1 up'] },
  { name: 'connect-no-route', setup: [], undo: [] },
  { name: 'connected-port-unreachable-then-send', setup: [], between: [], undo: [] },
  {
    name: 'connected-source-deleted-subnet-route-stays',
    setup: [`${promote}=1`, 'ip addr add 10.0.0.3/24 dev eth0'],
    between: ['ip addr del 10.0.0.2/24 dev eth0'],
    undo: ['ip addr del 10.0.0.3/24 dev eth0', 'ip addr add 10.0.0.2/24 dev eth0', `${promote}=0`],
  },
  {
    name: 'unconnected-after-source-deleted-subnet-route-stays',
    setup: [`${promote}=1`, 'ip addr add 10.0.0.3/24 dev eth0', 'ip addr del 10.0.0.2/24 dev eth0'],
    undo: ['ip addr del 10.0.0.3/24 dev eth0', 'ip addr add 10.0.0.2/24 dev eth0', `${promote}=0`],
  },
  {
    name: 'connected-source-deleted-route-elsewhere',
    setup: ['ip route add default via 10.1.0.1'],
    between: ['ip addr del 10.0.0.2/24 dev eth0'],
    undo: ['ip addr add 10.0.0.2/24 dev eth0', 'ip route del default via 10.1.0.1'],
  },
  {
    name: 'unconnected-after-source-deleted-route-elsewhere',
    setup: ['ip route add default via 10.1.0.1', 'ip addr del 10.0.0.2/24 dev eth0'],
    undo: ['ip addr add 10.0.0.2/24 dev eth0', 'ip route del default via 10.1.0.1'],
  },
  {
    name: 'connected-address-readded',
    setup: [],
    between: ['ip addr del 10.0.0.2/24 dev eth0', 'ip addr add 10.0.0.2/24 dev eth0'],
    undo: [],
  },
];

export async function replayUdpErrno(): Promise<string> {
  const em = await open(join(kernelDir, 'udp-errno.yaml'));
  const t = new Transcript();
  try {
    await em.spawn('peer', 'nlkrecv 9');
    t.line('# CASE: RESULT   (set-up commands indented below; a listener on 10.0.0.1:9 and 10.1.0.1:9)');
    for (const c of udpCases) {
      const problems: string[] = [];
      for (const cmd of c.setup) {
        const r = await em.exec('host', cmd);
        if (r.status !== 0) problems.push(`    ! ${cmd}: ${r.stderr.trim()}`);
      }
      let result: string;
      if (c.between !== undefined) {
        const p = await em.spawn('host', `nlkudp ${c.name}`);
        await em.advance(10 * MS);
        for (const cmd of c.between) {
          const r = await em.exec('host', cmd);
          if (r.status !== 0) problems.push(`    ! ${cmd}: ${r.stderr.trim()}`);
        }
        await em.advance(400 * MS);
        const r = em.commandResult(p.id);
        result = (r?.stdout ?? '').trim() || `no result (${(r?.stderr ?? '').trim()})`;
      } else {
        const r = await em.exec('host', `nlkudp ${c.name}`);
        result = r.stdout.trim() || `no result (${r.stderr.trim()})`;
      }
      t.line(`${c.name}: ${result}`);
      for (const cmd of c.setup) t.line(`    ${cmd}`);
      for (const p of problems) t.line(p);
      for (const cmd of c.undo) await em.exec('host', cmd);
    }
  } finally {
    await em.close();
  }
  return t.text();
}
