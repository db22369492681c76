// Ctrl-C against the real iputils ping: the same two hosts on one link are built in Linux network
// namespaces (a veth pair) and in netloom; each ping runs until SIGINT — after one second of wall
// time for the real one (`timeout -s INT`), after a few probes of virtual time for netloom's (an
// aborted exec signal) — and both must print the statistics block and exit with the same status:
// 0 with replies, 1 without, 1 when -w's -c count was not reached. The namespaces are wire's
// NamespaceLab. Needs root, `ip` and ping (skipped, saying so, otherwise; fails instead under CI=true).
import { parseTopology } from '@netloom/topology';
import { NamespaceLab } from '@netloom/wire/testing/namespace-lab';
import { needs } from '@netloom/wire/testing/test-environment';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Emulator } from './emulator.js';

const linux = needs({ netns: true, tools: ['ping', 'timeout'] });
const namespaces = new NamespaceLab('nlintr');

const spec = parseTopology(
  `name: two
nodes:
  a: { exec: ["ip link set eth0 up", "ip addr add 10.250.0.1/24 dev eth0"] }
  b: { exec: ["ip link set eth0 up", "ip addr add 10.250.0.2/24 dev eth0"] }
links:
  - endpoints: [a:eth0, b:eth0]
`,
  'two.yaml',
);

/** netloom: runs `cmd` on a and sends Ctrl-C once `probes` probes have had their second. */
async function netloomInterrupted(cmd: string, probes: number): Promise<{ status: number; stdout: string }> {
  const emulator = await Emulator.load(spec, { placement: 'inline' });
  try {
    await emulator.start();
    const ctrlC = new AbortController();
    let requests = 0;
    emulator.onTrace((events) => {
      for (const event of events) if (event.node === 'a' && event.kind === 'tx' && /echo request|who-has 10\.250\.0\.\d+ tell/.test(event.summary)) requests++;
      if (requests >= probes) ctrlC.abort();
    });
    const result = await emulator.exec('a', cmd, { signal: ctrlC.signal });
    return { status: result.status, stdout: result.stdout };
  } finally {
    await emulator.close();
  }
}

/** The statistics block's shape, with what depends on when Ctrl-C came masked (counts, loss, times, errors, pipe). */
function statisticsShape(stdout: string): string {
  const at = stdout.indexOf('\n--- ');
  if (at < 0) return `no statistics in: ${stdout}`;
  return stdout
    .slice(at)
    .replace(/\d+ packets transmitted, \d+ received/, 'N packets transmitted, M received')
    .replace(/, \+\d+ errors/, '')
    .replace(/, [\d.]+% packet loss/, ', L% packet loss')
    .replace(/time \d+ms/, 'time Tms')
    .replace(/= [\d./]+ ms/, '= R ms')
    .replace(/, pipe \d+/, '')
    .replace(/\npipe \d+\n/, '\n\n');
}

linux.describe('Ctrl-C for ping, against iputils', () => {
  beforeAll(() => {
    namespaces.addNode('a', { ipv6: true });
    namespaces.addNode('b', { ipv6: true });
    namespaces.link('a:eth0', 'b:eth0');
    namespaces.sh('a', 'ip addr add 10.250.0.1/24 dev eth0');
    namespaces.sh('b', 'ip addr add 10.250.0.2/24 dev eth0');
  });
  afterAll(() => namespaces.destroy());

  it.each([
    ['replies', 'ping -i 0.2 10.250.0.2'],
    ['no replies', 'ping -i 0.2 10.250.0.77'],
    ['-w with -c not reached', 'ping -c 100 -w 10 -i 0.2 10.250.0.2'],
    ['-c not reached, no -w', 'ping -c 100 -i 0.2 10.250.0.2'],
  ])('%s: the same statistics block and exit status', async (_name, cmd) => {
    const real = namespaces.run('a', `timeout --preserve-status -s INT 1 ${cmd}`);
    const model = await netloomInterrupted(cmd, 4);
    expect(model.status, `netloom:\n${model.stdout}\nLinux:\n${real.stdout}`).toBe(real.status);
    expect(statisticsShape(model.stdout)).toBe(statisticsShape(real.stdout));
    // The same four pings at every NETLOOM_TEST_SCALE. Each takes the real ping's second of wall
    // time and an inline emulator: 1.0-3.4 s here (the first loads the runtime), so the package's
    // test timeout (60 s) leaves more than 5x for a busy machine.
  });
});
