/**
 * The node detail pane (`i`) on the real engine, in-process (placement inline): lvs-nat's director
 * shows its virtual service and real servers as `ipvsadm -L -n --rate` would, and the numbers move
 * as the file's timeline makes connections and as they expire; a Mobile IPv6 home agent and mobile
 * node (a small network written here, mip6d started by its events) show the binding cache and the
 * binding update list with the lifetime counting down. `.` steps 500 ms of virtual time here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { Emulator } from '@netloom/runtime';
import { keys, renderTui, type RenderedTui } from './testing/render-tui.js';

const LVS_NAT = resolve(import.meta.dirname, '../../../../topologies/lvs-nat.yaml');
const STEP_NS = 500_000_000;

/** A mobile node one hop from its home agent, which is its visited network's router. */
const MOBILE_IPV6 = `name: mip6-detail
seed: 1
defaults:
  link: { latency: 1ms }
nodes:
  mn:
    kind: mobile-node
    exec:
      - ip link set eth0 up
      - ip -6 addr add 2001:db8:a::100/64 dev eth0 nodad
      - ip -6 route add default via 2001:db8:a::1
      - "echo 'NodeConfig MN; Interface \\"eth0\\" { MnIfPreference 1; } UseMCoA enabled; MnMaxHaBindingLife 16; MnHomeLink \\"ip6tnl1\\" { HomeAgentAddress 2001:db8:1::1; HomeAddress 2001:db8:1::100/64; }' > /etc/mip6d.conf"
  ha:
    kind: home-agent
    exec:
      - ip link set eth0 up
      - ip link set eth1 up
      - sysctl -w net.ipv6.conf.all.forwarding=1
      - ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad
      - ip -6 addr add 2001:db8:a::1/64 dev eth1 nodad
      - "echo 'NodeConfig HA; Interface \\"eth0\\"; UseMCoA enabled; HaMaxBindingLife 16;' > /etc/mip6d.conf"
  home:
    exec:
      - ip link set eth0 up
links:
  - endpoints: [mn:eth0, ha:eth1]
  - endpoints: [ha:eth0, home:eth0]
events:
  - { at: 1s, node: ha, cmd: mip6d }
  - { at: 1100ms, node: mn, cmd: mip6d }
`;

const emulators: Emulator[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'netloom-node-detail-'));

afterAll(async () => {
  cleanup();
  for (const emulator of emulators) await emulator.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function tuiOn(file: string): Promise<RenderedTui<Emulator>> {
  const emulator = await Emulator.load(file, { placement: 'inline', playEvents: true });
  emulators.push(emulator);
  await emulator.start();
  return renderTui({ emulator, stepNs: STEP_NS });
}

/** Presses `.` until the frame matches, at most `steps` times. */
async function stepUntil(tui: RenderedTui<Emulator>, pattern: RegExp, steps: number): Promise<string> {
  for (let i = 0; i < steps && !pattern.test(tui.lastFrame() ?? ''); i++) await tui.type('.');
  const frame = tui.lastFrame() ?? '';
  expect(frame).toMatch(pattern);
  return frame;
}

describe('the node detail pane on the real engine', () => {
  it("shows lvs-nat's director's service and real servers, live as connections come and expire", async () => {
    const tui = await tuiOn(LVS_NAT);
    // client1, client2, director: the pane follows the selection.
    await tui.type(keys.down, keys.down, 'i');
    let frame = tui.lastFrame() ?? '';
    expect(frame).toContain('director (director)  IPVS 1 service  (i closes)');
    expect(frame).toMatch(/Prot LocalAddress:Port +Sched\/Fwd +Weight +ActiveConn +InActConn +CPS +InPPS +OutPPS/);
    expect(frame).toMatch(/UDP {2}192\.168\.1\.110:53 +rr +0 +0 +0 +0 +0/);
    for (const server of ['10.1.1.2', '10.1.1.3', '10.1.1.4']) expect(frame).toMatch(new RegExp(`-> ${server.replace(/\./g, '\\.')}:53 +Masq +1 +0 +0 +0`));
    expect(frame).not.toContain('PACKETS');
    // The timeline's six UDP connections, two per real server (inactive, as UDP ones are); the 2 s
    // estimator's first tick gives the service 1 connection and 1 packet a second each way.
    frame = await stepUntil(tui, /UDP {2}192\.168\.1\.110:53 +rr +0 +6 +1 +1 +1/, 8);
    for (const server of ['10.1.1.2', '10.1.1.3', '10.1.1.4']) expect(frame).toMatch(new RegExp(`-> ${server.replace(/\./g, '\\.')}:53 +Masq +1 +0 +2 +0`));
    // 300 s after their last packet the connections leave the table, and the rates have decayed.
    await tui.engine.queue.run(() => tui.emulator.advance(305_000_000_000));
    frame = await stepUntil(tui, /UDP {2}192\.168\.1\.110:53 +rr +0 +0 +0 +0 +0/, 1);
    for (const server of ['10.1.1.2', '10.1.1.3', '10.1.1.4']) expect(frame).toMatch(new RegExp(`-> ${server.replace(/\./g, '\\.')}:53 +Masq +1 +0 +0 +0`));
    // A node without IPVS or mip6d says so; `i` gives the packet log back.
    await tui.type(keys.up, keys.up);
    expect(tui.lastFrame()).toContain('No IPVS (ipvsadm or modprobe ip_vs loads it) and no mip6d running on this node.');
    await tui.type('i');
    expect(tui.lastFrame()).toContain('PACKETS');
  }, 600_000);

  it("shows a home agent's binding cache and a mobile node's binding update list, lifetimes counting down", async () => {
    const file = join(scratch, 'mip6-detail.yaml');
    writeFileSync(file, MOBILE_IPV6);
    const tui = await tuiOn(file);
    await tui.type('i');
    expect(tui.lastFrame()).toContain('mn (mobile-node)  (i closes)');
    // mip6d starts at 1 s: the BU and its BA give one registered binding of 16 s.
    let frame = await stepUntil(tui, /BINDING UPDATE LIST 1, home 2001:db8:1::100/, 6);
    expect(frame).toMatch(/BID PRI DEV +CoA +STATUS +LIFETIME +SEQ RESEND/);
    const registered = /1 +1 eth0 2001:db8:a::100 +registered +(\d+)\/16 +1 +0/;
    frame = await stepUntil(tui, registered, 2);
    const before = Number(registered.exec(frame)![1]);
    await tui.type('.', '.', '.', '.');
    const after = Number(registered.exec(tui.lastFrame() ?? '')![1]);
    expect(before - after).toBe(2);
    // The home agent's side: the same binding, the one its tunnel uses.
    await tui.type(keys.down);
    frame = tui.lastFrame() ?? '';
    expect(frame).toContain('ha (home-agent)  BINDING CACHE 1  (i closes)');
    expect(frame).toMatch(/HoA +BID PRI CoA +LIFETIME +SEQ/);
    expect(frame).toMatch(/2001:db8:1::100 +1 +1 2001:db8:a::100 +\d+\/16 +1 tunnel/);
  }, 600_000);
});
