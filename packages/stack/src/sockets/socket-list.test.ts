import { describe, expect, it } from 'vitest';
import { SocketList } from './socket-list.js';

/** A socket that scores what it is told and leaves the list when closed, as the socket kinds do. */
class ScoredSocket {
  closed = false;
  constructor(
    private readonly list: SocketList<ScoredSocket>,
    readonly owner: object,
    readonly score: number,
  ) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.list.release(this);
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
    expect(sockets.map((s) => s.closed)).toEqual([true, false, true, false]);
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
});
