/**
 * mip6d.conf, the part of UMIP's syntax netloom reads (umip-1.0 man/mip6d.conf.tmpl): statements
 * end with `;`, blocks are in `{}`, names in double quotes, `#` starts a comment.
 *
 *   NodeConfig MN|HA|CN;
 *   Interface "eth0";  /  Interface "eth1" { MnIfPreference 1..10; }
 *   MnHomeLink "ip6tnl1" { HomeAgentAddress ADDR; HomeAddress ADDR/LEN; }
 *   MnMaxHaBindingLife SECONDS;            (default 262140)
 *   HaMaxBindingLife SECONDS;              (default 262140)
 *   MnUseAllInterfaces enabled|disabled;   (UMIP's; here also turns MCoA on for a mobile node)
 *   UseMCoA enabled|disabled;              (netloom's: MCoA on the home agent or mobile node)
 *   HaAcceptBulkRegistration enabled|disabled;   (netloom's; default enabled)
 *   DoRouteOptimizationMN enabled|disabled;   (a mobile node's return routability with correspondents;
 *                                          default disabled here, where UMIP's conf_default enables it,
 *                                          so that MCoA setups stay home registration unless asked)
 *   DoRouteOptimizationCN enabled|disabled;   (a correspondent answers return routability; default
 *                                          enabled, as UMIP's)
 *   DebugLevel N;  UseMnHaIPsec bool;  KeyMngMobCapability bool;
 *                                          (accepted, no effect: nothing here logs or uses IPsec)
 *
 * `MnIfPreference` is UMIP's interface preference (1 most preferred); an interface without it has
 * 10, UMIP's default. The Nautilus6 MCoA patch's own keywords were not found in any source at hand,
 * hence `UseMCoA` (default disabled, as plain UMIP). Errors name the line as mip6d's parser does
 * (`mip6d: /etc/mip6d.conf:3: syntax error near "x"`).
 */
import { parseIpv6Number } from '@netloom/wire';
import type { CorrespondentConfig } from './correspondent.js';
import type { HomeAgentConfig } from './home-agent.js';
import type { MobileNodeConfig } from './mobile-node.js';

export type Mip6dConfig = { role: 'HA'; homeAgent: HomeAgentConfig } | { role: 'MN'; mobileNode: MobileNodeConfig } | { role: 'CN'; correspondent: CorrespondentConfig };

/** UMIP's HaMaxBindingLife / MnMaxHaBindingLife default: 65535 × 4 s. */
export const MAX_BINDING_LIFE = 262140;
const DEFAULT_PREFERENCE = 10;

interface Token {
  text: string;
  line: number;
  quoted: boolean;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '');
    const pattern = /"([^"]*)"|([{};])|([^\s{};"]+)/g;
    for (const match of line.matchAll(pattern)) {
      if (match[1] !== undefined) tokens.push({ text: match[1], line: index + 1, quoted: true });
      else tokens.push({ text: match[2] ?? match[3] ?? '', line: index + 1, quoted: false });
    }
  });
  return tokens;
}

class ConfigError extends Error {}

/** Parse mip6d.conf `text` (read from `path`): the configuration, or mip6d's error line. */
export function parseMip6dConf(text: string, path: string): Mip6dConfig | { error: string } {
  const tokens = tokenize(text);
  let at = 0;
  const fail = (token: Token | undefined): never => {
    throw new ConfigError(token === undefined ? `mip6d: ${path}: unexpected end of file` : `mip6d: ${path}:${token.line}: syntax error near "${token.text}"`);
  };
  const next = (): Token => tokens[at++] ?? fail(undefined);
  const expect = (text: string): void => {
    const token = next();
    if (token.quoted || token.text !== text) fail(token);
  };
  const word = (): Token => {
    const token = next();
    if (token.quoted || token.text === ';' || token.text === '{' || token.text === '}') fail(token);
    return token;
  };
  const number = (min: number, max: number): number => {
    const token = word();
    const value = Number(token.text);
    if (!/^\d+$/.test(token.text) || value < min || value > max) fail(token);
    return value;
  };
  const bool = (): boolean => {
    const token = word();
    if (token.text === 'enabled') return true;
    if (token.text === 'disabled') return false;
    return fail(token);
  };
  const address = (withPrefix: boolean): { address: bigint; prefixLength: number } => {
    const token = word();
    const [text, length] = token.text.split('/');
    const parsed = parseIpv6Number(text ?? '');
    const prefixLength = length === undefined ? 128 : Number(length);
    if (parsed === null || (length !== undefined && (!withPrefix || !/^\d+$/.test(length) || prefixLength > 128))) fail(token);
    return { address: parsed as bigint, prefixLength };
  };
  const quoted = (): string => {
    const token = next();
    if (!token.quoted) fail(token);
    return token.text;
  };

  try {
    let role: 'HA' | 'MN' | 'CN' | undefined;
    let routeOptimisationMN = false;
    let routeOptimisationCN = true;
    const interfaces: { name: string; preference: number }[] = [];
    let home: { address: bigint; prefixLength: number } | undefined;
    let homeAgent: bigint | undefined;
    let mnLife = MAX_BINDING_LIFE;
    let haLife = MAX_BINDING_LIFE;
    let mcoa = false;
    let bulk = true;
    while (at < tokens.length) {
      const keyword = word();
      switch (keyword.text) {
        case 'NodeConfig': {
          const value = word();
          if (value.text !== 'MN' && value.text !== 'HA' && value.text !== 'CN') fail(value);
          role = value.text as 'MN' | 'HA' | 'CN';
          expect(';');
          break;
        }
        case 'Interface': {
          const name = quoted();
          let preference = DEFAULT_PREFERENCE;
          const after = next();
          if (after.text === '{' && !after.quoted) {
            for (let inner = next(); inner.text !== '}' || inner.quoted; inner = next()) {
              if (inner.text !== 'MnIfPreference') fail(inner);
              preference = number(1, 10);
              expect(';');
            }
          } else if (after.text !== ';' || after.quoted) {
            fail(after);
          }
          interfaces.push({ name, preference });
          break;
        }
        case 'MnHomeLink': {
          quoted();
          expect('{');
          for (let inner = next(); inner.text !== '}' || inner.quoted; inner = next()) {
            if (inner.text === 'HomeAgentAddress') homeAgent = address(false).address;
            else if (inner.text === 'HomeAddress') home = address(true);
            else fail(inner);
            expect(';');
          }
          break;
        }
        case 'MnMaxHaBindingLife':
          mnLife = number(0, MAX_BINDING_LIFE);
          expect(';');
          break;
        case 'HaMaxBindingLife':
          haLife = number(0, MAX_BINDING_LIFE);
          expect(';');
          break;
        case 'MnUseAllInterfaces':
        case 'UseMCoA':
        {
          // MnUseAllInterfaces enabled turns MCoA on; disabled leaves UseMCoA's choice.
          const value = bool();
          if (keyword.text === 'UseMCoA' || value) mcoa = value;
          expect(';');
        }
          break;
        case 'HaAcceptBulkRegistration':
          bulk = bool();
          expect(';');
          break;
        case 'DebugLevel':
          number(0, 10);
          expect(';');
          break;
        case 'DoRouteOptimizationMN':
          routeOptimisationMN = bool();
          expect(';');
          break;
        case 'DoRouteOptimizationCN':
          routeOptimisationCN = bool();
          expect(';');
          break;
        case 'UseMnHaIPsec':
        case 'KeyMngMobCapability':
          bool();
          expect(';');
          break;
        default:
          fail(keyword);
      }
    }
    if (role === 'HA') {
      if (interfaces.length === 0) return { error: `mip6d: ${path}: a home agent needs an Interface (its home link)` };
      return { role, homeAgent: { interfaces: interfaces.map((i) => i.name), maxBindingLife: haLife, multipleCareOf: mcoa, bulkRegistration: bulk } };
    }
    if (role === 'MN') {
      if (home === undefined || homeAgent === undefined) return { error: `mip6d: ${path}: MnHomeLink needs HomeAddress and HomeAgentAddress` };
      if (interfaces.length === 0) return { error: `mip6d: ${path}: a mobile node needs an Interface` };
      return {
        role,
        mobileNode: { homeAddress: home.address, homePrefixLength: home.prefixLength, homeAgent, interfaces, multipleCareOf: mcoa, maxBindingLife: mnLife, routeOptimisation: routeOptimisationMN },
      };
    }
    return { role: 'CN', correspondent: { routeOptimisation: routeOptimisationCN } };
  } catch (error) {
    if (error instanceof ConfigError) return { error: error.message };
    throw error;
  }
}
