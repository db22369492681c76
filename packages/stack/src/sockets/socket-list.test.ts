import { describe, expect, it } from 'vitest';
import { OpenSocket, SocketList } from './socket-list.js';

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

function listOf(scores: readonly number[], owners: readonly object[] = [{}], limit?: number): { list: SocketList<ScoredSocket>; sockets: ScoredSocket[] } {
  const list = new SocketList<ScoredSocket>(limit);
  const sockets = scores.map((score, i) => list.add(new ScoredSocket(list, owners[i % owners.length]!, score)));
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
    expect(new SocketList<ScoredSocket>().best((s) => s.score)).toBeNull();
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

  it('has room up to its limit, and again once a socket is released', () => {
    const { list, sockets } = listOf([0, 0], [{}], 3);
    expect(list.hasRoom).toBe(true);
    list.add(new ScoredSocket(list, {}, 0));
    expect(list.hasRoom).toBe(false);
    sockets[0]!.close();
    expect(list.hasRoom).toBe(true);
    expect(listOf([0, 0, 0, 0, 0]).list.hasRoom).toBe(true);
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
