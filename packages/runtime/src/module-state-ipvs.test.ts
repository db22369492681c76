/**
 * module-state.ts's ipvsState on an Ipvs set up by ipvsadm: services and real servers come in
 * `ipvsadm -L -n`'s order (libipvs's comparison, in which 10.0.0.1 sorts after 192.168.0.1 and a
 * fwmark service after the others), fwmark and IPv6 services named as ipvsadm names them, and the lists stop at ipc's bounds with the counts
 * of what there was.
 */
import { describe, expect, it } from 'vitest';
import { IPVS_REAL_SERVERS_SHOWN, IPVS_SERVICES_SHOWN } from '@netloom/ipc';
import { Ipvs, ipvsadm } from '@netloom/lvs';
import { ipvsState } from './module-state.js';

function run(ipvs: Ipvs, line: string): string {
  const result = ipvsadm(['ipvsadm', ...line.split(' ')], ipvs, 0);
  expect(result.stderr).toBe('');
  return result.stdout;
}

describe('ipvsState', () => {
  it("lists services and real servers in ipvsadm -L -n's order, with its names", () => {
    const ipvs = new Ipvs();
    for (const line of [
      '-A -t 10.0.0.1:80 -s rr',
      '-a -t 10.0.0.1:80 -r 10.1.1.9:80 -m -w 3',
      '-a -t 10.0.0.1:80 -r 10.1.1.10:80 -m',
      '-A -t 192.168.0.1:80 -s wlc -p 360',
      '-A -u 10.0.0.1:53 -s sh',
      '-A -f 5 -s rr',
      '-A -t [2001:db8::1]:80 -s rr',
      '-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -m',
    ])
      run(ipvs, line);
    const listed = run(ipvs, '-L -n')
      .split('\n')
      .map((line) => /^(?:TCP|UDP|FWM) +(\S+)|^ {2}-> (\d\S+|\[\S+)/.exec(line))
      .filter((m) => m !== null)
      .map((m) => m[1] ?? m[2]);
    const state = ipvsState(ipvs);
    expect(state.services.flatMap((s) => [s.address, ...s.realServers.map((rs) => rs.address)])).toEqual(listed);
    expect(listed).toEqual(['192.168.0.1:80', '10.0.0.1:80', '10.1.1.9:80', '10.1.1.10:80', '10.0.0.1:53', '[2001:db8::1]:80', '[2001:db8::2]:80', '5']);
    expect(state.services.map((s) => [s.protocol, s.scheduler, s.persistent])).toEqual([
      ['TCP', 'wlc', 360],
      ['TCP', 'rr', null],
      ['UDP', 'sh', null],
      ['TCP', 'rr', null],
      ['FWM', 'rr', null],
    ]);
    expect(state.services[1]!.realServers.map((rs) => [rs.forward, rs.weight])).toEqual([
      ['Masq', 3],
      ['Masq', 1],
    ]);
  });

  it('stops at the bounds and counts what there was', () => {
    const ipvs = new Ipvs();
    for (let i = 0; i < IPVS_SERVICES_SHOWN + 8; i++) run(ipvs, `-A -t 10.0.${i}.1:80 -s rr`);
    for (let j = 0; j < IPVS_REAL_SERVERS_SHOWN + 6; j++) run(ipvs, `-a -t 10.0.0.1:80 -r 10.2.${j}.1:80 -m`);
    const state = ipvsState(ipvs);
    expect([state.services.length, state.serviceCount]).toEqual([IPVS_SERVICES_SHOWN, IPVS_SERVICES_SHOWN + 8]);
    const first = state.services.find((s) => s.address === '10.0.0.1:80')!;
    expect([first.realServers.length, first.realServerCount]).toEqual([IPVS_REAL_SERVERS_SHOWN, IPVS_REAL_SERVERS_SHOWN + 6]);
  });
});
