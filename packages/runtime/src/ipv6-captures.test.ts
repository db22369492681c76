/**
 * IPv6 as the tools see it (issue #15, dual stack everywhere): a routed IPv6 network — h1, router
 * r1 with forwarding on, h2 — pings across, pings an address nobody holds (address unreachable
 * after neighbour discovery fails), with hop limit 1 (time exceeded) and towards a prefix no route
 * covers (no route). Its pcaps are read by the real tools:
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

const tcpdump = needs({ tools: ['tcpdump'] });
const tshark = needs({ tools: ['tshark'] });
const scratch = mkdtempSync(join(tmpdir(), 'netloom-ipv6-captures-'));
const captures = join(scratch, 'pcap');
const events: TraceEvent[] = [];
let failedExpectations: string[] = [];

beforeAll(async () => {
  const file = join(scratch, 'ipv6-routed.yaml');
  writeFileSync(file, TOPOLOGY);
  const emulator = await Emulator.load(file, { placement: 'inline' });
  emulator.onTrace((batch) => events.push(...batch));
  await emulator.startCapture(captures);
  const report = await emulator.run();
  await emulator.close();
  failedExpectations = report.expectations.filter((e) => !e.passed).map((e) => e.message);
}, 600_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function read(tool: string, args: string[]): string[] {
  const text = execFileSync(tool, args, { encoding: 'utf8', env: { ...process.env, HOME: scratch }, stdio: ['ignore', 'pipe', 'ignore'] });
  return text.split('\n').filter((line) => line !== '');
}

/** `3.002000 IP6 …`: a tx event as tcpdump -tt prints its frame (the time cut to microseconds). */
function asTcpdumpLine(event: TraceEvent): string {
  return formatTrace(event).replace(/^(\d+\.\d{6})\d{3} \S+ tx /, '$1 ');
}

describe('IPv6 captures read by the real tools', () => {
  tcpdump.it('tcpdump prints the same line for each frame as --trace does', () => {
    expect(failedExpectations).toEqual([]);
    const links = [
      { file: 'h1_eth0--r1_eth0.pcapng', ends: ['h1:eth0', 'r1:eth0'] },
      { file: 'r1_eth1--h2_eth0.pcapng', ends: ['r1:eth1', 'h2:eth0'] },
    ];
    expect(readdirSync(captures).sort()).toEqual(links.map((l) => l.file));
    for (const link of links) {
      const sent = events.filter((e) => e.kind === 'tx' && link.ends.includes(`${e.node}:${e.ifname}`)).map(asTcpdumpLine);
      expect(read('tcpdump', ['-tt', '-n', '-r', join(captures, link.file)]), link.file).toEqual(sent);
    }
    const h1Link = events.filter((e) => e.kind === 'tx' && e.ifname === 'eth0' && (e.node === 'h1' || e.node === 'r1')).map(asTcpdumpLine);
    expect(h1Link).toContain('3.000000 IP6 2001:db8:1::1 > ff02::1:ff00:fe: ICMP6, neighbor solicitation, who has 2001:db8:1::fe, length 32');
    expect(h1Link).toContain('9.001000 IP6 2001:db8:2::fe > 2001:db8:1::1: ICMP6, destination unreachable, unreachable address 2001:db8:2::99, length 112');
    expect(h1Link).toContain('12.001000 IP6 2001:db8:1::fe > 2001:db8:1::1: ICMP6, time exceeded in-transit for 2001:db8:2::2, length 112');
  });

  tshark.it('tshark finds nothing malformed, every ICMPv6 checksum good and the answered echoes paired', () => {
    expect(failedExpectations).toEqual([]);
    let answered = 0;
    let errors = 0;
    for (const file of readdirSync(captures).sort()) {
      // Frame number, ICMPv6 types (outer, then a quoted packet's), checksum statuses (0 bad, 1 good, 2 unverified), reply frame, malformed mark.
      const frames = read('tshark', ['-2', '-r', join(captures, file), '-T', 'fields', '-e', 'frame.number', '-e', 'icmpv6.type', '-e', 'icmpv6.checksum.status', '-e', 'icmpv6.resp_in', '-e', '_ws.malformed']).map((line) => line.split('\t'));
      expect(frames.length, file).toBeGreaterThan(10);
      expect(frames.filter((f) => f[4]).map((f) => f[0]), `${file}: malformed`).toEqual([]);
      expect(frames.filter((f) => !/^1(,[12])*$/.test(f[2] ?? '')).map((f) => `${f[0]}: ${f[2]}`), `${file}: checksums`).toEqual([]);
      answered += frames.filter((f) => f[1] === '128' && f[3]).length;
      errors += frames.filter((f) => /^[13],128$/.test(f[1] ?? '')).length;
    }
    // Two echoes answered, seen on both links; address unreachable, time exceeded and no route quote their request.
    expect(answered).toBe(4);
    expect(errors).toBe(3);
  });
});
