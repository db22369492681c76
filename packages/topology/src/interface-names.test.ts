/**
 * Interface names as Linux's dev_valid_name() judges them, checked against the kernel itself where
 * the rules are the same (`ip link add NAME type veth` in a network namespace of the test's own),
 * and the places where netloom is stricter on purpose: characters a terminal would act on, and "%",
 * which the kernel reads as a template.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { needs } from '@netloom/wire/testing/test-environment';
import { interfaceNameProblem } from './schema.js';

/** Names whose verdict is the same in netloom and in Linux. */
const SAME_AS_LINUX: [name: string, valid: boolean][] = [
  ['eth0', true],
  ['123456789012345', true], // 15 bytes
  ['1234567890123456', false], // 16 bytes
  ['ethé', true], // é is C3 A9
  ['ééééééé', true], // 14 bytes
  ['éééééééé', false], // 16 bytes in 8 characters
  ['eth🙂', true],
  ['ethà', false], // à is C3 A0, and isspace(0xA0) is true in the kernel's ctype
  ['\u00a0x', false],
  ['.', false],
  ['..', false],
  ['...', true],
  ['a/b', false],
  ['a:b', false],
  ['a b', false],
  ['a\tb', false],
  ['-x', true],
  ['e"x', true],
];

/** Names Linux takes that netloom refuses, and why. */
const STRICTER: [name: string, reason: string][] = [
  ['e\u001bx', 'contains the control character U+001B (ESC); expected printable characters only'],
  ['e\u007fx', 'contains the control character U+007F (DEL); expected printable characters only'],
  ['e\u202ex', 'contains the unprintable character U+202E; expected printable characters only'],
  ['eth%d', 'may not contain "%": Linux reads such a name as a template (eth%d) and picks a number for it'],
];

describe('interface names', () => {
  test('the verdicts and messages netloom gives', () => {
    expect(SAME_AS_LINUX.map(([name]) => [name, interfaceNameProblem(name)])).toEqual([
      ['eth0', null],
      ['123456789012345', null],
      ['1234567890123456', 'is 16 bytes; Linux allows at most 15 (IFNAMSIZ 16 with the NUL)'],
      ['ethé', null],
      ['ééééééé', null],
      ['éééééééé', 'is 16 bytes; Linux allows at most 15 (IFNAMSIZ 16 with the NUL)'],
      ['eth🙂', null],
      ['ethà', `may not contain "à": its UTF-8 bytes C3 A0 hold 0xA0, which Linux's isspace() counts as a space`],
      ['\u00a0x', 'may not contain "/", ":" or whitespace'],
      ['.', 'is not allowed by Linux'],
      ['..', 'is not allowed by Linux'],
      ['...', null],
      ['a/b', 'may not contain "/", ":" or whitespace'],
      ['a:b', 'may not contain "/", ":" or whitespace'],
      ['a b', 'may not contain "/", ":" or whitespace'],
      ['a\tb', 'contains the control character U+0009 (TAB); expected printable characters only'],
      ['-x', null],
      ['e"x', null],
    ]);
    for (const [name, reason] of STRICTER) expect(interfaceNameProblem(name), name).toBe(reason);
    expect(interfaceNameProblem('')).toBe('is empty');
  });
});

const kernel = needs({ netns: true });
const namespace = `nl-ifname-${process.pid}`;

/** Whether the kernel creates a veth with this name (its peer gets a plain name). */
function linuxAccepts(name: string, index: number): boolean {
  const add = spawnSync('ip', ['-n', namespace, 'link', 'add', 'name', name, 'type', 'veth', 'peer', 'name', `peer${index}`]);
  if (add.status !== 0) return false;
  spawnSync('ip', ['-n', namespace, 'link', 'del', `peer${index}`]);
  return true;
}

kernel.describe('interface names on the real kernel', () => {
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', namespace]);
  });

  test('Linux accepts and refuses the same names as netloom where the rules are the same', () => {
    expect(spawnSync('ip', ['netns', 'add', namespace]).status).toBe(0);
    const linux = SAME_AS_LINUX.map(([name], i) => [name, linuxAccepts(name, i)]);
    expect(linux).toEqual(SAME_AS_LINUX);
  });

  test('Linux takes the names netloom refuses on purpose', () => {
    spawnSync('ip', ['netns', 'add', namespace]);
    expect(STRICTER.map(([name], i) => [name, linuxAccepts(name, 100 + i)])).toEqual(STRICTER.map(([name]) => [name, true]));
  });
});
