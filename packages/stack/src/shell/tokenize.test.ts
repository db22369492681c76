/**
 * The node shell's redirection syntax as bash 5.2 reads it: operators attached or separate and
 * anywhere on the line, kept in the order written, quoting of targets, an unquoted `<`/`>` ending a
 * quoted word, and bash's syntax errors (checked with `bash -c` on Debian 12).
 */
import { describe, expect, test } from 'vitest';
import { tokenize, type Redirection, type TokenizedLine } from './tokenize.js';

const parsed = (words: string[], redirections: Redirection[] = []): { ok: true; line: TokenizedLine } => ({ ok: true, line: { words, redirections } });

describe('input redirection', () => {
  test('< FILE attached or separate, anywhere on the line', () => {
    expect(tokenize('ipvsadm -R < /root/rules')).toEqual(parsed(['ipvsadm', '-R'], [{ operator: '<', target: '/root/rules' }]));
    expect(tokenize('ipvsadm -R </root/rules')).toEqual(parsed(['ipvsadm', '-R'], [{ operator: '<', target: '/root/rules' }]));
    expect(tokenize('cat<rules')).toEqual(parsed(['cat'], [{ operator: '<', target: 'rules' }]));
    expect(tokenize('< rules ipvsadm -R')).toEqual(parsed(['ipvsadm', '-R'], [{ operator: '<', target: 'rules' }]));
  });

  test('< and > together keep the order they were written in', () => {
    expect(tokenize('cat < in > out')).toEqual(parsed(['cat'], [{ operator: '<', target: 'in' }, { operator: '>', target: 'out' }]));
    expect(tokenize('cat >>out <in -')).toEqual(parsed(['cat', '-'], [{ operator: '>>', target: 'out' }, { operator: '<', target: 'in' }]));
    expect(tokenize('cat < a < b')).toEqual(parsed(['cat'], [{ operator: '<', target: 'a' }, { operator: '<', target: 'b' }]));
  });

  test('quoted targets, quoted operators and an operator after a quoted word', () => {
    expect(tokenize(`cat < 'my rules' > "out file"`)).toEqual(parsed(['cat'], [{ operator: '<', target: 'my rules' }, { operator: '>', target: 'out file' }]));
    expect(tokenize(`echo '<' "a>b" \\< \\>`)).toEqual(parsed(['echo', '<', 'a>b', '<', '>']));
    expect(tokenize(`echo "a">f`)).toEqual(parsed(['echo', 'a'], [{ operator: '>', target: 'f' }]));
    expect(tokenize(`cat "a"</tmp/none`)).toEqual(parsed(['cat', 'a'], [{ operator: '<', target: '/tmp/none' }]));
  });

  test('here-strings, here-documents and <>', () => {
    expect(tokenize(`ipvsadm -R <<< '-A -u 10.0.0.1:53 -s rr'`)).toEqual(parsed(['ipvsadm', '-R'], [{ operator: '<<<', target: '-A -u 10.0.0.1:53 -s rr' }]));
    expect(tokenize(`cat<<<"a b"`)).toEqual(parsed(['cat'], [{ operator: '<<<', target: 'a b' }]));
    expect(tokenize(`cat <<EOF`)).toEqual(parsed(['cat'], [{ operator: '<<', target: 'EOF' }]));
    expect(tokenize(`cat <<- 'EOF'`)).toEqual(parsed(['cat'], [{ operator: '<<', target: 'EOF' }]));
    expect(tokenize(`cat <> f`)).toEqual(parsed(['cat'], [{ operator: '<>', target: 'f' }]));
  });

  test("a missing target is bash's syntax error naming the next token", () => {
    expect(tokenize('cat <')).toEqual({ ok: false, error: "syntax error near unexpected token `newline'" });
    expect(tokenize('cat <<< ')).toEqual({ ok: false, error: "syntax error near unexpected token `newline'" });
    expect(tokenize('cat < < f')).toEqual({ ok: false, error: "syntax error near unexpected token `<'" });
    expect(tokenize('cat > >> f')).toEqual({ ok: false, error: "syntax error near unexpected token `>>'" });
    expect(tokenize('cat < <<< x')).toEqual({ ok: false, error: "syntax error near unexpected token `<<<'" });
  });
});
