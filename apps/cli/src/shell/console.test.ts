import { join } from 'node:path';
import { checkTopology, loadTopologyFile } from '@netloom/topology';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeEmulator } from '../testing/fake-emulator.js';
import { FIXTURES } from '../testing/cli-harness.js';
import { parseLinkChange, renderJsonLine, ShellConsole, type ConsoleResult } from './console.js';

async function started(): Promise<{ emulator: FakeEmulator; shell: ShellConsole }> {
  const emulator = new FakeEmulator(loadTopologyFile(join(FIXTURES, 'three-hosts.yaml')));
  await emulator.start();
  return { emulator, shell: new ShellConsole(emulator) };
}

async function result(shell: ShellConsole, line: string): Promise<ConsoleResult> {
  const outcome = await shell.execute(line);
  if (outcome.kind !== 'result') throw new Error(`no result for ${line}: ${outcome.kind}`);
  return outcome.result;
}

describe('the shell console', () => {
  let emulator: FakeEmulator;
  let shell: ShellConsole;
  beforeEach(async () => {
    ({ emulator, shell } = await started());
  });

  it("runs NODE CMD on that node and replaces node names by the node's first address", async () => {
    const r = await result(shell, 'h1 ping -c 2 h3');
    expect(r).toMatchObject({ node: 'h1', cmd: 'ping -c 2 10.0.2.3', status: 0 });
    expect(r.stdout).toContain('2 packets transmitted, 2 received');
    // r1 has two addresses: the first configured one stands for it.
    expect((await result(shell, 'h3 echo r1 "r1"')).stdout).toBe('10.0.1.254 "r1"\n');
  });

  it('passes the node shell status and stderr through unchanged', async () => {
    expect(await result(shell, 'h2 nosuchtool -x')).toMatchObject({ node: 'h2', status: 127, stdout: '', stderr: 'nosuchtool: command not found\n' });
  });

  it('moves and prints virtual time', async () => {
    const before = emulator.now();
    expect((await result(shell, 'advance 1.5s')).status).toBe(0);
    expect(emulator.now()).toBe(before + 1_500_000_000);
    expect((await result(shell, 'time')).stdout).toBe(`${((before + 1_500_000_000) / 1e9).toFixed(9)}s\n`);
  });

  it('reports bad lines with the problem named, as status 2, and goes on', async () => {
    const cases: [string, string][] = [
      ['h9 ping h1', 'netloom: unknown node or command "h9" (nodes: h1, h2, r1, h3; try help)\n'],
      ['advance 5parsecs', 'netloom: advance: bad duration "5parsecs" (want e.g. 5s, 1.5ms, 300us)\n'],
      ['advance', 'netloom: advance: expected 1 argument, got 0\n'],
      ['h1', 'netloom: h1: missing command (e.g. h1 ip addr)\n'],
      ['link h1:eth0 h3:eth0 down', 'netloom: link: no link between h1:eth0 and h3:eth0 (see links)\n'],
      ['link r1:eth1--h3:eth0 set latency fast', 'netloom: link set: bad latency "fast" (want e.g. 5ms; links need a latency above 0)\n'],
      ['link lan1 set colour blue', 'netloom: link set: unknown parameter "colour" (latency, bandwidth, loss, mtu, queue)\n'],
      ['node h7 stop', 'netloom: node: unknown node "h7"\n'],
      ['node h1 reboot', 'netloom: usage: node NAME stop|start\n'],
    ];
    for (const [line, stderr] of cases) expect(await result(shell, line), line).toMatchObject({ node: null, status: 2, stdout: '', stderr });
    expect((await result(shell, 'h1 hostname')).stdout).toBe('h1\n');
  });

  it('changes links by endpoint pair in either order, by one end, by id, or by LAN name', async () => {
    await result(shell, 'link h3:eth0 r1:eth1 down');
    await result(shell, 'link r1:eth1--h3:eth0 set latency 5ms loss 1% bandwidth 10Mbit mtu 1400');
    await result(shell, 'link lan1 up');
    await result(shell, 'link h3:eth0 up');
    expect((await result(shell, 'link h1:eth0 up')).stderr).toBe('netloom: link: no link or LAN "h1:eth0" (see links)\n');
    expect(emulator.calls.filter((c) => c.startsWith('setLink'))).toEqual([
      'setLink r1:eth1--h3:eth0 {"up":false}',
      'setLink r1:eth1--h3:eth0 {"latencyNs":5000000,"loss":0.01,"bandwidthBps":10000000,"mtu":1400}',
      'setLink lan1 {"up":true}',
      'setLink r1:eth1--h3:eth0 {"up":true}',
    ]);
  });

  it('stops and starts nodes, and refuses commands on a stopped node', async () => {
    await result(shell, 'node h2 stop');
    expect(await result(shell, 'h2 hostname')).toMatchObject({ status: 1, stderr: 'netloom: node h2 is stopped (node h2 start)\n' });
    expect((await result(shell, 'h1 ping -c 1 h2')).status).toBe(1);
    await result(shell, 'node h2 start');
    expect((await result(shell, 'h2 hostname')).stdout).toBe('h2\n');
  });

  it('lists nodes and links as tables', async () => {
    expect((await result(shell, 'nodes')).stdout).toBe(
      [
        'NODE  KIND    STATE  IN  OUT  DROPS  ADDRESSES',
        'h1    host    up     0   0    0      eth0 10.0.1.1/24',
        'h2    host    up     0   0    0      eth0 10.0.1.2/24',
        'r1    router  up     0   0    0      eth0 10.0.1.254/24, eth1 10.0.2.254/24',
        'h3    host    up     0   0    0      eth0 10.0.2.3/24',
        '',
      ].join('\n'),
    );
    expect((await result(shell, 'links')).stdout).toBe(
      [
        'LINK              TYPE    STATE  LATENCY  BANDWIDTH  LOSS  MTU   FRAMES  DROPS  ENDPOINTS',
        'r1:eth1--h3:eth0  p2p     up     2ms      100Mbit    0%    1500  0       0      r1:eth1 h3:eth0',
        'lan1              switch  up     100us    unlimited  0%    1500  0       0      h1:eth0 h2:eth0 r1:eth0',
        '',
      ].join('\n'),
    );
  });

  it("lists a node's IPv6 addresses beside its IPv4 ones, without link-local ones", async () => {
    await result(shell, 'h2 ip addr add 2001:db8:1::2/64 dev eth0');
    await result(shell, 'h2 ip addr add fe80::ff:fe00:201/64 dev eth0');
    expect((await result(shell, 'nodes')).stdout.split('\n')[2]).toBe('h2    host    up     0   0    0      eth0 10.0.1.2/24, eth0 2001:db8:1::2/64');
  });

  it('lists nodes and links as JSON with -j', async () => {
    const nodes = JSON.parse((await result(shell, 'nodes -j')).stdout) as { name: string; addresses: { address: string }[] }[];
    expect(nodes.map((n) => n.name)).toEqual(['h1', 'h2', 'r1', 'h3']);
    const links = JSON.parse((await result(shell, 'links --json')).stdout) as { id: string; latencyNs: number }[];
    expect(links.map((l) => [l.id, l.latencyNs])).toEqual([
      ['r1:eth1--h3:eth0', 2e6],
      ['lan1', 1e5],
    ]);
    expect((await result(shell, 'nodes all')).stderr).toBe('netloom: usage: nodes [-j|--json]\n');
  });

  it('skips blank lines and comments, and quits on quit or exit', async () => {
    expect(await shell.execute('   ')).toEqual({ kind: 'nothing' });
    expect(await shell.execute('# h1 ping h2')).toEqual({ kind: 'nothing' });
    expect(await shell.execute('quit')).toEqual({ kind: 'quit' });
    expect(await shell.execute(' exit ')).toEqual({ kind: 'quit' });
  });

  it('lets emulator failures escape (they end the session)', async () => {
    await expect(shell.execute('h1 crash')).rejects.toThrow('shard 0 failed on node h1');
  });

  it('completes builtins, node names, link ids and node actions', () => {
    expect(shell.complete('h')).toEqual([['h1', 'h2', 'h3', 'help'], 'h']);
    expect(shell.complete('link l')).toEqual([['lan1'], 'l']);
    expect(shell.complete('node r1 st')).toEqual([['start', 'stop'], 'st']);
    expect(shell.complete('h1 ping h')).toEqual([['h1', 'h2', 'h3'], 'h']);
  });
});

describe('console output', () => {
  it('renders --json lines with keys t, node, cmd, status, stdout, stderr in that order', () => {
    const line = renderJsonLine({ t: 5, node: 'h1', cmd: 'echo "x"', status: 0, stdout: 'x\n', stderr: '' });
    expect(line).toBe('{"t":5,"node":"h1","cmd":"echo \\"x\\"","status":0,"stdout":"x\\n","stderr":""}\n');
  });

  it('reads link settings in topology notation', () => {
    expect(parseLinkChange(['bandwidth', 'unlimited', 'queue', '20', 'loss', '0.5'])).toEqual({ bandwidthBps: null, queue: 20, loss: 0.5 });
    expect(() => parseLinkChange(['loss', '150%'])).toThrow('bad loss "150%"');
    expect(() => parseLinkChange(['mtu'])).toThrow('"mtu" has no value');
  });

  it('refuses an mtu or queue that a topology file could not have, in its own words', async () => {
    const { shell } = await started();
    expect(await result(shell, 'link r1:eth1--h3:eth0 set mtu 1')).toMatchObject({
      status: 2,
      stderr: 'netloom: link set: bad mtu "1" (want a whole number of bytes from 68 to 65535)\n',
    });
    expect(await result(shell, 'link lan1 set queue 2147483647')).toMatchObject({
      status: 2,
      stderr: 'netloom: link set: bad queue "2147483647" (want a whole number of frames from 1 to 1000000)\n',
    });
    // Exactly the values the topology loader takes are taken.
    const topologyTakes = (key: string, value: string): boolean =>
      checkTopology(`name: limits\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - { endpoints: [a:eth0, b:eth0], ${key}: ${value} }\n`, 'limits.yaml').ok;
    for (const key of ['mtu', 'queue']) {
      for (const value of ['0', '1', '67', '68', '1500', '65535', '65536', '1000000', '1000001', '2147483647']) {
        let consoleTakes = true;
        try {
          parseLinkChange([key, value]);
        } catch {
          consoleTakes = false;
        }
        expect(consoleTakes, `${key} ${value}`).toBe(topologyTakes(key, value));
      }
    }
  });
});
