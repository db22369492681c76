/**
 * `ss` against what iproute2 6.1's ss printed in network namespaces (fixtures/socket-listings/,
 * recorded by record.sh) for the sockets of testing/recorded-sockets.ts: every option combination
 * recorded, byte for byte, and the error texts and statuses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { makeKernel, run } from '../testing/kernel-shell.js';
import { FIRST_TCP, FIRST_UDP, listingOf, SECOND_TCP, THIRD_TCP } from '../testing/recorded-sockets.js';
import type { SocketListing } from '../tcp/socket-info.js';
import { Shell } from './shell.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/socket-listings/', import.meta.url));
const fixture = (name: string): string => readFileSync(`${FIXTURES}${name}`, 'utf8');
const USAGE = fixture('ss-usage.txt');

function shellWith(listing: SocketListing) {
  const shell = new Shell(makeKernel(), { sockets: listing });
  return (line: string) => run(shell, line);
}

/** `first_ss_-tan_state_established.txt` → `ss -tan state established`. */
function recorded(prefix: string, tool: string): { file: string; line: string }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.startsWith(`${prefix}_${tool}_`) && f.endsWith('.txt'))
    .map((file) => ({ file, line: file.slice(prefix.length + 1, -'.txt'.length).split('_').join(' ') }));
}

describe('ss lists sockets as iproute2 6.1 does', () => {
  const first = shellWith(listingOf(FIRST_TCP, FIRST_UDP));
  test.each(recorded('first', 'ss'))('$line (first recording)', ({ file, line }) => {
    expect(first(line)).toEqual({ stdout: fixture(file), stderr: '', status: 0 });
  });

  const second = shellWith(listingOf(SECOND_TCP));
  test.each(recorded('second', 'ss'))('$line (second recording: 621192 bytes unsent, two processes)', ({ file, line }) => {
    expect(second(line)).toEqual({ stdout: fixture(file), stderr: '', status: 0 });
  });

  const third = shellWith(listingOf(THIRD_TCP));
  test.each(recorded('third', 'ss'))('$line (third recording: the last row\'s longer cell is not counted)', ({ file, line }) => {
    expect(third(line)).toEqual({ stdout: fixture(file), stderr: '', status: 0 });
  });

  test('has a recording for every option the model takes', () => {
    expect(recorded('first', 'ss').map((r) => r.line)).toEqual(
      expect.arrayContaining(['ss -tanp', 'ss -tan', 'ss -ta', 'ss -t', 'ss -tln', 'ss -uanp', 'ss -tuan', 'ss -tan6', 'ss -Htan', 'ss -tan state established', 'ss -u']),
    );
  });

  test('prints a header alone when no socket matches, without the columns a single table or state makes redundant', () => {
    // Recorded once holder.py had exited.
    const none = shellWith(listingOf([], []));
    expect(none('ss -tan').stdout).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(none('ss -tan state listening state time-wait').stdout).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(none('ss -tl state established').stdout).toBe('Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(none('ss -u state listening').stdout).toBe('Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(none('ss -4').stdout).toBe('Netid State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(none('ss -tH state time-wait')).toEqual({ stdout: '', stderr: '', status: 0 });
  });

  test('treats `exclude all` as no state filter, as ss.c does (a zero filter keeps the defaults)', () => {
    const first2 = shellWith(listingOf(FIRST_TCP, FIRST_UDP));
    expect(first2('ss -t exclude all').stdout).toBe(fixture('first_ss_-t.txt'));
  });

  test('takes long options and their unambiguous prefixes', () => {
    expect(first('ss --tcp --all --numeric --processes').stdout).toBe(fixture('first_ss_-tanp.txt'));
    expect(first('ss --tc --al --num').stdout).toBe(fixture('first_ss_-tan.txt'));
    expect(first('ss -f inet6 -tan').stdout).toBe(fixture('first_ss_-tan6.txt'));
    expect(first('ss -A tcp -an').stdout).toBe(fixture('first_ss_-tan.txt'));
  });
});

describe('ss refuses bad input as iproute2 6.1 does', () => {
  const sh = shellWith(listingOf(FIRST_TCP, FIRST_UDP));
  test('options it does not know: the message, the usage, status 255', () => {
    expect(sh('ss -X')).toEqual({ stdout: '', stderr: `ss: invalid option -- 'X'\n${USAGE}`, status: 255 });
    expect(sh('ss --bogus')).toEqual({ stdout: '', stderr: `ss: unrecognized option '--bogus'\n${USAGE}`, status: 255 });
    expect(sh('ss --s')).toEqual({ stdout: '', stderr: `ss: option '--s' is ambiguous; possibilities: '--sctp' '--socket' '--summary'\n${USAGE}`, status: 255 });
    expect(sh('ss -f bogus')).toEqual({ stdout: '', stderr: `ss: "bogus" is invalid family\n${USAGE}`, status: 255 });
    expect(sh('ss -A bogus')).toEqual({ stdout: '', stderr: `ss: "bogus" is illegal socket table id\n${USAGE}`, status: 255 });
  });

  test('state filters', () => {
    expect(sh('ss state bogus')).toEqual({ stdout: '', stderr: 'ss: wrong state name: bogus\n', status: 255 });
    expect(sh('ss -tan state')).toEqual({ stdout: '', stderr: 'Command line is not complete. Try option "help"\n', status: 255 });
  });

  test('help and version', () => {
    expect(sh('ss -h')).toEqual({ stdout: USAGE, stderr: '', status: 0 });
    expect(sh('ss -V')).toEqual({ stdout: 'ss utility, iproute2-6.1.0\n', stderr: '', status: 0 });
  });

  test('says plainly what the model does not list', () => {
    expect(sh('ss -tio').status).toBe(1);
    expect(sh('ss -tio').stderr).toMatch(/^ss: -i is not available here/);
    expect(sh('ss -x').stderr).toMatch(/^ss: -x is not available here/);
    expect(sh('ss -tn dport = :80')).toEqual({ stdout: '', stderr: 'ss: filter expressions are not available here: dport = :80\n', status: 1 });
  });
});
