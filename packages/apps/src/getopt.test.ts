import { describe, expect, it } from 'vitest';
import { getopt, glibcMessage } from './getopt.js';

const spec = { short: 'c:i:qn46', long: [{ name: 'count', argument: 'required', key: 'c' }, { name: 'echo', argument: 'none' }, { name: 'equal', argument: 'none' }] } as const;

describe('getopt', () => {
  it('splits clustered flags and an attached argument', () => {
    const r = getopt(['ping', '-qnc3', 'host'], spec);
    expect(r).toEqual({
      ok: true,
      operands: ['host'],
      operandIndexes: [2],
      options: [
        { key: 'q', spelling: '-q', optionIndex: 1 },
        { key: 'n', spelling: '-n', optionIndex: 1 },
        { key: 'c', spelling: '-c', value: '3', optionIndex: 1, valueIndex: 1 },
      ],
    });
  });

  it('takes a detached argument from the next word, even one starting with a dash', () => {
    const r = getopt(['ping', '-c', '-1', 'host'], spec);
    expect(r.ok && r.options[0]).toEqual({ key: 'c', spelling: '-c', value: '-1', optionIndex: 1, valueIndex: 2 });
    expect(r.ok && r.operands).toEqual(['host']);
  });

  it('permutes operands behind options like glibc, and stops at --', () => {
    const r = getopt(['ping', 'host', '-c', '2', '--', '-q'], spec);
    expect(r.ok && r.operands).toEqual(['host', '-q']);
    expect(r.ok && r.options.map((o) => o.key)).toEqual(['c']);
  });

  it('stops at the first operand without permutation', () => {
    const r = getopt(['x', 'host', '-q'], { ...spec, permute: false });
    expect(r.ok && r.operands).toEqual(['host', '-q']);
    expect(r.ok && r.options).toEqual([]);
  });

  it('keeps a lone dash as an operand', () => {
    const r = getopt(['x', '-', '-q'], spec);
    expect(r.ok && r.operands).toEqual(['-']);
  });

  it('parses long options with = or the next word, and unambiguous prefixes', () => {
    const a = getopt(['x', '--count=5', '--cou', '6', '--ec'], spec);
    expect(a.ok && a.options.map((o) => [o.key, o.value, o.spelling])).toEqual([
      ['c', '5', '--count'],
      ['c', '6', '--count'],
      ['echo', undefined, '--echo'],
    ]);
  });

  it('reports errors as values with glibc wording', () => {
    const cases: [string[], string][] = [
      [['x', '-Z'], "x: invalid option -- 'Z'"],
      [['x', '-qc'], "x: option requires an argument -- 'c'"],
      [['x', '--nope'], "x: unrecognized option '--nope'"],
      [['x', '--count'], "x: option '--count' requires an argument"],
      [['x', '--echo=1'], "x: option '--echo' doesn't allow an argument"],
      [['x', '--e'], "x: option '--e' is ambiguous; possibilities: '--echo' '--equal'"],
    ];
    for (const [argv, message] of cases) {
      const r = getopt(argv, spec);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(glibcMessage('x', r.error)).toBe(message);
    }
  });

  it('follows traceroute CLIF rules when asked: long arguments only with =, no argument inside a cluster', () => {
    const clif = { short: 'nq:m:', long: [{ name: 'max-hops', argument: 'attached', key: 'm' }], clusterArgumentsNeedNextWord: true } as const;
    expect(getopt(['t', '--max-hops=4', 'h'], clif)).toMatchObject({ ok: true, options: [{ key: 'm', value: '4' }] });
    expect(getopt(['t', '-n', '--max-hops', '4'], clif)).toMatchObject({ ok: false, error: { kind: 'missingArgument', option: '--max-hops', index: 2 } });
    expect(getopt(['t', '-nq1', 'h'], clif)).toMatchObject({ ok: false, error: { kind: 'missingArgument', option: 'q', index: 1 } });
    expect(getopt(['t', '-nq', '1', 'h'], clif)).toMatchObject({ ok: true, options: [{ key: 'n' }, { key: 'q', value: '1', valueIndex: 2 }] });
    expect(getopt(['t', '-q1', 'h'], clif)).toMatchObject({ ok: true, options: [{ key: 'q', value: '1', valueIndex: 1 }] });
  });

  it('records argv indexes of operands', () => {
    const r = getopt(['x', 'a', '-q', 'b', '--', 'c'], spec);
    expect(r.ok && r.operandIndexes).toEqual([1, 3, 5]);
  });

  it('records the argv index of the failing word', () => {
    const r = getopt(['x', '-q', 'host', '-Z'], spec);
    expect(!r.ok && r.error).toEqual({ kind: 'unknownOption', option: 'Z', index: 3 });
  });
});
