/**
 * Command-line option parsing shared by every program in this package.
 *
 * Covers POSIX getopt(3) semantics as glibc implements them: clustered flags (`-qn`), option
 * arguments attached (`-c3`) or in the next word (`-c 3`), `--` ending the options, a lone `-` as an
 * operand, GNU long options (`--count=3`, `--count 3`, unambiguous prefixes) and glibc's default
 * argument permutation (operands may come before options) unless `permute: false`.
 * Errors are values, never exceptions; each program turns them into its real tool's text
 * (`glibcMessage` gives glibc's own wording, which iputils prints; traceroute words its own).
 * Leaves out: optional arguments for short options (`::`), POSIXLY_CORRECT and `W;`.
 */

export interface LongOption {
  /** Name without the leading `--`. */
  name: string;
  /**
   * Whether the option takes an argument: `required` (`--x=v` or `--x v`), `attached` (only
   * `--x=v`, as traceroute's CLIF parser wants), `optional` (only `--x=v`, may be absent) or `none`.
   */
  argument: 'none' | 'required' | 'attached' | 'optional';
  /** What the parsed option is reported as; defaults to `name`. A short letter may be given to alias. */
  key?: string;
}

export interface OptionSpec {
  /** getopt(3) option string: letters, a letter followed by `:` takes an argument. */
  short: string;
  long?: readonly LongOption[];
  /** glibc permutes operands behind options by default; `false` stops at the first operand. */
  permute?: boolean;
  /**
   * CLIF (traceroute) rule: an option taking an argument that is not the first letter of its
   * word cannot take the rest of the word (`-nq1` is a missing argument; `-q1` and `-nq 1` work).
   */
  clusterArgumentsNeedNextWord?: boolean;
}

export interface ParsedOption {
  /** The short letter, or the long option's key. */
  key: string;
  /** How the user spelled it: `-c` or `--count`. */
  spelling: string;
  value?: string;
  /** argv index (argv[0] is the program name) of the word holding the option. */
  optionIndex: number;
  /** argv index of the word holding the value, when there is a value. */
  valueIndex?: number;
}

export type GetoptError =
  | { kind: 'unknownOption'; option: string; index: number }
  | { kind: 'missingArgument'; option: string; index: number }
  | { kind: 'unexpectedArgument'; option: string; index: number }
  | { kind: 'ambiguousOption'; option: string; candidates: string[]; index: number };

export type GetoptResult =
  | { ok: true; options: ParsedOption[]; operands: string[]; operandIndexes: number[] }
  | { ok: false; error: GetoptError; options: ParsedOption[] };

interface ShortInfo {
  takesArgument: boolean;
}

function shortTable(short: string): Map<string, ShortInfo> {
  const table = new Map<string, ShortInfo>();
  for (let i = 0; i < short.length; i++) {
    const letter = short[i];
    if (letter === undefined || letter === ':' || letter === '+' || letter === '-') continue;
    table.set(letter, { takesArgument: short[i + 1] === ':' });
  }
  return table;
}

function findLong(
  longs: readonly LongOption[],
  name: string,
): { option: LongOption } | { candidates: string[] } | null {
  const exact = longs.find((o) => o.name === name);
  if (exact) return { option: exact };
  const prefixed = longs.filter((o) => o.name.startsWith(name));
  if (prefixed.length === 1 && prefixed[0]) return { option: prefixed[0] };
  if (prefixed.length > 1) return { candidates: prefixed.map((o) => o.name) };
  return null;
}

/** Parse `argv` (argv[0] is the program name) against `spec`. */
export function getopt(argv: readonly string[], spec: OptionSpec): GetoptResult {
  const shorts = shortTable(spec.short);
  const longs = spec.long ?? [];
  const permute = spec.permute ?? !spec.short.startsWith('+');
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  const operandIndexes: number[] = [];
  const takeRest = (from: number): void => {
    for (let k = from; k < argv.length; k++) {
      operands.push(argv[k] ?? '');
      operandIndexes.push(k);
    }
  };

  let i = 1;
  while (i < argv.length) {
    const word = argv[i] ?? '';
    if (word === '--') {
      takeRest(i + 1);
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      if (!permute) {
        takeRest(i);
        break;
      }
      operands.push(word);
      operandIndexes.push(i);
      i++;
      continue;
    }
    if (word.startsWith('--')) {
      const body = word.slice(2);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const found = findLong(longs, name);
      if (found === null) {
        return { ok: false, error: { kind: 'unknownOption', option: word, index: i }, options };
      }
      if ('candidates' in found) {
        return {
          ok: false,
          error: { kind: 'ambiguousOption', option: word, candidates: found.candidates, index: i },
          options,
        };
      }
      const { option } = found;
      const spelling = `--${option.name}`;
      const key = option.key ?? option.name;
      if (eq >= 0) {
        if (option.argument === 'none') {
          return { ok: false, error: { kind: 'unexpectedArgument', option: spelling, index: i }, options };
        }
        options.push({ key, spelling, value: body.slice(eq + 1), optionIndex: i, valueIndex: i });
        i++;
        continue;
      }
      if (option.argument === 'attached') {
        return { ok: false, error: { kind: 'missingArgument', option: spelling, index: i }, options };
      }
      if (option.argument === 'required') {
        const value = argv[i + 1];
        if (value === undefined) {
          return { ok: false, error: { kind: 'missingArgument', option: spelling, index: i }, options };
        }
        options.push({ key, spelling, value, optionIndex: i, valueIndex: i + 1 });
        i += 2;
        continue;
      }
      options.push({ key, spelling, optionIndex: i });
      i++;
      continue;
    }
    // A cluster of short options: -qn, -c3, -qc 3.
    let consumedNext = false;
    for (let j = 1; j < word.length; j++) {
      const letter = word[j] ?? '';
      const info = shorts.get(letter);
      if (info === undefined) {
        return { ok: false, error: { kind: 'unknownOption', option: letter, index: i }, options };
      }
      if (!info.takesArgument) {
        options.push({ key: letter, spelling: `-${letter}`, optionIndex: i });
        continue;
      }
      if (j + 1 < word.length) {
        if (spec.clusterArgumentsNeedNextWord && j > 1) {
          return { ok: false, error: { kind: 'missingArgument', option: letter, index: i }, options };
        }
        options.push({ key: letter, spelling: `-${letter}`, value: word.slice(j + 1), optionIndex: i, valueIndex: i });
      } else {
        const value = argv[i + 1];
        if (value === undefined) {
          return { ok: false, error: { kind: 'missingArgument', option: letter, index: i }, options };
        }
        options.push({ key: letter, spelling: `-${letter}`, value, optionIndex: i, valueIndex: i + 1 });
        consumedNext = true;
      }
      break;
    }
    i += consumedNext ? 2 : 1;
  }
  return { ok: true, options, operands, operandIndexes };
}

/** glibc getopt's own diagnostic for `error`, prefixed with the program name. */
export function glibcMessage(program: string, error: GetoptError): string {
  switch (error.kind) {
    case 'unknownOption':
      return error.option.startsWith('--')
        ? `${program}: unrecognized option '${error.option}'`
        : `${program}: invalid option -- '${error.option}'`;
    case 'missingArgument':
      return error.option.startsWith('--')
        ? `${program}: option '${error.option}' requires an argument`
        : `${program}: option requires an argument -- '${error.option}'`;
    case 'unexpectedArgument':
      return `${program}: option '${error.option}' doesn't allow an argument`;
    case 'ambiguousOption':
      return `${program}: option '${error.option}' is ambiguous; possibilities: ${error.candidates
        .map((c) => `'--${c}'`)
        .join(' ')}`;
  }
}
