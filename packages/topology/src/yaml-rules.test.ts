import { describe, expect, test } from 'vitest';
import { checkTopology, parseTopology } from './load.js';
import { MAX_ALIAS_EXPANSION, MAX_NESTING, MAX_YAML_TOKENS } from './yaml-rules.js';

const problems = (text: string): string[] => {
  const result = checkTopology(text, 'x.yaml');
  return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
};

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('nesting', () => {
  test(`${MAX_NESTING} levels are read (and then judged by the schema); one more is refused where it starts`, () => {
    expect(problems(`name: t\nnodes: { a: {} }\nx: ${nested(MAX_NESTING - 1)}\n`)[0]).toMatch(/^3:1: unknown key "x"/);
    expect(problems(`name: t\nnodes: { a: {} }\nx: ${nested(MAX_NESTING)}\n`)).toEqual([
      `3:${4 + MAX_NESTING - 1}: collections nested more than ${MAX_NESTING} levels deep; a topology file needs 5`,
    ]);
  });

  test('100,000 levels are refused without overflowing the stack, in flow and in block style', () => {
    expect(problems(`x: ${nested(90_000)}`)[0]).toMatch(/^1:\d+: (collections nested more than 64 levels deep|more than 200000 YAML tokens)/);
    expect(problems(`${'- '.repeat(50_000)}a\n`)).toEqual([`1:${2 * MAX_NESTING + 1}: collections nested more than 64 levels deep; a topology file needs 5`]);
  });

  test('of two structures too deep, the first in the file is reported', () => {
    expect(problems(`name: t\nnodes: { a: {} }\nx: ${nested(70)}\ny: ${nested(90)}\n`)).toEqual([
      `3:${4 + MAX_NESTING - 1}: collections nested more than ${MAX_NESTING} levels deep; a topology file needs 5`,
    ]);
  });

  test('aliases cannot nest deeper than the limit either', () => {
    // l0 is 40 lists deep; *l0 sits under the top mapping and 30 lists: 71 levels once expanded.
    const lines = ['name: t', 'nodes: { a: {} }', `l0: &l0 ${nested(40)}`, `l1: ${'['.repeat(30)}*l0${']'.repeat(30)}`];
    expect(problems(lines.join('\n'))).toEqual(['4:35: alias *l0 nests collections more than 64 levels deep']);
  });
});

describe('tokens', () => {
  test(`more than ${MAX_YAML_TOKENS} tokens are refused before they are parsed`, () => {
    // Six tokens come before the list's items (document and scalar markers, x, ":", " ", "[") and
    // three make each "1," (a scalar marker, 1, ","): token 200,001 is the comma of item 66,665.
    const item = (MAX_YAML_TOKENS + 1 - 6) / 3;
    expect(problems(`x: [${'1,'.repeat(MAX_YAML_TOKENS)}]\n`)).toEqual([
      `1:${4 + 2 * item}: more than ${MAX_YAML_TOKENS} YAML tokens; a topology file may have at most that many`,
    ]);
  });
});

describe('tags and directives', () => {
  test('!include and YAML 1.1 tags are refused at the tag; the core tags are read', () => {
    expect(problems('name: !include /etc/passwd\nnodes: { a: {} }\n')).toEqual([
      '1:7: unsupported tag !include: topology files take only the YAML 1.2 core tags !!str, !!int, !!float, !!bool, !!null, !!map, !!seq (there is no !include)',
    ]);
    expect(problems('name: t\nnodes: { a: { exec: !!set { x } } }\n')[0]).toMatch(/^2:21: unsupported tag !!set:/);
    expect(parseTopology('name: !!str 42\nseed: !!int "7"\nnodes: !!map { a: {} }\n', 'x.yaml')).toMatchObject({ name: '42', seed: 7 });
  });

  test('%YAML 1.1 and %TAG are refused; %YAML 1.2 is read', () => {
    expect(problems('%YAML 1.1\n---\nname: t\nnodes: { a: {} }\n')).toEqual([
      '1:1: %YAML 1.1 is not supported: topology files are YAML 1.2 (YAML 1.1 reads yes, no, 0777 and 1:20 differently)',
    ]);
    expect(problems('%TAG !e! tag:example.com,2000:\n---\nname: t\nnodes: { a: {} }\n')).toEqual([
      '1:1: directive %TAG is not supported; topology files take no directive but %YAML 1.2',
    ]);
    expect(problems('%YAML 1.2\n---\nname: t\nnodes: { a: {} }\n')).toEqual([]);
  });
});

describe('keys, anchors and aliases', () => {
  test('keys are the text written: node 1e3 is "1e3", not 1000; a list as a key is refused', () => {
    expect(parseTopology('name: t\nnodes: { 1e3: {}, 0x1f: {} }\n', 'x.yaml').nodes.map((n) => n.name)).toEqual(['1e3', '0x1f']);
    expect(problems('name: t\nnodes:\n  ? [a, b]\n  : {}\n')).toEqual(['3:5: a key must be text, not a list, a mapping or an alias']);
  });

  test('an anchor defined twice, an alias inside its own anchor', () => {
    expect(problems('name: t\nnodes: { a: &x {}, b: &x {} }\n')).toEqual([
      '2:26: anchor &x is defined twice (first on line 2); an alias would silently take the second',
    ]);
    expect(problems('name: t\nnodes: &n { a: *n }\n')).toEqual(['2:16: alias *n is inside the value it names (&n); it would repeat forever']);
  });

  test(`a billion laughs stops at ${MAX_ALIAS_EXPANSION} expanded values, at the alias that passes it`, () => {
    const laughs = [
      'name: t',
      'nodes: { a: {} }',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]',
    ];
    // Expanded, a is 11 values, b 111, c 1,111, d 11,111. The aliases in b, c and d add 110 + 1,110 +
    // 11,110; then each *d in e adds 11,111, and the 8th passes 100,000 (101,218).
    expect(problems(laughs.join('\n'))).toEqual([
      `7:${8 + 4 * 7}: aliases expand to more than ${MAX_ALIAS_EXPANSION} values in all; a topology file may not grow that much through aliases`,
    ]);
  });

  test('<< merges only mappings', () => {
    expect(problems('name: t\nnodes: { a: { <<: [x] } }\n')).toEqual([
      '2:20: the merge key << takes a mapping or an alias of one (<<: *defaults), got "x"',
    ]);
  });
});
