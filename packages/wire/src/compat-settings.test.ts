/**
 * The one list of compatibility settings: docs/compatibility.md has exactly one `## \`NAME\` — TITLE`
 * section per setting, with the list's title; each implementing module names its setting; names map
 * to switches and an unknown name throws.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { COMPAT_SETTING_INFO, COMPAT_SETTING_NAMES, compatSettingsOf, isCompatSettingName } from './compat-settings.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('compatibility settings', () => {
  test('docs/compatibility.md has one section per setting, titled as the list says', () => {
    const doc = readFileSync(`${ROOT}docs/compatibility.md`, 'utf8');
    const sections = [...doc.matchAll(/^## `([^`]+)` — (.+)$/gm)].map((m) => ({ name: m[1], title: m[2] }));
    expect(sections).toEqual(COMPAT_SETTING_INFO.map(({ name, title }) => ({ name, title })));
  });

  test('each setting is implemented where the list says', () => {
    for (const setting of COMPAT_SETTING_INFO) expect(readFileSync(`${ROOT}${setting.implementedIn}`, 'utf8')).toContain(setting.name);
  });

  test('names to switches', () => {
    expect(COMPAT_SETTING_NAMES).toEqual(['netbsd-2004', 'static-routes-survive-down', 'mip6-bu-first-default-route', 'mip6-checksum-over-coa', 'mip6-hao-swaps-source']);
    expect(compatSettingsOf(['static-routes-survive-down'])).toEqual({ 'static-routes-survive-down': true });
    expect(compatSettingsOf([])).toEqual({});
    expect(isCompatSettingName('netbsd-2004')).toBe(true);
    expect(isCompatSettingName('netbsd-2005')).toBe(false);
    expect(() => compatSettingsOf(['netbsd-2005'])).toThrow('unknown compatibility setting "netbsd-2005"');
  });
});
