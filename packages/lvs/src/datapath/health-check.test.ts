/**
 * The keepalived-like checker on an LVS-NAT director: a real server whose UDP service stops is
 * taken out after `fall` failed checks (removed, or quiesced to weight 0) and new connections go to
 * the other, it comes back after `rise` good checks; with every real server out the sorry server
 * serves; each step is logged in /var/log/keepalived.log with keepalived's texts.
 */
import { SECOND, ip } from '@netloom/stack/testing/lab';
import { describe, expect, test } from 'vitest';
import { inet4 } from '../inet-address.js';
import { startHealthCheck, type HealthCheckConfig } from './health-check.js';
import { ask, natDirector, PORT, VIP, type Director } from './testing/lvs-lab.js';

/** A UDP checker of the lab's service; `listed`: with the real servers named (else taken from the service at the first round). */
function checker(director: Director, overrides: Partial<HealthCheckConfig> = {}, listed = true): void {
  const service = director.module.ipvs.listServices()[0]!;
  startHealthCheck(director.lab.node('director'), director.module.ipvs, {
    service: service.key,
    type: 'udp',
    intervalNs: 2 * SECOND,
    timeoutNs: 1 * SECOND,
    fall: 2,
    rise: 2,
    onFailure: 'remove',
    ...(listed ? { realServers: ['10.1.1.2', '10.1.1.3'].map((a) => ({ address: inet4(ip(a)), port: PORT, weight: 1, forwarding: 'masq' as const })) } : {}),
    ...overrides,
  });
}

const members = (director: Director): string[] => director.module.ipvs.listServices()[0]!.destinations.map((d) => `${d.name} w${d.weight}`);
const log = (director: Director): string => director.lab.exec('director', 'cat /var/log/keepalived.log').stdout;

describe('the health checker', () => {
  test('a real server failing its UDP check twice is removed, new connections go to the other; two good checks put it back', () => {
    const director = natDirector();
    const { lab } = director;
    lab.exec('rs1', `udp-echo ${PORT}`);
    const rs2 = lab.exec('rs2', `udp-echo ${PORT}`);
    checker(director);
    lab.run(5 * SECOND);
    expect(members(director)).toEqual(['10.1.1.3:53 w1', '10.1.1.2:53 w1']);
    rs2.interrupt();
    lab.run(5 * SECOND);
    expect(members(director)).toEqual(['10.1.1.2:53 w1']);
    expect(log(director)).toContain('Keepalived_healthcheckers: UDP_CHECK on service [10.1.1.3]:udp:53 failed.\n');
    expect(log(director)).toMatch(/^\d+\.\d{3} Keepalived_healthcheckers: Removing service \[10\.1\.1\.3\]:udp:53 from VS \[192\.0\.2\.80\]:udp:53$/m);
    expect([ask(lab, 40001, 'a'), ask(lab, 40002, 'b')]).toEqual([`${VIP}:${PORT} rs1:a\n`, `${VIP}:${PORT} rs1:b\n`]);
    lab.exec('rs2', `udp-echo ${PORT}`);
    lab.run(6 * SECOND);
    expect(members(director)).toEqual(['10.1.1.3:53 w1', '10.1.1.2:53 w1']);
    expect(log(director)).toMatch(/Adding service \[10\.1\.1\.3\]:udp:53 to VS \[192\.0\.2\.80\]:udp:53\n$/);
  });

  test('quiesce (the servers taken from the service) keeps the failed server with weight 0; with both failed the sorry server is added, and removed when one is back', () => {
    const director = natDirector();
    const { lab } = director;
    lab.addr('director', 'eth1', '10.1.1.9/24');
    const rs1 = lab.exec('rs1', `udp-echo ${PORT}`);
    const rs2 = lab.exec('rs2', `udp-echo ${PORT}`);
    checker(director, { onFailure: 'quiesce', sorryServer: { address: inet4(ip('10.1.1.3')), port: 5353 } }, false);
    rs2.interrupt();
    lab.run(5 * SECOND);
    expect(members(director)).toEqual(['10.1.1.3:53 w0', '10.1.1.2:53 w1']);
    rs1.interrupt();
    lab.run(4 * SECOND);
    expect(members(director)).toEqual(['10.1.1.3:5353 w1', '10.1.1.3:53 w0', '10.1.1.2:53 w0']);
    expect(log(director)).toContain('Disabling service [10.1.1.2]:udp:53 from VS [192.0.2.80]:udp:53\n');
    expect(log(director)).toContain('Adding sorry server [10.1.1.3]:udp:5353 to VS [192.0.2.80]:udp:53\n');
    lab.exec('rs1', `udp-echo ${PORT}`);
    lab.run(6 * SECOND);
    expect(members(director)).toEqual(['10.1.1.3:53 w0', '10.1.1.2:53 w1']);
    expect(log(director)).toContain('Removing sorry server [10.1.1.3]:udp:5353 from VS [192.0.2.80]:udp:53\n');
  });
});

describe('TCP and HTTP checks', () => {
  test('TCP_CHECK: a refused connect fails the check; HTTP_GET: a status other than the one wanted fails it', () => {
    const director = natDirector('tcp');
    const { lab } = director;
    lab.exec('rs1', `tcp-serve ${PORT}`);
    // rs2 listens on nothing: its connects are refused (RST).
    checker(director, { type: 'tcp', fall: 1, rise: 1 });
    lab.run(3 * SECOND);
    expect(members(director)).toEqual(['10.1.1.2:53 w1']);
    expect(log(director)).toContain('Keepalived_healthcheckers: TCP connection to [10.1.1.3]:tcp:53 failed.\n');

    const web = natDirector('tcp');
    web.lab.exec('rs1', `http-status ${PORT} 200`);
    web.lab.exec('rs2', `http-status ${PORT} 503`);
    checker(web, { type: 'http', path: '/health', statusCode: 200, fall: 1, rise: 1 });
    web.lab.run(3 * SECOND);
    expect(members(web)).toEqual(['10.1.1.2:53 w1']);
    expect(log(web)).toContain('Keepalived_healthcheckers: HTTP status code error to [10.1.1.3]:tcp:53 url(/health), status_code [503].\n');
    expect(log(web)).not.toContain('10.1.1.2');
  });
});
