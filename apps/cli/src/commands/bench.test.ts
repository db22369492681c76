/**
 * `netloom bench`'s cases, child arguments, tables and JSON shapes — never its speed: the engine
 * here is the scripted fake (figures that follow from the options), and the one run of real
 * children uses the smallest sizes and checks only what they report, not how fast.
 */
import { describe, expect, it } from 'vitest';
import { fakeEngine } from '../testing/fake-emulator.js';
import { runCli } from '../testing/cli-harness.js';
import { spawnCli } from '../testing/spawn-cli.js';
import { benchCases, caseArgv, describeBench, medianRow, type BenchReport, type BenchRow } from './bench.js';
import { parseChildProgress } from './bench-progress.js';

describe('bench cases', () => {
  it('--placement all runs inline, packed on 2 workers and per-node', () => {
    expect(benchCases('chain', {})).toEqual([{ placement: 'inline' }, { placement: 'packed', workers: 2 }, { placement: 'per-node' }]);
    expect(benchCases('lan', { workers: 3 })).toEqual([{ placement: 'inline' }, { placement: 'packed', workers: 3 }, { placement: 'per-node' }]);
  });

  it('boot runs every size in every placement, per-node only where a thread per node is sane', () => {
    const cases = benchCases('boot', {});
    expect(cases.map((c) => `${c.nodes} ${c.placement}`)).toEqual(['100 inline', '100 packed', '100 per-node', '1000 inline', '1000 packed', '10000 inline', '10000 packed']);
  });

  it('barrier compares the packed worker counts between inline and per-node', () => {
    expect(benchCases('barrier', { shards: [1, 3] })).toEqual([{ placement: 'inline' }, { placement: 'packed', workers: 1 }, { placement: 'packed', workers: 3 }, { placement: 'per-node' }]);
  });

  it('tree runs inline and packed, never a thread per node', () => {
    expect(benchCases('tree', { workers: 3 })).toEqual([{ placement: 'inline' }, { placement: 'packed', workers: 3 }]);
    expect(caseArgv('tree', { nodes: [5000], fanout: 8, hostsPerLan: 32 }, { placement: 'packed', workers: 2 })).toEqual([
      'tree', '--fanout', '8', '--hosts-per-lan', '32', '--nodes', '5000', '--placement', 'packed', '--workers', '2', '--json',
    ]);
  });

  it('a child gets the sizes, its one placement and --json', () => {
    expect(caseArgv('chain', { routers: 4, packets: 500 }, { placement: 'packed', workers: 2 })).toEqual(['chain', '--routers', '4', '--packets', '500', '--placement', 'packed', '--workers', '2', '--json']);
    expect(caseArgv('boot', { nodes: [100, 1000] }, { placement: 'inline', nodes: 1000 })).toEqual(['boot', '--nodes', '1000', '--placement', 'inline', '--json']);
    expect(caseArgv('barrier', { nodes: [8], windows: 50 }, { placement: 'per-node' })).toEqual(['barrier', '--windows', '50', '--nodes', '8', '--placement', 'per-node', '--json']);
    expect(caseArgv('chain', { burst: 100, intervalUs: 100 }, { placement: 'inline' })).toEqual(['chain', '--burst', '100', '--interval-us', '100', '--placement', 'inline', '--json']);
  });
});

describe('bench chain with overlapping bursts', () => {
  const chain = (burst: number, burstIntervalNs: number): BenchRow => ({
    routers: 8, packets: 1000, burst, burstIntervalNs, delivered: 1000, hopForwards: 8000, wallMs: 100, hopForwardsPerSec: 80_000, hopForwardsPerSecond: 80_000,
    peakRssBytes: 100 * 1048576, placement: 'inline', workers: 0, virtualNs: 1e6,
  });

  it('the title names the bursts', () => {
    expect(describeBench('chain', [chain(100, 100_000)], 1).split('\n')[0]).toBe(`router chain: 8 routers, 1,000 datagrams, bursts of 100 every 100 µs; load average 1.00, node ${process.version}`);
    expect(describeBench('chain', [chain(1000, 1e6)], 1).split('\n')[0]).toBe(`router chain: 8 routers, 1,000 datagrams, bursts of 1,000 every 1,000 µs; load average 1.00, node ${process.version}`);
     expect(describeBench('chain', [{ ...chain(100, 100_000), payloadBytes: 1472 }], 1).split('\n')[0]).toBe(
      `router chain: 8 routers, 1,000 datagrams, bursts of 100 every 100 µs, 1,472-byte payloads; load average 1.00, node ${process.version}`,
    );
  });

  it('--burst, --interval-us and --payload reach the benchmark', async () => {
    const run = await spawnCli(['bench', 'chain', '--routers', '2', '--packets', '200', '--burst', '20', '--interval-us', '50', '--payload', '1472', '--placement', 'inline', '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ routers: 2, packets: 200, burst: 20, burstIntervalNs: 50_000, payloadBytes: 1472, delivered: 200 });
    const tooLarge = await spawnCli(['bench', 'chain', '--payload', '1473', '--placement', 'inline']);
    expect(tooLarge.status).not.toBe(0);
    expect(tooLarge.stderr).toContain('--payload must be an integer from 0 to 1472');
    // 200 packets inline; spawnCli kills the child after 60 s.
  }, 60_000);
});

describe('bench --rounds', () => {
  const chain = (placement: 'inline' | 'packed', perSecond: number, workers = 0): BenchRow => ({
    routers: 8, packets: 1000, delivered: 1000, hopForwards: 8000, wallMs: 8e6 / perSecond, hopForwardsPerSec: perSecond, hopForwardsPerSecond: perSecond,
    peakRssBytes: 100 * 1048576, placement, workers, virtualNs: 1e6,
  });
  const boot = (readyMs: number): BenchRow => ({ nodes: 1000, links: 999, commands: 5992, readyMs, peakRssBytes: 150 * 1048576, placement: 'inline', workers: 0 });

  it('a case is its median round by the headline figure, with every round in the order they ran', () => {
    expect(medianRow('chain', [chain('inline', 500_000), chain('inline', 900_000), chain('inline', 700_000)])).toMatchObject({ hopForwardsPerSecond: 700_000, roundFigures: [500_000, 900_000, 700_000] });
    // An even count takes the worse middle one: for a rate the lower, for a time to ready the longer.
    expect(medianRow('chain', [chain('inline', 500_000), chain('inline', 900_000), chain('inline', 700_000), chain('inline', 800_000)])).toMatchObject({ hopForwardsPerSecond: 700_000 });
    expect(medianRow('boot', [boot(900), boot(1100), boot(1000), boot(1200)])).toMatchObject({ readyMs: 1100, roundFigures: [900, 1100, 1000, 1200] });
    // One round is the row as it was; a failed round is the case's row, whatever the others gave.
    expect(medianRow('chain', [chain('inline', 500_000)])).toEqual(chain('inline', 500_000));
    const failed: BenchRow = { placement: 'inline', workers: 0, error: 'killed by SIGKILL' };
    expect(medianRow('chain', [chain('inline', 500_000), failed, chain('inline', 700_000)])).toEqual(failed);
  });

  it('the table says how many rounds and lists each case\'s figures under it', () => {
    const rows = [medianRow('chain', [chain('inline', 500_000), chain('inline', 900_000), chain('inline', 700_000)]), medianRow('chain', [chain('packed', 1_000_000, 2), chain('packed', 1_200_000, 2), chain('packed', 1_100_000, 2)])];
    expect(describeBench('chain', rows, 1).split('\n')).toEqual([
      `router chain: 8 routers, 1,000 datagrams; load average 1.00, node ${process.version}; the median of 3 interleaved rounds`,
      'placement  threads      hop-forwards/s  delivered  wall time  peak RSS',
      'inline     main thread         700,000      1,000     0.01 s   100 MiB',
      'packed     2 workers         1,100,000      1,000     0.01 s   100 MiB',
      'rounds:',
      '  inline    500,000, 900,000, 700,000',
      '  packed 2  1,000,000, 1,200,000, 1,100,000',
      '',
    ]);
  });

  it('--rounds takes --placement all, whose cases run in children', async () => {
    const run = await runCli(['bench', 'chain', '--placement', 'inline', '--rounds', '3'], { engine: fakeEngine() });
    expect(run).toMatchObject({ status: 2, stdout: '', stderr: 'netloom: bench chain: --rounds runs every case in a child process of its own: use it with --placement all\n' });
    expect((await runCli(['bench', 'chain', '--rounds', '0'])).stderr).toContain('--rounds must be an integer from 1 to 99');
  });
});

describe('bench output', () => {
  const rows: BenchRow[] = [
    { nodes: 100, links: 99, commands: 592, readyMs: 150, peakRssBytes: 90 * 1048576, placement: 'inline', workers: 0 },
    { placement: 'per-node', workers: 0, nodes: 10000, error: 'placement per-node needs about 166 GiB to start' },
  ];

  it('a table has a row per case, and a failed case says why in its row', () => {
    expect(describeBench('boot', rows, 1.5)).toBe(
      [
        `boot: a chain of routers between two hosts, addresses and routes by startup commands; load average 1.50, node ${process.version}`,
        'placement  threads      nodes  ready in  per node  peak RSS',
        'inline     main thread    100    0.15 s   1.50 ms    90 MiB',
        'per-node (10,000 nodes)  -            failed: placement per-node needs about 166 GiB to start',
        '',
      ].join('\n'),
    );
  });

  it('tree prints the ready time, the ping across the tree and the storm', async () => {
    const table = await runCli(['bench', 'tree', '--nodes', '1000', '--fanout', '4', '--hosts-per-lan', '98', '--placement', 'inline'], { engine: fakeEngine() });
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')).toEqual([
      `tree: 11 routers (2 levels, fanout 4) over 10 switched LANs of 98 hosts (the biggest 107); ping from the first host to the last, then every host of the biggest LAN arpings and pings its gateway; load average ${table.stdout.match(/load average ([\d.]+)/)?.[1]}, node ${process.version}`,
      'placement  threads      nodes  ready in  ping first to last  storm answered  storm frames   storm  peak RSS',
      'inline     main thread  1,000    1.00 s              0.01 s         214/214           428  0.02 s    63 MiB',
      '',
    ]);
  });

  it('one placement prints a one-row table, or with --json the figures object', async () => {
    const table = await runCli(['bench', 'lan', '--hosts', '4', '--placement', 'inline'], { engine: fakeEngine() });
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n').slice(1)).toEqual(['placement  threads      hosts  answered  switch frames  frames/s  wall time  peak RSS', 'inline     main thread      4     24/24             48        48     1.00 s   100 MiB', '']);
    const json = await runCli(['bench', 'barrier', '--placement', 'packed', '--workers', '3', '--windows', '10', '--json'], { engine: fakeEngine() });
    expect(JSON.parse(json.stdout)).toEqual({ nodes: 16, windows: 10, shards: 3, frames: 300, wallMs: 1000, windowsPerSecond: 10, peakRssBytes: 100 * 1048576, placement: 'packed', workers: 3, virtualNs: 1e6 });
    expect(json.stderr).toBe('');
  });

  it('boot with one placement takes one size: peak RSS is the whole process', async () => {
    const run = await runCli(['bench', 'boot', '--nodes', '10,20', '--placement', 'inline'], { engine: fakeEngine() });
    expect(run).toMatchObject({ status: 3, stdout: '' });
    expect(run.stderr).toContain('netloom: bench boot: one size at a time with --placement inline');
    expect((await runCli(['bench', 'boot', '--nodes', '10,x'])).stderr).toContain('--nodes must be an integer from 2 to 65537');
  });

  it('progress lines from a child are told from its other stderr', () => {
    expect(parseChildProgress('netloom-bench-progress 5 20')).toEqual({ done: 5, total: 20 });
    expect(parseChildProgress('netloom-bench-progress 5 0')).toBeNull();
    expect(parseChildProgress('netloom: bench chain: failed')).toBeNull();
  });
});

describe('bench --placement all (real children)', () => {
  it('reports every placement of a small chain as JSON, each case with its own figures, the median of its rounds', async () => {
    const result = await spawnCli(['bench', 'chain', '--routers', '2', '--packets', '200', '--rounds', '2', '--json'], '', 120_000);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as BenchReport;
    expect(report).toMatchObject({ scenario: 'chain', node: process.version });
    expect(report.cases.map((c) => [c.placement, c.workers, 'delivered' in c ? c.delivered : c, 'roundFigures' in c ? c.roundFigures.length : 0])).toEqual([
      ['inline', 0, 200, 2],
      ['packed', 2, 200, 2],
      ['per-node', 4, 200, 2],
    ]);
    expect(result.stderr).toBe('');
  }, 120_000);
});
