/**
 * `netstat`'s socket listing against what net-tools 2.10 printed in network namespaces
 * (fixtures/socket-listings/, record.sh) for the sockets of testing/recorded-sockets.ts, byte for
 * byte, and its option errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { makeKernel, run } from '../testing/kernel-shell.js';
import { FIRST_TCP, FIRST_UDP, listingOf, SECOND_TCP } from '../testing/recorded-sockets.js';
import type { SocketListing } from '../tcp/socket-info.js';
import { Shell } from './shell.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/socket-listings/', import.meta.url));
const fixture = (name: string): string => readFileSync(`${FIXTURES}${name}`, 'utf8');

function shellWith(listing: SocketListing, resolveAddress?: (address: number) => string | null) {
  const shell = new Shell(makeKernel(), { sockets: listing, ...(resolveAddress !== undefined ? { resolveAddress } : {}) });
  return (line: string) => run(shell, line);
}

/** `first_netstat_-t_-a_-n_-p.txt` → `netstat -t -a -n -p`. */
function recorded(prefix: string): { file: string; line: string }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.startsWith(`${prefix}_netstat_`) && f.endsWith('.txt'))
    .map((file) => ({ file, line: file.slice(prefix.length + 1, -'.txt'.length).split('_').join(' ') }));
}

describe('netstat lists sockets as net-tools 2.10 does', () => {
  const first = shellWith(listingOf(FIRST_TCP, FIRST_UDP));
  test.each(recorded('first'))('$line (first recording)', ({ file, line }) => {
    expect(first(line)).toEqual({ stdout: fixture(file), stderr: '', status: 0 });
  });

  const second = shellWith(listingOf(SECOND_TCP));
  test.each(recorded('second'))('$line (second recording: a 6-digit Send-Q)', ({ file, line }) => {
    expect(second(line)).toEqual({ stdout: fixture(file), stderr: '', status: 0 });
  });

  test('has a recording of each option the model takes', () => {
    expect(recorded('first').map((r) => r.line)).toEqual(
      expect.arrayContaining(['netstat -tan', 'netstat -tanp', 'netstat -ta', 'netstat -t', 'netstat -tlnp', 'netstat -uan', 'netstat -tanW', 'netstat -6tan', 'netstat -an']),
    );
  });

  test('names IPv4 addresses as route does without -n, never the wildcard', () => {
    const named = shellWith(listingOf(FIRST_TCP.slice(0, 3)), (a) => (a === 0x0a090002 ? 'h2' : a === 0x0a090001 ? 'h1' : null));
    expect(named('netstat -ta').stdout).toBe(
      'Active Internet connections (servers and established)\n' +
        'Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n' +
        'tcp        1      0 0.0.0.0:http            0.0.0.0:*               LISTEN     \n' +
        'tcp        0      0 0.0.0.0:ssh             0.0.0.0:*               LISTEN     \n' +
        'tcp        0      0 h1:http                 h2:41260                ESTABLISHED\n',
    );
  });

  test('keeps -r and -s as they were', () => {
    const sh = shellWith(listingOf(FIRST_TCP));
    expect(sh('netstat -rn').stdout).toMatch(/^Kernel IP routing table\n/);
    expect(sh('netstat -s').stdout).toMatch(/^Ip:\n/);
  });
});

describe('netstat refuses bad options as net-tools 2.10 does', () => {
  const sh = shellWith(listingOf(FIRST_TCP));
  test('an unknown letter: the message, the usage, status 3 (E_OPTERR)', () => {
    expect(sh('netstat -X')).toEqual({ stdout: '', stderr: fixture('netstat-invalid-option.txt'), status: 3 });
  });

  test('says plainly what the model does not list', () => {
    expect(sh('netstat -tanpe').status).toBe(1);
    expect(sh('netstat -tanpe').stderr).toMatch(/^netstat: -e is not available here/);
    expect(sh('netstat -tc').stderr).toMatch(/^netstat: -c is not available here/);
  });
});
