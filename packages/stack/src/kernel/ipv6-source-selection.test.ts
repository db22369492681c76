/**
 * IPv6 source address selection (kernel/ipv6-source-selection.ts) and `ip addrlabel`: every source
 * case of RFC 6724 §10's worked examples (fixtures/rfc6724-examples.json, a copy of
 * ../shared/vectors/rfc6724-examples.json) through the kernel's own selection, reached as a user
 * reaches it, with `ip -6 route get` printing the chosen source; seed 003's example of two
 * addresses labelled 8; and `ip addrlabel` plus route get compared live with Linux 6.18 in a
 * namespace (needs root and iproute2; skips saying so, fails under CI=true).
 */
import { formatIpv6Number, parseIpv6Number } from '@netloom/wire';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { compareIpv6Lines } from '../testing/ipv6-lines.js';
import { Kernel } from '../kernel.js';
import { Shell } from '../shell/shell.js';
import { makeShell, run } from '../testing/kernel-shell.js';

interface SourceCase {
  id: string;
  destination: string;
  candidates: { addr: string; flags?: string[] }[];
  expect: string;
  rule: string;
}

const vectors = JSON.parse(readFileSync(new URL('./fixtures/rfc6724-examples.json', import.meta.url), 'utf8')) as { source: SourceCase[] };

/**
 * A host whose eth0 holds exactly the case's candidates (no DAD), with a default route through eth0.
 * Its kernel has CONFIG_IPV6_MIP6 (the home-address rule), as the RFC's rule list assumes.
 */
function hostWith(c: SourceCase): { kernel: Kernel; sh: (line: string, now?: number) => ReturnType<typeof run> } {
  const kernel = new Kernel({ hostname: 'host', mip6: true });
  kernel.addDevice('eth0', 'ether', new Uint8Array([2, 0, 0, 0, 0, 1]), 1500);
  kernel.setCarrier('eth0', true, 0);
  kernel.setLinkUp('eth0', true, 0);
  const shell = new Shell(kernel);
  const host = { kernel, sh: (line: string, now = 0) => run(shell, line, now) };
  host.sh('ip -6 addr flush dev eth0', 0);
  for (const candidate of c.candidates) {
    const flags = candidate.flags ?? [];
    const added = host.kernel.addAddress6(
      'eth0',
      {
        address: parseIpv6Number(candidate.addr)!,
        prefixLength: 64,
        nodad: true,
        home: flags.includes('home'),
        temporary: flags.includes('temporary'),
        ...(flags.includes('deprecated') ? { preferredLft: 0 } : {}),
      },
      0,
    );
    expect(added.ok).toBe(true);
  }
  expect(host.sh('ip -6 route add default dev eth0', 0).status).toBe(0);
  return host;
}

/** The chosen source in `ip -6 route get` output, in RFC 5952 form (the vectors write some addresses otherwise). */
function sourceOf(getOutput: string): string | undefined {
  const text = /\bsrc (\S+)/.exec(getOutput)?.[1];
  return text === undefined ? undefined : canonical(text);
}

function canonical(text: string): string {
  return formatIpv6Number(parseIpv6Number(text)!);
}

describe('RFC 6724 §10 source cases through the kernel', () => {
  for (const c of vectors.source) {
    test(`${c.id}: ${c.rule} — ${c.destination} from ${c.expect}`, () => {
      const { kernel, sh } = hostWith(c);
      if (c.rule === 'prefer temporary address') {
        // Linux prefers public addresses unless the flow asks (IPV6_PREFER_SRC_TMP) or use_tempaddr >= 2.
        expect(sourceOf(sh(`ip -6 route get ${c.destination}`, 0).stdout)).toBe(canonical(c.candidates.find((x) => !(x.flags ?? []).includes('temporary'))!.addr));
        const chosen = kernel.selectSource6(parseIpv6Number(c.destination)!, 0, 'eth0', { temporary: true });
        expect(chosen && formatIpv6Number(chosen.address)).toBe(canonical(c.expect));
        return;
      }
      expect(sourceOf(sh(`ip -6 route get ${c.destination}`, 0).stdout)).toBe(canonical(c.expect));
    });
  }
});

test("without CONFIG_IPV6_MIP6 (Debian's kernel) the home flag does not count: s6 goes to the longest match", () => {
  const s6 = vectors.source.find((c) => c.id === 's6')!;
  const { sh } = makeShell();
  sh('ip -6 addr flush dev eth0', 0);
  sh('ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad', 0);
  sh('ip -6 addr add 2001:db8:3::2/64 dev eth0 nodad home', 0);
  sh('ip -6 route add default dev eth0', 0);
  expect(sourceOf(sh(`ip -6 route get ${s6.destination}`, 0).stdout)).toBe('2001:db8:1::2');
});

describe('ip addrlabel in the model', () => {
  test("seed 003: of three addresses in one /64, the two labelled 8 lose to the one with the destination's label", () => {
    const { sh } = makeShell();
    for (const a of ['2003:470:1f00:ffff::4', '2003:470:1f00:ffff::5', '2003:470:1f00:ffff::6']) sh(`ip -6 addr add ${a}/64 dev eth0 nodad`, 0);
    sh('ip -6 route add default dev eth0', 0);
    expect(sourceOf(sh('ip -6 route get 2003:470:1f00:fffe::1', 0).stdout)).toBe('2003:470:1f00:ffff::6');
    sh('ip addrlabel add prefix 2003:470:1f00:ffff::6/128 label 8', 0);
    sh('ip addrlabel add prefix 2003:470:1f00:ffff::4/128 label 8', 0);
    expect(sourceOf(sh('ip -6 route get 2003:470:1f00:fffe::1', 0).stdout)).toBe('2003:470:1f00:ffff::5');
    expect(sh('ip addrlabel list', 0).stdout.split('\n').slice(0, 3)).toEqual([
      'prefix 2003:470:1f00:ffff::4/128 label 8 ',
      'prefix 2003:470:1f00:ffff::6/128 label 8 ',
      'prefix ::1/128 label 0 ',
    ]);
  });

  test("Linux's default label table", () => {
    const { sh } = makeShell();
    expect(sh('ip addrlabel', 0).stdout).toBe(
      [
        'prefix ::1/128 label 0 ',
        'prefix ::/96 label 3 ',
        'prefix ::ffff:0.0.0.0/96 label 4 ',
        'prefix 2001::/32 label 6 ',
        'prefix 2001:10::/28 label 7 ',
        'prefix 3ffe::/16 label 12 ',
        'prefix 2002::/16 label 2 ',
        'prefix fec0::/10 label 11 ',
        'prefix fc00::/7 label 5 ',
        'prefix ::/0 label 1 ',
        '',
      ].join('\n'),
    );
  });
});

const linux = needs({ netns: true, tools: ['bash'] });

linux.describe('ip addrlabel and the chosen source against the Linux kernel', () => {
  test('label table edits and errors, and route get answering with the source the labels pick', { timeout: 0 }, () => {
    const lines = [
      'ip link set eth0 up',
      'ip link set eth1 up',
      'ip -6 addr add 2003:470:1f00:ffff::4/64 dev eth0 nodad',
      'ip -6 addr add 2003:470:1f00:ffff::5/64 dev eth0 nodad',
      'ip -6 addr add 2003:470:1f00:ffff::6/64 dev eth0 nodad',
      'ip -6 addr add 2001:db8:1::2/64 dev eth1 nodad',
      'ip -6 addr add 2001:db8:1::3/64 dev eth1 nodad preferred_lft 0 valid_lft 1000',
      'ip -6 addr add fd00::5/64 dev eth1 nodad home',
      '#settle',
      'ip -6 route add default dev eth0',
      'ip addrlabel',
      'ip -j addrlabel list',
      'ip -6 route get 2003:470:1f00:fffe::1',
      'ip -6 route get 2001:db8:1::9',
      'ip -6 route get 2001:db8:7::9',
      'ip -6 route get fe80::9 oif eth1',
      'ip -6 route get ff02::1 oif eth1',
      'ip -6 route get ff0e::1',
      'ip -6 route get fd00::9',
      'ip addrlabel add prefix 2003:470:1f00:ffff::6/128 label 8',
      'ip addrlabel add prefix 2003:470:1f00:ffff::4/128 label 8',
      'ip -6 route get 2003:470:1f00:fffe::1',
      'ip addrlabel add prefix 2003:470:1f00:ffff::4/128 label 9',
      'ip addrlabel add prefix 2003:470:1f00:ffff::5/128 dev eth0 label 8',
      'ip addrlabel add prefix 2003:470:1f00:ffff::5/128 dev nope label 8',
      'ip addrlabel add prefix 2001:db8::/129 label 1',
      'ip addrlabel add prefix 2001:db8::/64 label 4294967295',
      'ip addrlabel add prefix 2001:db8::/64 label 4294967294',
      'ip addrlabel add prefix 10.0.0.0/8 label 3',
      'ip addrlabel add label 5',
      'ip addrlabel add prefix 2001:db8::/64',
      'ip addrlabel list',
      'ip -j addrlabel',
      'ip -6 route get 2003:470:1f00:fffe::1',
      'ip addrlabel del prefix 2003:470:1f00:ffff::4/128 label 1',
      'ip addrlabel del prefix 2003:470:1f00:ffff::4/128 label 1',
      'ip addrlabel show',
      'ip addrlabel show dev eth0',
      'ip addrlabel foo',
      'ip addrlabel flush',
      'ip addrlabel',
      'ip -6 route get 2003:470:1f00:fffe::1',
    ];
    expect(compareIpv6Lines(['eth0', 'eth1'], lines).join('\n\n')).toBe('');
    // Synchronous (namespaces and their commands through spawnSync), so no timeout, as stack's
    // other kernel comparisons (docs/testing.md): a timer cannot interrupt it and could only
    // judge speed. The same work at every NETLOOM_TEST_SCALE; 2.1 s here.
  });
});
