import { describe, expect, it } from 'vitest';
import { Descriptors, OpenSocket, RLIMIT_NOFILE, SocketList, STDIO_DESCRIPTORS } from './socket-list.js';
import type { Errno, Program, ProcessContext } from '../process.js';
import { Lab } from '../testing/lab.js';

/** A socket that scores what it is told and counts its closings, as the socket kinds close. */
class ScoredSocket extends OpenSocket<string> {
  closings = 0;
  constructor(
    list: SocketList<ScoredSocket>,
    owner: object,
    readonly score: number,
  ) {
    super(list, owner);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  arrive(message: string): void {
    this.messageHandler?.(message);
  }

  protected override closing(): void {
    this.closings++;
  }
}

/** A socket the list opened; a test failure when it answered an errno. */
function openIn(list: SocketList<ScoredSocket>, owner: object, score = 0): ScoredSocket {
  const socket = list.open(owner, () => new ScoredSocket(list, owner, score));
  if ('errno' in socket) throw new Error(socket.errno);
  return socket;
}

function listOf(scores: readonly number[], owners: readonly object[] = [{}]): { list: SocketList<ScoredSocket>; sockets: ScoredSocket[] } {
  const list = new SocketList<ScoredSocket>(new Descriptors());
  const sockets = scores.map((score, i) => openIn(list, owners[i % owners.length]!, score));
  return { list, sockets };
}

describe('SocketList', () => {
  it('a lookup takes the highest score, and the socket opened first among equal scores', () => {
    const { list, sockets } = listOf([0, 4, 8, 8, 4]);
    expect(list.best((s) => s.score)).toBe(sockets[2]);
  });

  it('a lookup where every socket scores -1 finds none', () => {
    const { list } = listOf([-1, -1]);
    expect(list.best((s) => s.score)).toBeNull();
    expect(new SocketList<ScoredSocket>(new Descriptors()).best((s) => s.score)).toBeNull();
  });

  it("a process's exit closes its sockets and leaves the others open, in the order they were opened", () => {
    const mine = {};
    const theirs = {};
    const { list, sockets } = listOf([1, 2, 3, 4], [mine, theirs]);
    list.closeOwnedBy(mine);
    expect(sockets.map((s) => s.isClosed)).toEqual([true, false, true, false]);
    expect([...list]).toEqual([sockets[1], sockets[3]]);
    expect(list.size).toBe(2);
  });

  it("opens sockets up to the owner's open files limit (its standard streams counted), then EMFILE; closing one frees a descriptor", () => {
    const descriptors = new Descriptors();
    const udp = new SocketList<ScoredSocket>(descriptors);
    const ping = new SocketList<ScoredSocket>(descriptors);
    const process = { openFilesLimit: 6 };
    const sockets = [openIn(udp, process), openIn(ping, process), openIn(udp, process)];
    expect(descriptors.heldBy(process)).toBe(6);
    // One bound for every kind of the node: both lists refuse the fourth socket.
    expect(udp.open(process, () => new ScoredSocket(udp, process, 0))).toEqual({ errno: 'EMFILE' });
    expect(ping.open(process, () => new ScoredSocket(ping, process, 0))).toEqual({ errno: 'EMFILE' });
    expect(udp.size + ping.size).toBe(3);
    // Another process has its own descriptors.
    expect(() => openIn(ping, { openFilesLimit: 6 })).not.toThrow();
    sockets[1]!.close();
    sockets[1]!.close();
    expect(descriptors.heldBy(process)).toBe(5);
    expect(() => openIn(udp, process)).not.toThrow();
    expect(udp.open(process, () => new ScoredSocket(udp, process, 0))).toEqual({ errno: 'EMFILE' });
  });

  it('an owner without a limit of its own has RLIMIT_NOFILE, 1024: 1021 sockets besides its standard streams', () => {
    const list = new SocketList<ScoredSocket>(new Descriptors());
    const owner = {};
    for (let i = 0; i < RLIMIT_NOFILE - STDIO_DESCRIPTORS; i++) openIn(list, owner);
    expect(list.open(owner, () => new ScoredSocket(list, owner, 0))).toEqual({ errno: 'EMFILE' });
    list.closeOwnedBy(owner);
    expect(list.size).toBe(0);
    expect(() => openIn(list, owner)).not.toThrow();
  });

  it("a socket closes once: its kind's closing runs once and it leaves its list; what arrives goes to the program's handler", () => {
    const { list, sockets } = listOf([0, 0]);
    const got: string[] = [];
    sockets[0]!.arrive('before a handler');
    sockets[0]!.onMessage((message) => got.push(message));
    sockets[0]!.arrive('hello');
    sockets[0]!.close();
    sockets[0]!.close();
    expect(got).toEqual(['hello']);
    expect(sockets.map((s) => s.closings)).toEqual([1, 0]);
    expect([...list]).toEqual([sockets[1]]);
  });
});

/** Every socket(2) a program can make on a node, in turn: UDP, UDPv6, ping, ping6, raw ICMPv6, TCP, TCPv6. */
const SOCKET_KINDS: readonly [string, (ctx: ProcessContext) => { close(): void } | { errno: Errno }][] = [
  ['udp', (ctx) => ctx.udpSocket(4)],
  ['udp6', (ctx) => ctx.udpSocket(6)],
  ['ping', (ctx) => ctx.icmpSocket(4)],
  ['ping6', (ctx) => ctx.icmpSocket(6)],
  ['raw6', (ctx) => ctx.icmp6RawSocket()],
  ['tcp', (ctx) => ctx.tcpSocket(4)],
  ['tcp6', (ctx) => ctx.tcpSocket(6)],
];

/**
 * Opens sockets of every kind in turn until socket(2) fails, then tries each kind once more, closes
 * one socket and opens one of each kind again: what a python3 check did on Linux (below).
 */
const hog: Program = (ctx) => {
  const held: { close(): void }[] = [];
  let failed: Errno | null = null;
  while (failed === null) {
    const opened = SOCKET_KINDS[held.length % SOCKET_KINDS.length]![1](ctx);
    if ('errno' in opened) failed = opened.errno;
    else held.push(opened);
  }
  ctx.stdout(`opened ${held.length}, then ${failed}\n`);
  ctx.stdout(`${SOCKET_KINDS.map(([name, open]) => `${name} ${JSON.stringify(open(ctx))}`).join(', ')}\n`);
  held.pop()!.close();
  const again = SOCKET_KINDS.map(([name, open]) => [name, open(ctx)] as const);
  ctx.stdout(`after a close: ${again.map(([name, opened]) => `${name} ${'errno' in opened ? opened.errno : 'ok'}`).join(', ')}\n`);
  ctx.exit(0);
};

describe('the open files limit bounds every socket kind of a node', () => {
  // Linux 6.x, iputils' ping_group_range opened, in a network namespace: `ulimit -n 16` then python3
  // opening UDP, UDPv6, ping, raw ICMPv6, TCP and ping6 sockets in turn: 13 open (descriptors 3-15),
  // the 14th is EMFILE ("Too many open files"), and again for a raw ICMPv6 socket; after closing one,
  // a UDP socket opens (descriptor 15).
  it('under `ulimit -n 16` a process opens 13 sockets of mixed kinds; the 14th of any kind is EMFILE; a close frees one slot', () => {
    const lab = new Lab();
    lab.addNode('h1', { programs: { hog } });
    expect(lab.exec('h1', 'ulimit -n')).toMatchObject({ status: 0, stdout: '1024\n' });
    expect(lab.exec('h1', 'ulimit -n 16')).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(lab.exec('h1', 'ulimit -n').stdout).toBe('16\n');
    const run = lab.exec('h1', 'hog');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      'opened 13, then EMFILE\n' +
        `${SOCKET_KINDS.map(([name]) => `${name} {"errno":"EMFILE"}`).join(', ')}\n` +
        'after a close: udp ok, udp6 EMFILE, ping EMFILE, ping6 EMFILE, raw6 EMFILE, tcp EMFILE, tcp6 EMFILE\n',
    );
  });

  it('by default a process opens 1021 sockets (RLIMIT_NOFILE 1024 less its standard streams); its exit frees them all', () => {
    const lab = new Lab();
    lab.addNode('h1', { programs: { hog } });
    expect(lab.exec('h1', 'hog').stdout).toMatch(/^opened 1021, then EMFILE\n/);
    expect(lab.exec('h1', 'hog').stdout).toMatch(/^opened 1021, then EMFILE\n/);
  });

  it("`ulimit -n` answers bash's errors for what it cannot set", () => {
    const lab = new Lab();
    lab.addNode('h1');
    expect(lab.exec('h1', 'ulimit -n abc')).toMatchObject({ status: 1, stderr: 'bash: ulimit: abc: invalid number\n' });
    expect(lab.exec('h1', 'ulimit -n 99999999')).toMatchObject({ status: 1, stderr: 'bash: ulimit: open files: cannot modify limit: Operation not permitted\n' });
    expect(lab.exec('h1', 'ulimit -n unlimited')).toMatchObject({ status: 1, stderr: 'bash: ulimit: open files: cannot modify limit: Operation not permitted\n' });
    expect(lab.exec('h1', 'ulimit -n -1').status).toBe(2);
    expect(lab.exec('h1', 'ulimit -n').stdout).toBe('1024\n');
  });
});
