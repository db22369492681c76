/**
 * The shell's `ulimit -n [N]`: the open files limit (RLIMIT_NOFILE) the node shell gives the
 * processes it starts from then on, as bash's ulimit builtin sets its own limit for its children.
 * Without N it prints the soft limit; `ulimit -n N` sets the soft and the hard limit to N, as bash
 * does without -S or -H. The node shell is root (CAP_SYS_RESOURCE): it may raise the hard limit, up
 * to fs.nr_open (1048576); above it, or for `unlimited`, setrlimit is EPERM. Messages are bash
 * 5.2's (`bash: ulimit: abc: invalid number`, `bash: ulimit: open files: cannot modify limit:
 * Operation not permitted`, status 1; an unknown option, its usage and status 2); words after N are
 * passed over, as bash does.
 * Leaves out: every other resource, -S and -H, -a.
 */

/** fs.nr_open: the largest RLIMIT_NOFILE a process may have. */
export const NR_OPEN = 1048576;

const USAGE = 'ulimit: usage: ulimit [-SHabcdefiklmnpqrstuvxPRT] [limit]\n';

/** Where the limit lives: the node's process table. */
export interface OpenFilesLimit {
  openFilesLimit: number;
}

export function runUlimit(argv: readonly string[], limits: OpenFilesLimit): { stdout: string; stderr: string; status: number } {
  const [option, value] = argv.slice(1);
  // Without an option: -f, the file size, which nothing limits here.
  if (option === undefined) return { stdout: 'unlimited\n', stderr: '', status: 0 };
  // bash reads `-1` as an option, and takes the first operand only.
  const unknown = option !== '-n' ? option : value?.startsWith('-') === true ? value : undefined;
  if (unknown !== undefined) return { stdout: '', stderr: `bash: ulimit: ${unknown}: invalid option\n${USAGE}`, status: 2 };
  if (value === undefined) return { stdout: `${limits.openFilesLimit}\n`, stderr: '', status: 0 };
  if (value !== 'unlimited' && !/^[0-9]+$/.test(value)) return { stdout: '', stderr: `bash: ulimit: ${value}: invalid number\n`, status: 1 };
  const limit = value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value);
  if (limit > NR_OPEN) return { stdout: '', stderr: 'bash: ulimit: open files: cannot modify limit: Operation not permitted\n', status: 1 };
  limits.openFilesLimit = limit;
  return { stdout: '', stderr: '', status: 0 };
}
