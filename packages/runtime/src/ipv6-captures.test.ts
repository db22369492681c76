/**
 * IPv6 as the tools see it (issue #15, dual stack everywhere): a routed IPv6 network — h1, router
 * r1 with forwarding on, h2 — pings across, pings an address nobody holds (address unreachable
 * after neighbour discovery fails), with hop limit 1 (time exceeded) and towards a prefix no route
 * covers (no route); and topologies/ipv6-slaac.yaml (router advertisements, SLAAC, pings on a
 * switch). Their pcaps are read by the real tools:
 * - tcpdump -tt -n prints, frame for frame, the lines `--trace` prints for the frames sent onto
 *   that link (time to the microsecond, then the summary): the trace and the TUI's packet log
 *   describe NDP, echo and ICMPv6 errors as tcpdump does;
 * - tshark finds nothing malformed, every ICMPv6 checksum good (a quoted packet's may be
 *   unverified, never bad) and each answered echo request paired with its reply.
 * Skipped with the reason when the tool is missing (failing under CI=true).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { Emulator } from './emulator.js';
import type { TraceEvent } from './emulator-types.js';
import { formatTrace } from './trace-format.js';

const TOPOLOGY = `name: ipv6-routed
seed: 1
nodes:
  h1:
    exec:
      - ip link set eth0 up
      - ip -6 addr add 2001:db8:1::1/64 dev eth0
      - ip -6 route add default via 2001:db8:1::fe
  r1:
    kind: router
    exec:
      - sysctl -w net.ipv6.conf.all.forwarding=1
      - ip link set eth0 up
      - ip link set eth1 up
      - ip -6 addr add 2001:db8:1::fe/64 dev eth0
      - ip -6 addr add 2001:db8:2::fe/64 dev eth1
  h2:
    exec:
      - ip link set eth0 up
      - ip -6 addr add 2001:db8:2::2/64 dev eth0
      - ip -6 route add default via 2001:db8:2::fe
links:
  - endpoints: [h1:eth0, r1:eth0]
  - endpoints: [r1:eth1, h2:eth0]
expect:
  - { at: 3s, node: h1, cmd: ping -6 -c 2 2001:db8:2::2, stdout: "2 packets transmitted, 2 received" }
  - { at: 6s, node: h1, cmd: ping -6 -c 1 -W 4 2001:db8:2::99, stdout: "From 2001:db8:2::fe icmp_seq=1 Destination unreachable: Address unreachable" }
  - { at: 12s, node: h1, cmd: ping -6 -c 1 -t 1 2001:db8:2::2, stdout: "From 2001:db8:1::fe icmp_seq=1 Time exceeded: Hop limit" }
  - { at: 14s, node: h1, cmd: ping -6 -c 1 2001:db8:3::1, stdout: "From 2001:db8:1::fe icmp_seq=1 Destination unreachable: No route" }
`;

/** beforeAll's bound: the package's test timeout (vitest's hooks default to 10 s); each run is ~14 s of virtual time inline. */
const HOOK_TIMEOUT = 60_000;
const tcpdump = needs({ tools: ['tcpdump'] });
const tshark = needs({ tools: ['tshark'] });
const scratch = mkdtempSync(join(tmpdir(), 'netloom-ipv6-captures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface CapturedRun {
  dir: string;
  events: TraceEvent[];
  failedExpectations: string[];
}

/** Runs a topology file's timeline inline with captures on; its trace events and what failed. */
async function captureRun(label: string, file: string): Promise<CapturedRun> {
  const dir = join(scratch, label);
  const events: TraceEvent[] = [];
  const emulator = await Emulator.load(file, { placement: 'inline' });
  emulator.onTrace((batch) => events.push(...batch));
  await emulator.startCapture(dir);
  const report = await emulator.run();
  await emulator.close();
  return { dir, events, failedExpectations: report.expectations.filter((e) => !e.passed).map((e) => e.message) };
}

function read(tool: string, args: string[]): string[] {
  const text = execFileSync(tool, args, { encoding: 'utf8', env: { ...process.env, HOME: scratch }, stdio: ['ignore', 'pipe', 'ignore'] });
  return text.split('\n').filter((line) => line !== '');
}

/** `3.002000 IP6 …`: a tx event as tcpdump -tt prints its frame (the time cut to microseconds). */
function asTcpdumpLine(event: TraceEvent): string {
  return formatTrace(event).replace(/^(\d+\.\d{6})\d{3} \S+ tx /, '$1 ');
}

/** For each capture file (a link or LAN and its ends), tcpdump's lines and those --trace printed for the frames sent onto it. */
function compareWithTcpdump(run: CapturedRun, links: { file: string; ends: string[] }[]): string[] {
  expect(run.failedExpectations).toEqual([]);
  expect(readdirSync(run.dir).sort()).toEqual(links.map((l) => l.file).sort());
  const all: string[] = [];
  for (const link of links) {
    const sent = run.events.filter((e) => e.kind === 'tx' && link.ends.includes(`${e.node}:${e.ifname}`)).map(asTcpdumpLine);
    expect(read('tcpdump', ['-tt', '-n', '-r', join(run.dir, link.file)]), link.file).toEqual(sent);
    all.push(...sent);
  }
  return all;
}

/** tshark -2 over every capture of the run: nothing malformed, checksums good; the frames' ICMPv6 types and reply frames. */
function dissectWithTshark(run: CapturedRun): { types: string; replyFrame: string }[] {
  expect(run.failedExpectations).toEqual([]);
  const dissected: { types: string; replyFrame: string }[] = [];
  for (const file of readdirSync(run.dir).sort()) {
    // Frame number, ICMPv6 types (outer, then a quoted packet's), checksum statuses (0 bad, 1 good, 2 unverified), reply frame, malformed mark.
    const frames = read('tshark', ['-2', '-r', join(run.dir, file), '-T', 'fields', '-e', 'frame.number', '-e', 'icmpv6.type', '-e', 'icmpv6.checksum.status', '-e', 'icmpv6.resp_in', '-e', '_ws.malformed']).map((line) => line.split('\t'));
    expect(frames.length, file).toBeGreaterThan(10);
    expect(frames.filter((f) => f[4]).map((f) => f[0]), `${file}: malformed`).toEqual([]);
    expect(frames.filter((f) => !/^1(,[12])*$/.test(f[2] ?? '')).map((f) => `${f[0]}: ${f[2]}`), `${file}: checksums`).toEqual([]);
    dissected.push(...frames.map((f) => ({ types: f[1] ?? '', replyFrame: f[3] ?? '' })));
  }
  return dissected;
}

describe('IPv6 captures of a routed network read by the real tools', () => {
  let run!: CapturedRun;
  beforeAll(async () => {
    const file = join(scratch, 'ipv6-routed.yaml');
    writeFileSync(file, TOPOLOGY);
    run = await captureRun('routed', file);
  }, HOOK_TIMEOUT);

  tcpdump.it('tcpdump prints the same line for each frame as --trace does', () => {
    const lines = compareWithTcpdump(run, [
      { file: 'h1_eth0--r1_eth0.pcapng', ends: ['h1:eth0', 'r1:eth0'] },
      { file: 'r1_eth1--h2_eth0.pcapng', ends: ['r1:eth1', 'h2:eth0'] },
    ]);
    expect(lines).toContain('3.000000 IP6 2001:db8:1::1 > ff02::1:ff00:fe: ICMP6, neighbor solicitation, who has 2001:db8:1::fe, length 32');
    expect(lines).toContain('9.001000 IP6 2001:db8:2::fe > 2001:db8:1::1: ICMP6, destination unreachable, unreachable address 2001:db8:2::99, length 112');
    expect(lines).toContain('12.001000 IP6 2001:db8:1::fe > 2001:db8:1::1: ICMP6, time exceeded in-transit for 2001:db8:2::2, length 112');
  });

  tshark.it('tshark finds nothing malformed, every ICMPv6 checksum good and the answered echoes paired', () => {
    const frames = dissectWithTshark(run);
    // Two echoes answered, seen on both links; address unreachable, time exceeded and no route quote their request.
    expect(frames.filter((f) => f.types === '128' && f.replyFrame !== '').length).toBe(4);
    expect(frames.filter((f) => /^[13],128$/.test(f.types)).length).toBe(3);
  });
});

describe('IPv6 captures of topologies/ipv6-slaac.yaml read by the real tools', () => {
  let run!: CapturedRun;
  beforeAll(async () => {
    run = await captureRun('slaac', fileURLToPath(new URL('../../../topologies/ipv6-slaac.yaml', import.meta.url)));
  }, HOOK_TIMEOUT);

  tcpdump.it('tcpdump prints the same line for each frame on the LAN as --trace does, router advertisements too', () => {
    const lines = compareWithTcpdump(run, [{ file: 'lan.pcapng', ends: ['r1:eth0', 'h1:eth0', 'h2:eth0', 'h3:eth0'] }]);
    expect(lines.filter((line) => / IP6 fe80::ff:fe00:101 > ff02::1: ICMP6, router advertisement, length \d+$/.test(line)).length).toBeGreaterThan(1);
  });

  tshark.it('tshark finds nothing malformed and every ICMPv6 checksum good, router advertisements included', () => {
    const frames = dissectWithTshark(run);
    expect(frames.filter((f) => f.types === '134').length).toBeGreaterThan(1);
    expect(frames.filter((f) => f.types === '128' && f.replyFrame !== '').length).toBeGreaterThan(0);
  });
});
