// exec() as a terminal runs a program: output as it is produced (onOutput), Ctrl-C as an
// AbortSignal (the program's own SIGINT handling: ping's statistics and iputils' exit status), the
// end of every command (onExit), the timeline as it is applied (onTimeline), and bounded results.
// On the real node model (stack + apps), placement inline.
import { parseTopology } from '@netloom/topology';
import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import type { CommandExit, TimelineEvent } from './emulator-types.js';

const spec = parseTopology(
  `name: two
nodes:
  a: { exec: ["ip link set eth0 up", "ip addr add 10.0.0.1/24 dev eth0"] }
  b: { exec: ["ip link set eth0 up", "ip addr add 10.0.0.2/24 dev eth0"] }
links:
  - endpoints: [a:eth0, b:eth0]
    latency: 2ms
events:
  - { at: 1s, link: "a:eth0--b:eth0", up: false }
  - { at: 2s, link: "a:eth0--b:eth0", up: true, latency: 5ms, loss: 1% }
  - { at: 3s, node: b, cmd: "ip addr add 10.0.0.3/24 dev eth0" }
  - { at: 4s, node: b, action: stop }
`,
  'two.yaml',
);

async function withEmulator<T>(work: (emulator: Emulator) => Promise<T>, playEvents = false): Promise<T> {
  const emulator = await Emulator.load(spec, { placement: 'inline', playEvents });
  try {
    await emulator.start();
    return await work(emulator);
  } finally {
    await emulator.close();
  }
}

/** Runs `cmd` on a and aborts it (Ctrl-C) once `lines` output lines contain `marker`. */
async function interruptedPing(cmd: string, marker: string, lines: number): Promise<{ status: number; stdout: string; chunks: string[] }> {
  return withEmulator(async (emulator) => {
    const ctrlC = new AbortController();
    const chunks: string[] = [];
    const result = await emulator.exec('a', cmd, {
      signal: ctrlC.signal,
      onOutput: (_stream, text) => {
        chunks.push(text);
        if (chunks.join('').split('\n').filter((line) => line.includes(marker)).length >= lines) ctrlC.abort();
      },
    });
    return { status: result.status, stdout: result.stdout, chunks };
  });
}

describe('exec as a terminal runs it', () => {
  it('hands over output chunk by chunk as produced, the same text as the result', async () => {
    await withEmulator(async (emulator) => {
      const chunks: string[] = [];
      const result = await emulator.exec('a', 'ping -c 3 10.0.0.2', { onOutput: (stream, text) => chunks.push(`${stream}:${text}`) });
      expect(chunks.length).toBeGreaterThanOrEqual(5);
      expect(chunks[0]).toBe('stdout:PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n');
      expect(chunks[1]).toMatch(/^stdout:64 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64 time=\d+\.\d+ ms\n$/);
      expect(chunks.map((c) => c.slice('stdout:'.length)).join('')).toBe(result.stdout);
    });
  });

  it('Ctrl-C (abort) stops ping with its statistics and status 0 when it had replies, as iputils does', async () => {
    const { status, stdout, chunks } = await interruptedPing('ping 10.0.0.2', 'bytes from', 3);
    expect(status).toBe(0);
    expect(stdout).toMatch(/\n--- 10\.0\.0\.2 ping statistics ---\n[34] packets transmitted, [34] received, 0% packet loss, time \d+ms\nrtt min\/avg\/max\/mdev = /);
    expect(chunks.join('')).toBe(stdout);
  });

  it('Ctrl-C stops a ping without replies with its statistics and status 1', async () => {
    const { status, stdout } = await interruptedPing('ping 10.0.0.77', 'Destination Host Unreachable', 3);
    expect(status).toBe(1);
    expect(stdout).toMatch(/\n--- 10\.0\.0\.77 ping statistics ---\n\d+ packets transmitted, 0 received, \+[34] errors, 100% packet loss, time \d+ms\n(pipe \d+)?\n$/);
  });

  it('a signal aborted before the command starts interrupts it at once', async () => {
    await withEmulator(async (emulator) => {
      const result = await emulator.exec('a', 'ping 10.0.0.2', { signal: AbortSignal.abort() });
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('1 packets transmitted, 0 received, 100% packet loss');
    });
  });

  it('keeps a bounded result of a long ping while onOutput sees every line', async () => {
    // The same 20,000 pings at every NETLOOM_TEST_SCALE: their 1.17 MB of lines must pass the
    // result's fixed 1 MiB bound (OUTPUT_KEEP_CHARS; command-output.test tests the bounding itself
    // with small limits). 200 s of virtual time, about 3.5 s of a quiet machine's.
    await withEmulator(async (emulator) => {
      let lines = 0;
      const result = await emulator.exec('a', 'ping -c 20000 -i 0.01 10.0.0.2', { onOutput: (_stream, text) => (lines += text.split('\n').length - 1) });
      expect(lines).toBe(1 + 20000 + 4);
      expect(result.stdout.length).toBeLessThanOrEqual((1 << 20) + 100);
      expect(result.stdout).toMatch(/\[netloom: \d+ characters of output not kept\]\n/);
      expect(result.stdout.startsWith('PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n64 bytes from 10.0.0.2: icmp_seq=1 ')).toBe(true);
      expect(result.stdout).toContain('20000 packets transmitted, 20000 received, 0% packet loss');
    });
  });
});

describe('onExit and onTimeline', () => {
  it('onExit reports every command that exits, after its output; spawned results stay for the newest 64', async () => {
    await withEmulator(async (emulator) => {
      const heard: string[] = [];
      emulator.onOutput((out) => heard.push(`output ${out.id}`));
      emulator.onExit((exit: CommandExit) => heard.push(`exit ${exit.id} ${exit.node} ${exit.status}`));
      const result = await emulator.exec('b', 'ip route get 10.0.0.1');
      const spawned = [];
      for (let i = 0; i < 70; i++) spawned.push(await emulator.spawn('a', 'ip -br addr show dev eth0'));
      await emulator.advance(1e6);
      const first = spawned[0]!.id;
      expect(heard.slice(0, 2)).toEqual([`output ${first - 1}`, `exit ${first - 1} b 0`]);
      expect(result.status).toBe(0);
      expect(heard.filter((h) => h.startsWith('exit'))).toHaveLength(71);
      expect(emulator.commandResult(spawned[5]!.id)).toBeNull();
      expect(emulator.commandResult(spawned[6]!.id)).toMatchObject({ status: 0, stdout: expect.stringContaining('10.0.0.1/24') });
      expect(emulator.commandResult(spawned[69]!.id)).not.toBeNull();
    });
  });

  it('onTimeline describes each event as it is applied, at its time', async () => {
    const events = await withEmulator(async (emulator) => {
      const seen: TimelineEvent[] = [];
      emulator.onTimeline((event) => seen.push(event));
      await emulator.advance(5e9);
      return seen;
    }, true);
    expect(events.map((e) => [e.t, e.kind, e.node, e.link, e.description])).toEqual([
      [1e9, 'link', null, 'a:eth0--b:eth0', 'link a:eth0--b:eth0 down'],
      [2e9, 'link', null, 'a:eth0--b:eth0', 'link a:eth0--b:eth0 up set latency 5ms loss 1%'],
      [3e9, 'exec', 'b', null, 'b# ip addr add 10.0.0.3/24 dev eth0'],
      [4e9, 'node', 'b', null, 'node b stop'],
    ]);
  });
});
