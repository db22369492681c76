/**
 * The hook table on its own: order by priority (then registration), the bound per point, unregistering
 * mid-walk, and the verdict rules. Hooks on real nodes in a network: hooks.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Ipv4PacketView } from '@netloom/wire';
import { drop, MAX_HOOK_COUNT, NetfilterHooks, NF_IP_PRI, type HookPacket, type HookPoint } from './hooks.js';

const packetAt = (hook: HookPoint): HookPacket<4> => {
  const bytes = new Uint8Array(20);
  bytes[0] = 0x45;
  return { family: 4, hook, bytes, header: Ipv4PacketView.over(bytes), mark: 0, inDev: null, outDev: null };
};

describe('netfilter hook table', () => {
  it('runs hooks by priority, lower first, equal ones in registration order, and stops at the first verdict other than accept', () => {
    const hooks = new NetfilterHooks();
    const ran: string[] = [];
    const at = (name: string, verdict: 'accept' | 'stolen' = 'accept') => () => {
      ran.push(name);
      return verdict;
    };
    hooks.register({ hook: 'forward', family: 4, priority: NF_IP_PRI.filter, fn: at('filter') });
    hooks.register({ hook: 'forward', family: 4, priority: NF_IP_PRI.mangle, fn: at('mangle') });
    hooks.register({ hook: 'forward', family: 4, priority: NF_IP_PRI.filter, fn: at('filter2', 'stolen') });
    hooks.register({ hook: 'forward', family: 4, priority: NF_IP_PRI.last, fn: at('last') });
    hooks.register({ hook: 'localIn', family: 4, priority: NF_IP_PRI.first, fn: at('other point') });
    expect(hooks.run(hooks.chains(4).forward, packetAt('forward'), 0)).toBe('stolen');
    expect(ran).toEqual(['mangle', 'filter', 'filter2']);
    expect(hooks.chains(6).forward).toHaveLength(0);
  });

  it('a hook unregistered while the chain is walked still lets the walk finish; afterwards it is gone', () => {
    const hooks = new NetfilterHooks();
    const ran: string[] = [];
    const offFirst = hooks.register({
      hook: 'prerouting',
      family: 4,
      priority: 0,
      fn: () => {
        ran.push('first');
        offFirst();
        return 'accept';
      },
    });
    hooks.register({ hook: 'prerouting', family: 4, priority: 1, fn: () => (ran.push('second'), drop('prohibited', 'test')) });
    expect(hooks.run(hooks.chains(4).prerouting, packetAt('prerouting'), 0)).toEqual({ drop: 'prohibited', detail: 'test' });
    expect(hooks.run(hooks.chains(4).prerouting, packetAt('prerouting'), 0)).toEqual({ drop: 'prohibited', detail: 'test' });
    expect(ran).toEqual(['first', 'second', 'second']);
  });

  it('holds at most MAX_HOOK_COUNT hooks per point and family (E2BIG), and refuses what is not a hook', () => {
    const hooks = new NetfilterHooks();
    for (let i = 0; i < MAX_HOOK_COUNT; i++) hooks.register({ hook: 'localOut', family: 4, priority: i, fn: () => 'accept' });
    expect(() => hooks.register({ hook: 'localOut', family: 4, priority: 0, fn: () => 'accept' })).toThrow('E2BIG');
    expect(() => hooks.register({ hook: 'postrouting', family: 4, priority: 0, fn: () => 'accept' })).not.toThrow();
    expect(() => hooks.register({ hook: 'input' as HookPoint, family: 4, priority: 0, fn: () => 'accept' })).toThrow('no hook point input');
    expect(() => hooks.register({ hook: 'forward', family: 4, priority: 0.5, fn: () => 'accept' })).toThrow('priority 0.5');
    expect(() => hooks.register({ hook: 'forward', family: 5 as 4, priority: 0, fn: () => 'accept' })).toThrow('address family 5');
  });

  it('a reroute verdict anywhere but LOCAL_OUT is a bug in the hook', () => {
    const hooks = new NetfilterHooks();
    hooks.register({ hook: 'forward', family: 4, priority: 0, fn: () => 'reroute' });
    hooks.register({ hook: 'localOut', family: 4, priority: 0, fn: () => 'reroute' });
    expect(() => hooks.run(hooks.chains(4).forward, packetAt('forward'), 0)).toThrow('reroute verdict at forward');
    expect(hooks.run(hooks.chains(4).localOut, packetAt('localOut'), 0)).toBe('reroute');
  });
});
