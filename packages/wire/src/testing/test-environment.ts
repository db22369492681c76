/**
 * What the machine running the tests offers, and how much work a run does.
 *
 * Tests that compare netloom with the real tools (iproute2, iputils, traceroute, tshark, tcpdump,
 * graphviz…) or build Linux network namespaces declare what they need with `needs({ … })` and
 * register through it (`need.describe`, `need.it`, or `need.check(context)` inside a test). Where
 * something is missing they are skipped with the reason recorded — as the task's `skipReason` meta
 * or vitest's skip note, which tools/test-summary-reporter.mjs prints — except under `CI=true`,
 * where they fail instead, naming what is missing, so a CI machine without a tool cannot pass by
 * skipping.
 *
 * `testScale()` and `scaled(n)` size the long property and differential runs by the environment
 * variable NETLOOM_TEST_SCALE (default 1; .ci/run sets more; docs/testing.md), never by a clock.
 *
 * Leaves out: installing anything, and checking tool versions (the comparisons themselves show a
 * version that prints differently). Built into wire's dist (tsconfig.build.json `files`) so every
 * package and test/ can import it as `@netloom/wire/testing/test-environment`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it, type SuiteFactory, type TestContext, type TestFunction, type TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why the test was skipped at collection (what `needs` found missing). */
    skipReason?: string;
  }
}

export interface Requirements {
  /** Must run as root (network namespaces, raw sockets). */
  root?: boolean;
  /** `ip netns add` must work here (implies root and iproute2's `ip`). */
  netns?: boolean;
  /** Commands that must be on PATH. */
  tools?: readonly string[];
  /** Modules python3 must be able to import (implies python3). */
  pythonModules?: readonly string[];
  /** Files that must exist, each with what makes it (`{ 'apps/cli/dist/main.js': 'npm run build' }`). */
  files?: Readonly<Record<string, string>>;
}

/** The Debian package holding each tool the tests call, for the skip and failure messages. */
const DEBIAN_PACKAGE: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  bridge: 'iproute2',
  ping: 'iputils-ping',
  arping: 'iputils-arping',
  traceroute: 'traceroute',
  radvd: 'radvd',
  ndisc6: 'ndisc6',
  rdisc6: 'ndisc6',
  'nc.openbsd': 'netcat-openbsd',
  curl: 'curl',
  tshark: 'tshark',
  tcpdump: 'tcpdump',
  ethtool: 'ethtool',
  ss: 'iproute2',
  ifconfig: 'net-tools',
  route: 'net-tools',
  netstat: 'net-tools',
  sysctl: 'procps',
  dot: 'graphviz',
  tmux: 'tmux',
  python3: 'python3',
  bash: 'bash',
  timeout: 'coreutils',
  unshare: 'util-linux',
  hostname: 'hostname',
};

const toolFound = new Map<string, boolean>();

/** Whether `tool` is on PATH (memoised; `command -v`, so shell builtins and scripts count too). */
export function hasTool(tool: string): boolean {
  let found = toolFound.get(tool);
  if (found === undefined) {
    found = /^[\w.+-]+$/.test(tool) && spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
    toolFound.set(tool, found);
  }
  return found;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

let netnsFailure: string | undefined;

/** '' when a network namespace can be created and deleted here, else what `ip netns add` said. */
function netnsProblem(): string {
  if (netnsFailure === undefined) {
    const name = `nl-probe-${process.pid}`;
    const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
    netnsFailure = add.status === 0 ? '' : `\`ip netns add\` fails here: ${(add.stderr ?? '').trim() || `status ${add.status}`}`;
    if (add.status === 0) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
  return netnsFailure;
}

/** What is missing for `requirements`, as one line ('' when nothing is). */
export function missingFor(requirements: Requirements): string {
  const problems: string[] = [];
  if ((requirements.root || requirements.netns) && process.platform !== 'linux') problems.push(`not Linux (${process.platform})`);
  else if ((requirements.root || requirements.netns) && !isRoot()) problems.push('not root (network namespaces and raw sockets need root)');
  const tools = [...(requirements.netns ? ['ip'] : []), ...(requirements.pythonModules?.length ? ['python3'] : []), ...(requirements.tools ?? [])];
  const absent = [...new Set(tools)].filter((tool) => !hasTool(tool));
  if (absent.length > 0) {
    const named = absent.map((tool) => (DEBIAN_PACKAGE[tool] ? `${tool} (Debian package ${DEBIAN_PACKAGE[tool]})` : tool));
    problems.push(`not installed: ${named.join(', ')}`);
  }
  if (problems.length === 0 && requirements.netns) {
    const problem = netnsProblem();
    if (problem) problems.push(problem);
  }
  if (problems.length === 0) {
    for (const module of requirements.pythonModules ?? []) {
      if (spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status !== 0) problems.push(`python3 cannot import ${module} (Debian package python3-${module})`);
    }
  }
  for (const [file, makes] of Object.entries(requirements.files ?? {})) {
    if (!existsSync(file)) problems.push(`${file} does not exist (${makes})`);
  }
  return problems.join('; ');
}

/** Whether failing instead of skipping: a CI run must not pass by skipping what it cannot run. */
export function isStrict(): boolean {
  return process.env['CI'] === 'true';
}

function strictFailure(missing: string): Error {
  return new Error(`CI=true, so this fails instead of skipping: ${missing}`);
}

/** Tests registered through a `Need` run when its requirements hold and skip (or fail, under CI) otherwise. */
export interface Need {
  /** Every requirement holds. */
  readonly met: boolean;
  /** What is missing, as one line ('' when met). */
  readonly missing: string;
  /** A `describe` whose tests all need this. */
  describe(title: string, factory: SuiteFactory): void;
  /** An `it` that needs this (`options` as vitest's, or a timeout in milliseconds). */
  it(title: string, fn: TestFunction, options?: TestOptions | number): void;
  /** Inside a running test: skip it here (or fail it, under CI) unless the requirements hold. */
  check(context: TestContext): void;
}

/**
 * The requirements as a `Need`. Locally, a test that cannot run is skipped with `missing` as its
 * reason; under CI=true it fails with that reason instead (a describe becomes one failing test).
 */
export function needs(requirements: Requirements): Need {
  const missing = missingFor(requirements);
  const met = missing === '';
  return {
    met,
    missing,
    describe(title, factory) {
      if (met) describe(title, factory);
      else if (isStrict()) describe(title, () => it('has what its tests need', () => { throw strictFailure(missing); }));
      else describe(title, { skip: true, meta: { skipReason: missing } }, factory);
    },
    it(title, fn, timeoutOrOptions = {}) {
      const options = typeof timeoutOrOptions === 'number' ? { timeout: timeoutOrOptions } : timeoutOrOptions;
      if (met) it(title, options, fn);
      else if (isStrict()) it(title, options, () => { throw strictFailure(missing); });
      else it(title, { ...options, skip: true, meta: { skipReason: missing } }, fn);
    },
    check(context) {
      if (met) return;
      if (isStrict()) throw strictFailure(missing);
      context.skip(missing);
    },
  };
}

/**
 * NETLOOM_TEST_SCALE: the factor on the size of long property and differential runs (default 1,
 * a local run of well under a minute per test file; .ci/run sets a larger one). Bad values throw.
 */
export function testScale(): number {
  const text = process.env['NETLOOM_TEST_SCALE'];
  if (text === undefined || text === '') return 1;
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`NETLOOM_TEST_SCALE must be a positive number, got '${text}'`);
  return scale;
}

/** `base` cases at scale 1, scaled by NETLOOM_TEST_SCALE (at least 1). */
export function scaled(base: number): number {
  return Math.max(1, Math.round(base * testScale()));
}
