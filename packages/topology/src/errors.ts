/**
 * Errors of topology files. Every problem is a TopologyIssue with the file, the 1-based line and
 * column of the offending YAML node, and a message saying what was expected; TopologyError carries
 * all of them, its `message` being the first one as `file:line:column: message` (the gcc/tsc
 * convention editors and terminals turn into links).
 */

export interface TopologyIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  /** What is wrong and what was expected, without the position prefix. */
  message: string;
}

/** `file:line:column: message`. */
export function formatIssue(issue: TopologyIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

export class TopologyError extends Error {
  override readonly name = 'TopologyError';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Every problem found, in file order; the first one is the message. At least one. */
  readonly errors: readonly TopologyIssue[];

  constructor(errors: readonly [TopologyIssue, ...TopologyIssue[]]) {
    const [first] = errors;
    super(formatIssue(first));
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.errors = errors;
  }
}
