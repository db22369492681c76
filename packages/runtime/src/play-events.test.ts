// With `playEvents`, a topology's `events:` happen while time moves through advance() and waiting
// commands — what the TUI needs so that a file's timeline plays out as the user watches. Without it,
// only run() plays them.
import { parseTopology } from '@netloom/topology';
import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';

const spec = parseTopology(
  `name: play-events
nodes:
  a: { exec: ["ip link set eth0 up", "ip addr add 10.0.0.1/24 dev eth0"] }
  b: { exec: ["ip link set eth0 up", "ip addr add 10.0.0.2/24 dev eth0"] }
links:
  - endpoints: [a:eth0, b:eth0]
events:
  - { at: 1s, link: "a:eth0--b:eth0", up: false }
  - { at: 2s, node: b, cmd: "ip addr add 10.0.0.3/24 dev eth0" }
  - { at: 3s, node: a, action: stop }
`,
  'play-events.yaml',
);

async function after(ns: number, playEvents: boolean): Promise<{ linkUp: boolean; addresses: string[]; aRunning: boolean }> {
  const emulator = await Emulator.load(spec, { placement: 'inline', playEvents });
  try {
    await emulator.start();
    await emulator.advance(ns);
    const b = emulator.nodes().find((n) => n.name === 'b')!;
    return {
      linkUp: emulator.links()[0]!.up,
      addresses: b.addresses.filter((x) => x.ifname === 'eth0' && x.family === 4).map((x) => x.address),
      aRunning: emulator.nodes().find((n) => n.name === 'a')!.running,
    };
  } finally {
    await emulator.close();
  }
}

describe('playEvents', () => {
  it('applies each event once its time has passed, in order', async () => {
    expect(await after(1.5e9, true)).toEqual({ linkUp: false, addresses: ['10.0.0.2'], aRunning: true });
    expect(await after(3.5e9, true)).toEqual({ linkUp: false, addresses: ['10.0.0.2', '10.0.0.3'], aRunning: false });
  });

  it('leaves the timeline alone without it', async () => {
    expect(await after(3.5e9, false)).toEqual({ linkUp: true, addresses: ['10.0.0.2'], aRunning: true });
  });
});
