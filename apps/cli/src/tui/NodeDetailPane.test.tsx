/**
 * The node detail pane (`i`) on the real engine, in-process (placement inline): lvs-nat's director
 * shows its virtual services and real servers with the numbers `ipvsadm -L -n`, `--rate` and
 * `--stats` print on the node at the same instant — idle, as the file's timeline makes connections,
 * once the rate estimator has seen them, and after they expired; a Mobile IPv6 home agent and mobile
 * node (a small network written here, mip6d started by its events) show the binding cache and the
 * binding update list with the lifetime counting down. `.` steps 500 ms of virtual time here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanup } from 'ink-testing-library';
import type { ReactElement, ReactNode } from 'react';
import { Emulator } from '@netloom/runtime';
import { NodeDetailPane } from './NodeDetailPane.js';
import { keys, renderTui, type RenderedTui } from './testing/render-tui.js';
import { useKeyboard } from './use-keyboard.js';

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

/** A director with two services of four real servers each: eleven lines, more than 80x24 shows. */
const TWO_SERVICES = `name: two-services
seed: 1
nodes:
  director:
    kind: director
    exec:
      - ip link set eth0 up
      - ip addr add 10.0.0.1/24 dev eth0
${['-t 10.0.0.1:80', '-u 10.0.0.1:53']
  .flatMap((service) => [`      - ipvsadm -A ${service} -s rr`, ...[2, 3, 4, 5].map((n) => `      - ipvsadm -a ${service} -r 10.0.0.${n} -m`)])
  .join('\n')}
  client:
    exec:
      - ip link set eth0 up
links:
  - endpoints: [director:eth0, client:eth0]
`;

const emulators: Emulator[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'netloom-node-detail-'));

afterAll(async () => {
  cleanup();
  for (const emulator of emulators) await emulator.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function tuiOn(file: string, element?: ReactElement): Promise<RenderedTui<Emulator>> {
  const emulator = await Emulator.load(file, { placement: 'inline', playEvents: true });
  emulators.push(emulator);
  await emulator.start();
  return renderTui({ emulator, stepNs: STEP_NS, ...(element !== undefined ? { element } : {}) });
}

/** The keyboard and a detail pane wide and tall enough for every column and a few services. */
function KeyboardAndDetail(): ReactNode {
  useKeyboard();
  return <NodeDetailPane width={132} height={40} />;
}

/** A service or real server row as the pane shows it and as ipvsadm's listings give it: address, Forward/scheduler, then the numbers. */
type Row = string[];

function paneRows(frame: string): Row[] {
  const rows: Row[] = [];
  for (const line of frame.split('\n')) {
    const m = /^│((?:TCP|UDP|FWM) {2}| {2}-> )(\S+) +(\S+)((?: +\d+)+) *│$/.exec(line);
    if (m !== null) rows.push([m[2]!, m[3]!, ...m[4]!.trim().split(/ +/)]);
  }
  return rows;
}

/** Per row: Forward (or the scheduler), Weight (none on a service), ActiveConn, InActConn, the five rates, Conns — from ipvsadm. */
async function ipvsadmRows(emulator: Emulator): Promise<Row[]> {
  const text = async (cmd: string): Promise<string[]> => (await emulator.inspect('director', cmd)).stdout.split('\n');
  const [listing, rates, stats] = await Promise.all([text('ipvsadm -L -n'), text('ipvsadm -L -n --rate --exact'), text('ipvsadm -L -n --stats --exact')]);
  const numbers = (lines: string[], address: string): string[] => lines.find((l) => l.includes(` ${address} `))!.trim().split(/ +/).slice(-5);
  const rows: Row[] = [];
  for (const line of listing) {
    const service = /^(?:TCP|UDP|FWM) {2}(\S+) (\S+)/.exec(line);
    const server = /^ {2}-> (\S+) +(\S+) +(\d+) +(\d+) +(\d+)/.exec(line);
    if (service !== null) rows.push([service[1]!, service[2]!, '?', '?', ...numbers(rates, service[1]!), numbers(stats, service[1]!)[0]!]);
    if (server !== null) rows.push([server[1]!, server[2]!, server[3]!, server[4]!, server[5]!, ...numbers(rates, server[1]!), numbers(stats, server[1]!)[0]!]);
  }
  // A service row's ActiveConn and InActConn are its servers' sums.
  for (const [i, service] of rows.entries()) {
    if (service[2] !== '?') continue;
    let active = 0;
    let inactive = 0;
    for (let k = i + 1; k < rows.length && rows[k]![2] !== '?'; k++) {
      active += Number(rows[k]![3]);
      inactive += Number(rows[k]![4]);
    }
    service.splice(2, 2, String(active), String(inactive));
  }
  return rows;
}

/** The pane's rows, checked to be ipvsadm's at this instant; returned without the weight (a service row has none). */
async function sameAsIpvsadm(tui: RenderedTui<Emulator>): Promise<Row[]> {
  const pane = paneRows(tui.lastFrame() ?? '').map((row) => (row.length === 11 ? [...row.slice(0, 2), ...row.slice(3)] : row));
  const tool = (await ipvsadmRows(tui.emulator)).map((row) => (row.length === 11 ? [...row.slice(0, 2), ...row.slice(3)] : row));
  expect(pane).toEqual(tool);
  expect(pane.length).toBeGreaterThan(1);
  return pane;
}

/** Presses `.` until the frame matches, at most `steps` times. */
async function stepUntil(tui: RenderedTui<Emulator>, pattern: RegExp, steps: number): Promise<string> {
  for (let i = 0; i < steps && !pattern.test(tui.lastFrame() ?? ''); i++) await tui.type('.');
  const frame = tui.lastFrame() ?? '';
  expect(frame).toMatch(pattern);
  return frame;
}

describe('the node detail pane on the real engine', () => {
  it("shows lvs-nat's director as ipvsadm -L -n, --rate and --stats do at the same instant, live as connections come and expire", async () => {
    const tui = await tuiOn(LVS_NAT, <KeyboardAndDetail />);
    const director = tui.emulator.nodes().findIndex((node) => node.name === 'director');
    for (let i = 0; i < director; i++) await tui.type(keys.down);
    await tui.type('i');
    expect(tui.lastFrame()).toMatch(/director \(director\) {2}IPVS \d+ services? {2}\(i closes\)/);
    expect(tui.lastFrame()).toMatch(/Prot LocalAddress:Port +Sched\/Fwd +Weight +ActiveConn +InActConn +CPS +InPPS +OutPPS +InBPS +OutBPS +Conns/);
    const idle = await sameAsIpvsadm(tui);
    expect(idle.every((row) => row.slice(2).every((n) => n === '0'))).toBe(true);
    // The file's timeline makes connections: the pane moves with them, and stays what ipvsadm says.
    let busy = idle;
    for (let i = 0; i < 60 && busy.every((row) => row[row.length - 1] === '0'); i++) {
      await tui.type('.');
      busy = await sameAsIpvsadm(tui);
    }
    expect(busy.some((row) => row[row.length - 1] !== '0')).toBe(true);
    // Until the 2 s estimator has seen them, then with rates.
    for (let i = 0; i < 4; i++) await tui.type('.');
    expect((await sameAsIpvsadm(tui)).some((row) => row[4] !== '0')).toBe(true);
    // Long after the last packet every connection has left the table and the rates have decayed.
    await tui.engine.queue.run(() => tui.emulator.advance(1_800_000_000_000));
    await tui.type('.');
    const after = await sameAsIpvsadm(tui);
    expect(after.every((row) => row.slice(2, 9).every((n) => n === '0'))).toBe(true);
    // A node without IPVS or mip6d says so.
    await tui.type(keys.up);
    expect(tui.lastFrame()).toContain('No IPVS (ipvsadm or modprobe ip_vs loads it) and no mip6d running on this node.');
  }, 60_000);

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
  }, 60_000);

  it('scrolls what does not fit when it has the keyboard (Tab to where the packet log is), and never past the end', async () => {
    const file = join(scratch, 'two-services.yaml');
    writeFileSync(file, TWO_SERVICES);
    const tui = await tuiOn(file);
    const title = (): string => /director \(director\) {2}IPVS 2 services {2}(LINES \S+) {2}\(i closes\)/.exec(tui.lastFrame() ?? '')?.[1] ?? '(no title)';
    await tui.type('i');
    expect(title()).toBe('LINES 1-7/11↓');
    expect(tui.lastFrame()).toMatch(/TCP {2}10\.0\.0\.1:80 +rr/);
    // The node pane has the keyboard: ↓ selects the next node.
    await tui.type(keys.tab, keys.tab, keys.down);
    expect(title()).toBe('LINES 2-8/11↑↓');
    await tui.type('\u001B[F');
    expect(title()).toBe('LINES 5-11/11↑');
    expect(tui.lastFrame()).toMatch(/-> 10\.0\.0\.5:53 +Masq/);
    expect(tui.lastFrame()).not.toMatch(/TCP {2}10\.0\.0\.1:80/);
    // At the end, ↑ moves at once (no lines scrolled past the end to climb back).
    await tui.type(keys.up);
    expect(title()).toBe('LINES 4-10/11↑↓');
    await tui.type('\u001B[H');
    expect(title()).toBe('LINES 1-7/11↓');
  }, 60_000);
});
