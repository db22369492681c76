/**
 * IPVS as a node's module: nothing of it until used (no hooks, no /proc/net/ip_vs, no net.ipv4.vs);
 * the first `ipvsadm` (or `modprobe ip_vs`) loads it — the hooks, the proc files and the sysctls —
 * and later commands find the same state.
 */
import { Lab } from '@netloom/stack/testing/lab';
import { describe, expect, test } from 'vitest';
import { registerIpvs } from './ipvs-module.js';

describe('the ip_vs module', () => {
  test('a node pays nothing until the first ipvsadm loads IPVS with its proc files and sysctls', () => {
    const lab = new Lab();
    const node = lab.addNode('d', { forwarding: true });
    const loaded = registerIpvs(node);
    expect(loaded()).toBeUndefined();
    expect(node.netfilter.chains(4).localIn).toHaveLength(0);
    expect(lab.exec('d', 'cat /proc/net/ip_vs').status).toBe(1);
    expect(lab.exec('d', 'sysctl net.ipv4.vs.expire_nodest_conn').status).not.toBe(0);
    expect(lab.exec('d', 'ipvsadm -A -t 192.0.2.80:80 -s rr')).toMatchObject({ stdout: '', stderr: '', status: 0 });
    expect(loaded()).toBeDefined();
    expect(node.netfilter.chains(4).localIn).toHaveLength(2);
    expect(node.netfilter.chains(4).forward).toHaveLength(2);
    expect(lab.exec('d', 'ipvsadm -a -t 192.0.2.80:80 -r 10.0.0.2 -m -w 3').status).toBe(0);
    expect(lab.exec('d', 'cat /proc/net/ip_vs').stdout).toBe(
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nTCP  C0000250:0050 rr  \n  -> 0A000002:0050      Masq    3      0          0         \n',
    );
    expect(lab.exec('d', 'sysctl net.ipv4.vs.expire_nodest_conn').stdout).toBe('net.ipv4.vs.expire_nodest_conn = 0\n');
    expect(lab.exec('d', 'sysctl -w net.ipv4.vs.expire_nodest_conn=1').status).toBe(0);
    expect(loaded()?.ipvs.settings.expire_nodest_conn).toBe(1);
    expect(lab.exec('d', 'modprobe ip_vs').status).toBe(0);
    expect(lab.exec('d', 'ipvsadm -A -t 192.0.2.80:80').stderr).toBe('Service already exists\n');
    expect(lab.exec('d', 'cat /proc/net/ip_vs_conn').stdout).toBe('Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n');
  });
});
