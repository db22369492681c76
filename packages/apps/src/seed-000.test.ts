/**
 * Seed 000 (the roaming laptop) with udpsend on real nodes in the `netbsd-2004` compatibility
 * mode: each step of the seed's command sequence, and the udpsend line the step must produce, as
 * the seed reports it ("[gets EADDRNOTAVAIL from sendto!]", "[sending OK over ath0 from
 * 10.13.65.16 to 193.71.2.52]", …). The default (modern Linux) mode is the kernel engineers'
 * namespace-checked topology; here one step shows the difference.
 */
import { describe, expect, it } from 'vitest';
import { programs } from './index.js';
import { MS, NodeLab, SECOND } from './testing/node-lab.js';

/** laptop wm0 — wired LAN (target .52, gateway .1, wireless gateway .2); laptop ath0 — wireless gateway. */
function roaming(netbsd2004: boolean): NodeLab {
  const lab = new NodeLab(programs);
  lab.addNode('laptop', netbsd2004 ? { compat: { 'netbsd-2004': true } } : {});
  lab.addNode('target');
  lab.addNode('wired-gw', { forwarding: true });
  lab.addNode('wireless-gw', { forwarding: true });
  lab.link('laptop:wm0', 'target:eth0', 'wired-gw:eth0', 'wireless-gw:eth1');
  lab.link('laptop:ath0', 'wireless-gw:eth0');
  lab.sh('laptop', 'ifconfig wm0 inet 193.71.2.59 netmask 255.255.255.0');
  lab.sh('laptop', 'ifconfig ath0 inet 10.13.65.16 netmask 255.255.255.0');
  lab.sh('laptop', 'route add default 193.71.2.1');
  lab.sh('target', 'ip addr add 193.71.2.52/24 dev eth0');
  lab.sh('wired-gw', 'ip addr add 193.71.2.1/24 dev eth0');
  lab.sh('wireless-gw', 'ip addr add 10.13.65.1/24 dev eth0');
  lab.sh('wireless-gw', 'ip addr add 193.71.2.2/24 dev eth1');
  lab.exec('target', 'nc -u -l 9'); // the discard service the seed's program sends to
  return lab;
}

/**
 * Run `commands` on the laptop at 500 ms past a send, then return the next send's line. A command
 * may fail: on Linux deleting the last address of wm0 already removed the default route through it,
 * so the seed's `route delete default` says "No such process" (NetBSD kept the route).
 */
function step(lab: NodeLab, run: { stdout: string }, commands: string[]): string {
  const before = run.stdout.split('\n').length;
  for (const command of commands) lab.exec('laptop', command);
  lab.run(1 * SECOND);
  const lines = run.stdout.split('\n').slice(before - 1, -1);
  return lines.map((l) => l.replace(/^\d+\.\d{3} sendto #\d+: /, '')).join(' | ');
}

describe('seed 000 in netbsd-2004 mode', () => {
  it('reproduces the seed step by step', () => {
    const lab = roaming(true);
    let run = lab.exec('laptop', 'udpsend 193.71.2.52 9');
    lab.run(500 * MS);
    expect(run.stdout.split('\n')[1]).toBe('0.000 sendto #1: OK dev wm0 src 193.71.2.59');
    expect(step(lab, run, ['ifconfig wm0 down'])).toBe('ENETDOWN (Network is down)');
    expect(step(lab, run, ['ifconfig wm0 up'])).toBe('OK dev wm0 src 193.71.2.59');
    expect(step(lab, run, ['ifconfig wm0 inet 193.71.2.59 delete'])).toBe('EADDRNOTAVAIL (Cannot assign requested address)');
    expect(step(lab, run, ['ifconfig wm0 inet 193.71.2.59'])).toBe('OK dev wm0 src 193.71.2.59');
    expect(step(lab, run, ['ifconfig wm0 inet 193.71.2.59 delete', 'route delete default', 'route add default 10.13.65.1'])).toBe(
      'EADDRNOTAVAIL (Cannot assign requested address)',
    );
    expect(step(lab, run, [])).toBe('EADDRNOTAVAIL (Cannot assign requested address)'); // "stuck"
    // ^C and a new run.
    run.interrupt?.();
    run = lab.exec('laptop', 'udpsend 193.71.2.52 9');
    lab.run(500 * MS);
    expect(run.stdout.split('\n')[1]).toMatch(/^\d+\.\d{3} sendto #1: OK dev ath0 src 10.13.65.16$/);
    expect(step(lab, run, ['ifconfig wm0 inet 193.71.2.59 netmask 255.255.255.0'])).toBe('OK dev ath0 src 10.13.65.16');
    expect(step(lab, run, ['ifconfig ath0 inet 10.13.65.16 delete'])).toBe('EADDRNOTAVAIL (Cannot assign requested address)');
    expect(step(lab, run, ['route delete default', 'route add default 193.71.2.1'])).toBe('EADDRNOTAVAIL (Cannot assign requested address)');
    expect(step(lab, run, ['ifconfig ath0 inet 10.13.65.16'])).toBe('OK dev wm0 src 193.71.2.59');
    expect(step(lab, run, ['ifconfig ath0 inet 10.13.65.16 delete'])).toBe('OK dev wm0 src 193.71.2.59');
  });
});

describe('seed 000 in the default (modern Linux) mode', () => {
  it('fails over at once when the address in use is deleted and another route exists', () => {
    const lab = roaming(false);
    const run = lab.exec('laptop', 'udpsend 193.71.2.52 9');
    lab.run(500 * MS);
    expect(step(lab, run, ['ifconfig wm0 inet 193.71.2.59 delete', 'route delete default', 'route add default 10.13.65.1'])).toBe(
      'OK dev ath0 src 10.13.65.16',
    );
  });
});
