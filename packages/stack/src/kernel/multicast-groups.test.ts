import { describe, expect, it } from 'vitest';
import { makeShell } from '../testing/kernel-shell.js';
import { MAX_DEVICE_GROUPS } from '../kernel.js';

// 224.0.0.81 is IPVS's sync group: a device receives it only while a kernel user holds it (ip_mc_inc_group).
const GROUP = 0xe0000051;
const query = { dst: GROUP, src: 0x0a010002, iif: 'eth0', proto: 17 };

describe('multicast groups joined by the kernel users of a device', () => {
  it('a datagram to a group is local input while the group is held, and a martian destination before and after', () => {
    const { kernel, sh } = makeShell();
    sh('ip addr add 10.1.0.1/24 dev eth0');
    expect(kernel.inputDecision(query, 0)).toMatchObject({ ok: false, errno: 'EINVAL', dropReason: 'martianDestination' });
    expect(kernel.joinGroup('eth0', GROUP)).toEqual({ ok: true });
    expect(kernel.joinGroup('eth0', GROUP)).toEqual({ ok: true });
    expect(kernel.inputDecision(query, 0)).toMatchObject({ ok: true, decision: { type: 'multicast' } });
    expect(kernel.inputDecision({ ...query, iif: 'lo' }, 0)).toMatchObject({ ok: false });
    kernel.leaveGroup('eth0', GROUP);
    expect(kernel.inputDecision(query, 0)).toMatchObject({ ok: true });
    kernel.leaveGroup('eth0', GROUP);
    expect(kernel.inputDecision(query, 0)).toMatchObject({ ok: false, dropReason: 'martianDestination' });
  });

  it('refuses a device that does not exist and bounds the groups per device', () => {
    const { kernel } = makeShell();
    expect(kernel.joinGroup('eth9', GROUP)).toEqual({ ok: false, errno: 'ENODEV' });
    for (let i = 0; i < MAX_DEVICE_GROUPS; i++) expect(kernel.joinGroup('eth0', 0xe1000000 + i).ok).toBe(true);
    expect(kernel.joinGroup('eth0', GROUP)).toEqual({ ok: false, errno: 'ENOBUFS' });
    expect(kernel.joinGroup('eth0', 0xe1000000).ok).toBe(true);
  });
});
