import { describe, expect, test } from 'vitest';
import { listOperators, parseExecLine } from './exec-line.js';
import { checkTopology } from './load.js';

describe('a trailing "|| true" lets a topology command fail', () => {
  test.each([
    ['ip route del 10.9.0.0/16 || true', 'ip route del 10.9.0.0/16'],
    ['ip route del 10.9.0.0/16||true', 'ip route del 10.9.0.0/16'],
    ['ip link set eth3 up   ||   true  ', 'ip link set eth3 up'],
    ["echo 'a || b' || true", "echo 'a || b'"],
  ])('%s runs %s and may fail', (line, cmd) => {
    expect(parseExecLine(line)).toEqual({ cmd, mayFail: true });
  });

  test.each([
    'ip route del 10.9.0.0/16',
    'echo "x || true"', // quoted: one word for echo
    "echo 'x || true'",
    'echo x \\|\\| true', // escaped: words for echo
    'ip route del 10.9.0.0/16 || truex',
    'ip route del 10.9.0.0/16 || false',
    'ip route del 10.9.0.0/16 | true',
    'true || true && false',
  ])('%s is left as it is and must succeed', (line) => {
    expect(parseExecLine(line)).toEqual({ cmd: line, mayFail: false });
  });

  test('list operators are found outside quotes and escapes only', () => {
    expect(listOperators(`a && b "c && d" 'e || f' g \\&\\& h || i`)).toEqual([
      { index: 2, operator: '&&' },
      { index: 34, operator: '||' },
    ]);
  });
});

describe('other list operators in exec lines and event commands are errors at load time', () => {
  const file = (exec: string, event = 'ip link set eth0 up') =>
    [
      'name: lists',
      'nodes:',
      '  h1:',
      '    exec:',
      `      - ${exec}`,
      'links: [{ endpoints: [h1:eth0, h1:eth1] }]',
      'events:',
      `  - { at: 1s, node: h1, cmd: "${event}" }`,
      '',
    ].join('\n');

  test('an "&&" is reported at its column', () => {
    const result = checkTopology(file('ip link set eth0 up && ip addr add 10.0.0.1/24 dev eth0'), 'lists.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`)).toEqual([
      '5:29: the node shell has no "&&" lists; the one form understood is a trailing "|| true" (this line may fail)',
    ]);
  });

  test('an "||" other than a trailing "|| true" is reported, also in an event', () => {
    const result = checkTopology(file('ip route del 10.9.0.0/16 || true', 'ping -c 1 10.0.0.2 || echo lost'), 'lists.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`)).toEqual([
      '8:50: the node shell has no "||" lists; the one form understood is a trailing "|| true" (this line may fail)',
    ]);
  });

  test('a trailing "|| true" loads, and the address check still sees the command', () => {
    const result = checkTopology(file('ip addr add 10.0.0.300/24 dev eth0 || true'), 'lists.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.message).toMatch(/^bad address "10\.0\.0\.300\/24" in "ip addr add"/);
  });
});
