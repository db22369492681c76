/**
 * The start message each worker's shard is sent: only what that shard builds and links to.
 *
 * The emulation's start message holds every node, port and link. Sent whole to every worker, each of
 * N threads decoded and indexed all of it — O(N²) in all: at 1,000 node threads per-node, ≈ 13 ms
 * of CPU per thread between the message's arrival and its decoding, against ≈ 3 ms at 200. A shard
 * needs its own nodes, the links with a port on one of them, every port of those links (to know
 * where a frame goes), and the shard of each node behind those ports: that is what it gets, so a
 * thread's share no longer grows with the emulation. Indexes stay the emulation's (a frame envelope
 * from another shard names links and ports by them).
 *
 * Leaves out: the inline shard, which is sent the whole message (it builds every node).
 */
import type { LinkPlacement, NodePlacement, PortPlacement, StartMessage } from '@netloom/ipc';

export class StartSubsets {
  /** For each shard, the indexes of the links with a port on one of its nodes, ascending. */
  private readonly linksOf: number[][];
  private readonly nodesOf: NodePlacement[][];
  private readonly statesAfter: number[][];

  constructor(
    private readonly message: StartMessage,
    shards: number,
  ) {
    this.linksOf = Array.from({ length: shards }, () => []);
    this.nodesOf = Array.from({ length: shards }, () => []);
    this.statesAfter = Array.from({ length: shards }, () => []);
    for (const node of message.nodes) this.nodesOf[node.shard]!.push(node);
    for (const index of message.statesAfterFirstWindow ?? []) this.statesAfter[message.nodes[index]!.shard]!.push(index);
    for (const link of message.links) {
      // A link's shards, each once (a LAN lists many ports of one shard).
      const seen = new Set<number>();
      for (const port of link.ports) {
        const shard = message.nodes[message.ports[port]!.node]!.shard;
        if (seen.has(shard)) continue;
        seen.add(shard);
        this.linksOf[shard]!.push(link.index);
      }
    }
  }

  /** The start message of `shard`. */
  for(shard: number): StartMessage {
    const { message } = this;
    const links: LinkPlacement[] = [];
    const ports: PortPlacement[] = [];
    const peers: { index: number; shard: number }[] = [];
    const peerSeen = new Set<number>();
    for (const index of this.linksOf[shard]!) {
      const link = message.links[index]!;
      links.push(link);
      for (const portIndex of link.ports) {
        const port = message.ports[portIndex]!;
        ports.push(port);
        const owner = message.nodes[port.node]!.shard;
        if (owner !== shard && !peerSeen.has(port.node)) {
          peerSeen.add(port.node);
          peers.push({ index: port.node, shard: owner });
        }
      }
    }
    ports.sort((a, b) => a.index - b.index);
    peers.sort((a, b) => a.index - b.index);
    return {
      ...message,
      shard,
      nodes: this.nodesOf[shard]!,
      ports,
      links,
      peers,
      statesAfterFirstWindow: this.statesAfter[shard]!,
    };
  }
}

/**
 * A table by index from a list of records that each carry their index: the list itself when it is
 * already that (the whole message), else an array as long as the largest index + 1 with `undefined`
 * in the gaps. Filled by push, so that a large table keeps fast elements (`new Array(n)` past about
 * 100,000 slots is a dictionary, and these tables are read on every frame).
 */
export function tableByIndex<T extends { index: number }>(list: readonly T[]): (T | undefined)[] {
  if (list.every((item, i) => item.index === i)) return list as T[];
  let length = 0;
  for (const item of list) length = Math.max(length, item.index + 1);
  const table: (T | undefined)[] = [];
  for (let i = 0; i < length; i++) table.push(undefined);
  for (const item of list) table[item.index] = item;
  return table;
}
