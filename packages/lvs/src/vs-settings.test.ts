/**
 * net.ipv4.vs in a node's sysctl tree: the defaults of ipvs-sysctl.rst, writes through the kernel's
 * handlers reaching the model's settings, and refusals.
 */
import { describe, expect, it } from 'vitest';
import { SysctlTree } from '@netloom/stack/sysctl/sysctl-tree';
import { Ipvs } from './ipvs.js';
import { VsSysctlDirectory } from './vs-settings.js';

describe('net.ipv4.vs', () => {
  it('lists the defaults and lets writes reach the model', () => {
    const ipvs = new Ipvs();
    const tree = new SysctlTree();
    tree.register(new VsSysctlDirectory(ipvs.settings));
    const vs = tree.list().filter(([name]) => name.startsWith('net.ipv4.vs.'));
    expect(Object.fromEntries(vs)).toMatchObject({
      'net.ipv4.vs.am_droprate': 10,
      'net.ipv4.vs.amemthresh': 1024,
      'net.ipv4.vs.conn_reuse_mode': 1,
      'net.ipv4.vs.conntrack': 0,
      'net.ipv4.vs.expire_nodest_conn': 0,
      'net.ipv4.vs.expire_quiescent_template': 0,
      'net.ipv4.vs.lblc_expiration': 86400,
      'net.ipv4.vs.pmtu_disc': 1,
      'net.ipv4.vs.snat_reroute': 1,
      'net.ipv4.vs.sync_version': 1,
    });
    expect(vs).toHaveLength(28);
    expect(tree.write('net.ipv4.vs.expire_nodest_conn', '1')).toBe('ok');
    expect(ipvs.settings.expire_nodest_conn).toBe(1);
    expect(tree.get('net.ipv4.vs.expire_nodest_conn')).toBe(1);
  });

  it('refuses what the handlers refuse and names that do not exist', () => {
    const ipvs = new Ipvs();
    const tree = new SysctlTree();
    tree.register(new VsSysctlDirectory(ipvs.settings));
    expect(tree.write('net.ipv4.vs.drop_entry', '4')).toBe('EINVAL');
    expect(tree.write('net.ipv4.vs.sync_version', '2')).toBe('EINVAL');
    expect(tree.write('net.ipv4.vs.expire_quiescent_template', 'yes')).toBe('EINVAL');
    expect(tree.write('net.ipv4.vs.no_such_key', '1')).toBe('ENOENT');
    expect(ipvs.settings.drop_entry).toBe(0);
  });
});
