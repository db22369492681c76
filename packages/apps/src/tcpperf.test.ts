/**
 * tcpperf's report format (iperf 2.0's byte_snprintf units and line layout) and its errors on real
 * nodes (testing/node-lab.ts's chain). Throughput over a link with bandwidth is test/tcpperf.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { MS, SECOND, chain } from './testing/node-lab.js';
import { formatAmount, reportLine } from './tcpperf.js';

describe('tcpperf report', () => {
  it('chooses iperf’s adaptive unit and precision', () => {
    const bytes = ['Bytes', 'KBytes', 'MBytes', 'GBytes'];
    expect(formatAmount(117_440_512, 1024, bytes)).toBe(' 112 MBytes');
    expect(formatAmount(11_744_051, 1024, bytes)).toBe('11.2 MBytes');
    expect(formatAmount(1_048_576 * 9.99, 1024, bytes)).toBe('9.99 MBytes');
    expect(formatAmount(1023, 1024, bytes)).toBe('1023 Bytes');
    expect(formatAmount(0, 1024, bytes)).toBe('0.00 Bytes');
  });

  it('lays a line out as iperf 2.0', () => {
    expect(reportLine(3, 0, 10 * SECOND, 117_440_512)).toBe('[  3]  0.0-10.0 sec   112 MBytes  94.0 Mbits/sec\n');
    expect(reportLine(4, 1 * SECOND, 2 * SECOND, 1_250_000)).toBe('[  4]  1.0- 2.0 sec  1.19 MBytes  10.0 Mbits/sec\n');
  });
});

describe('tcpperf on nodes', () => {
  it('a short run: the server reports what the client sent', () => {
    const lab = chain(programs);
    const server = lab.exec('b', 'tcpperf -s -p 6000');
    lab.run(10 * MS);
    const client = lab.exec('a', 'tcpperf -c 10.200.2.2 -p 6000 -t 0.02 -l 1K', 10 * SECOND);
    lab.run(1 * SECOND);
    expect(client.status).toBe(0);
    const sent = /0\.0- 0\.0 sec +(\S+ \S+)/.exec(client.stdout)?.[1];
    const received = /\[ {2}4\] +0\.0- *\S+ sec +(\S+ \S+)/.exec(server.stdout)?.[1];
    expect(sent).toBeDefined();
    expect(received).toBe(sent);
  });

  it('reports a refused connect, a busy port and usage errors', () => {
    const lab = chain(programs);
    expect(lab.exec('a', 'tcpperf -c 10.200.2.2', SECOND)).toMatchObject({ stderr: 'connect failed: Connection refused\n', status: 1 });
    lab.exec('b', 'tcpperf -s');
    expect(lab.exec('b', 'tcpperf -s', SECOND)).toMatchObject({ stderr: 'bind failed: Address already in use\n', status: 1 });
    expect(lab.exec('a', 'tcpperf', SECOND).status).toBe(2);
    expect(lab.exec('a', 'tcpperf -c 10.200.2.2 -l 2M', SECOND).status).toBe(2);
  });
});
