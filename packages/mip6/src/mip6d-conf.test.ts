import { describe, expect, it } from 'vitest';
import { parseIpv6Number } from '@netloom/wire';
import { MAX_BINDING_LIFE, parseMip6dConf } from './mip6d-conf.js';
import { mcoaLab, MOBILE_NODE_CONF } from './testing/mcoa-lab.js';

const address = (text: string): bigint => parseIpv6Number(text) as bigint;

describe('mip6d.conf', () => {
  it('reads a mobile node: interfaces with their preferences (10 by default), MCoA, lifetime, the home link, comments', () => {
    const text = `# a mobile node
NodeConfig MN;
DebugLevel 10;
Interface "eth0" { MnIfPreference 1; }
Interface "wlan0";
MnUseAllInterfaces enabled;   # MCoA on
MnMaxHaBindingLife 60;
MnHomeLink "ip6tnl1" {
\tHomeAgentAddress 3ffe:2620:6:1::1;
\tHomeAddress 3ffe:2620:6:1::1234/64;
}
UseMnHaIPsec disabled;
`;
    expect(parseMip6dConf(text, '/etc/mip6d.conf')).toEqual({
      role: 'MN',
      mobileNode: {
        homeAddress: address('3ffe:2620:6:1::1234'),
        homePrefixLength: 64,
        homeAgent: address('3ffe:2620:6:1::1'),
        interfaces: [
          { name: 'eth0', preference: 1 },
          { name: 'wlan0', preference: 10 },
        ],
        multipleCareOf: true,
        maxBindingLife: 60,
        routeOptimisation: false,
      },
    });
  });

  it('reads a home agent with its defaults: MCoA off, bulk registration on, 262140 s', () => {
    expect(parseMip6dConf('NodeConfig HA;\nInterface "eth0";\n', 'f')).toEqual({
      role: 'HA',
      homeAgent: { interfaces: ['eth0'], maxBindingLife: MAX_BINDING_LIFE, multipleCareOf: false, bulkRegistration: true },
    });
  });

  it('names the line of a syntax error, and what a role lacks', () => {
    expect(parseMip6dConf('NodeConfig MN;\nInterface eth0;\n', '/etc/mip6d.conf')).toEqual({ error: 'mip6d: /etc/mip6d.conf:2: syntax error near "eth0"' });
    expect(parseMip6dConf('NodeConfig HA;\nHaMaxBindingLife 300000;\n', 'f')).toEqual({ error: 'mip6d: f:2: syntax error near "300000"' });
    expect(parseMip6dConf('NodeConfig MN;\nInterface "eth0" { MnIfPreference 11; }\n', 'f')).toEqual({ error: 'mip6d: f:2: syntax error near "11"' });
    expect(parseMip6dConf('NodeConfig MN;\nInterface "eth0";\n', 'f')).toEqual({ error: 'mip6d: f: MnHomeLink needs HomeAddress and HomeAgentAddress' });
    expect(parseMip6dConf('NodeConfig MN;\nMnHomeLink "x" {\n  HomeAddress 2001:db8::1/64;\n', 'f')).toEqual({ error: 'mip6d: f: unexpected end of file' });
    expect(parseMip6dConf('NodeConfig XX;\n', 'f')).toEqual({ error: 'mip6d: f:1: syntax error near "XX"' });
    expect(parseMip6dConf('DoRouteOptimizationCN maybe;\n', 'f')).toEqual({ error: 'mip6d: f:1: syntax error near "maybe"' });
  });

  it('reads the correspondent role (UMIP\'s default entity) and the route optimisation settings', () => {
    expect(parseMip6dConf('', 'f')).toEqual({ role: 'CN', correspondent: { routeOptimisation: true } });
    expect(parseMip6dConf('NodeConfig CN;\nDoRouteOptimizationCN disabled;\n', 'f')).toEqual({ role: 'CN', correspondent: { routeOptimisation: false } });
    const mobile = (extra: string): unknown => {
      const parsed = parseMip6dConf(`NodeConfig MN;\nInterface "eth0";\n${extra}MnHomeLink "ip6tnl1" { HomeAgentAddress 2001:db8:1::1; HomeAddress 2001:db8:1::100/64; }\n`, 'f');
      return 'mobileNode' in parsed ? parsed.mobileNode.routeOptimisation : parsed;
    };
    expect(mobile('')).toBe(false);
    expect(mobile('DoRouteOptimizationMN enabled;\n')).toBe(true);
  });

  it('is what mip6d reads: its errors, a missing file, an unknown option, a second start, the console before it runs', () => {
    const { lab } = mcoaLab({}, 'NodeConfig HA;\nInterface eth0;\n', MOBILE_NODE_CONF);
    expect(lab.exec('ha', 'mip6d bc')).toMatchObject({ stderr: 'mip6d: not running\n', status: 1 });
    expect(lab.exec('ha', 'mip6d')).toMatchObject({ stderr: 'mip6d: /etc/mip6d.conf:2: syntax error near "eth0"\n', status: 1 });
    expect(lab.exec('ha', 'mip6d -c /etc/none.conf')).toMatchObject({ stderr: 'mip6d: /etc/none.conf: No such file or directory\n', status: 1 });
    expect(lab.exec('ha', 'mip6d -x').status).toBe(1);
    expect(lab.exec('mn', 'mip6d')).toMatchObject({ stderr: '', status: 0 });
    expect(lab.exec('mn', 'mip6d')).toMatchObject({ stderr: 'mip6d: already running\n', status: 1 });
  });
});
