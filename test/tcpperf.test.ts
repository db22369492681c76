// tcpperf through the runtime (issue #16's apps) on topologies/two-hosts.yaml: a client on h1
// writes for 2 s of virtual time to a server on h2 across the 100 Mbit/s, 2 ms link; both print
// iperf 2.0's report. The server's figure (bytes received over the connection's virtual lifetime)
// is bounded by the link: at most the frame ceiling of 1448 payload bytes per 1514-byte frame
// (95.6 Mbit/s), and TCP fills at least 80% of it after slow start. The client counts what its
// socket accepted, so it may report more. Sized by virtual time (-t 2: about 24 MB); no wall-clock verdict.
import { fileURLToPath } from 'node:url';
import { Emulator } from '@netloom/runtime';
import { expect, test } from 'vitest';

const TOPOLOGY = fileURLToPath(new URL('../topologies/two-hosts.yaml', import.meta.url));

/** The Mbits/sec figure of a report line, or null. */
function mbits(line: string | undefined): number | null {
  const m = /sec\s+\S+ [KMG]?Bytes\s+(\S+) ([KMG]?)bits\/sec$/.exec(line ?? '');
  if (m === null) return null;
  return Number(m[1]) * ({ '': 1e-6, K: 1e-3, M: 1, G: 1e3 }[m[2] ?? ''] ?? 0);
}

test('tcpperf reports iperf lines and a throughput the 100 Mbit/s link bounds', async () => {
  const emulator = await Emulator.load(TOPOLOGY, { placement: 'inline' });
  try {
    await emulator.start();
    const server = await emulator.spawn('h2', 'tcpperf -s');
    let serverOutput = '';
    const off = emulator.onOutput((out) => {
      if (out.id === server.id) serverOutput += out.text;
    });
    await emulator.advance(100_000_000);
    const client = await emulator.exec('h1', 'tcpperf -c 10.0.0.2 -t 2 -i 0.5');
    // The server reports once the client's close has reached it: step 100 ms at a time, at most 20 s.
    for (let i = 0; i < 200 && !/\[ {2}4\] +0\.0- *\d/.test(serverOutput); i++) await emulator.advance(100_000_000);
    off();
    const clientLines = client.stdout.split('\n');
    expect(clientLines.slice(0, 4)).toEqual(['------------------------------------------------------------', 'Client connecting to 10.0.0.2, TCP port 5001', '------------------------------------------------------------', expect.stringMatching(/^\[ {2}3\] local 10\.0\.0\.1 port \d+ connected with 10\.0\.0\.2 port 5001$/)]);
    expect(clientLines[4]).toBe('[ ID] Interval       Transfer     Bandwidth');
    expect(clientLines.slice(5, 10).map((l) => l.slice(0, 19))).toEqual(['[  3]  0.0- 0.5 sec', '[  3]  0.5- 1.0 sec', '[  3]  1.0- 1.5 sec', '[  3]  1.5- 2.0 sec', '[  3]  0.0- 2.0 sec']);
    expect(client.status).toBe(0);
    const serverLines = serverOutput.split('\n');
    expect(serverLines[1]).toBe('Server listening on TCP port 5001');
    expect(serverLines[3]).toMatch(/^\[ {2}4\] local 10\.0\.0\.2 port 5001 connected with 10\.0\.0\.1 port \d+$/);
    const total = serverLines.find((l) => l.startsWith('[  4]  0.0-'));
    const figure = mbits(total);
    console.log(`tcpperf: server ${total}; client ${clientLines[9]}`);
    expect(figure).not.toBeNull();
    expect(figure!).toBeLessThanOrEqual(95.6);
    expect(figure!).toBeGreaterThanOrEqual(80);
  } finally {
    await emulator.close();
  }
  // The same run at every NETLOOM_TEST_SCALE, about 1.3 s: the scenarios' 120 s hang guard.
});
