/**
 * Background jobs of the node shell: `CMD &` starts CMD and returns at once (status 0, as a
 * non-interactive bash does, printing nothing); `jobs` lists them as bash does
 * (`[1]+  Running                 udpsend 193.71.2.52 9 &`, `Done`, `Exit N`); `kill %N` and
 * `kill PID`-less forms interrupt one (Ctrl-C semantics: a program prints what it prints on SIGINT).
 * `kill` parses its arguments as bash 5.2's builtin does: `-s SIG`, `-n NUM`, `-SIG`, `-NUM`, `--`,
 * signal names with or without SIG in any case, `-l`/`-L` (the table, a name's number, a number's
 * name, 128+N), and its errors (`invalid signal specification`, `option requires an argument`,
 * `arguments must be process or job IDs`, `(PID) - No such process`, the usage with status 2).
 * Leaves out `fg`, `bg`, `wait` and process ids; every signal reaches a job as SIGINT (the programs
 * know no other), which is where a real program killed by SIGKILL or SIGTERM would say nothing.
 */
import type { CommandHandle } from '../node-host.js';

interface Job {
  id: number;
  command: string;
  state: { running: true } | { running: false; status: number };
  handle: CommandHandle;
}

export class JobTable {
  private readonly jobs: Job[] = [];
  private nextId = 1;

  /**
   * Start a job: `launch` receives the exit callback and returns the command's handle (it may call
   * `exit` synchronously, before returning).
   */
  start(command: string, launch: (exit: (status: number) => void) => CommandHandle): number {
    const job: Job = { id: this.nextId++, command, state: { running: true }, handle: { interrupt: () => {} } };
    this.jobs.push(job);
    job.handle = launch((status) => {
      job.state = { running: false, status };
    });
    return job.id;
  }

  /** bash's `jobs` listing; finished jobs are reported once and then forgotten. */
  list(): string {
    let out = '';
    const current = this.jobs.length - 1;
    this.jobs.forEach((job, index) => {
      const mark = index === current ? '+' : index === current - 1 ? '-' : ' ';
      const state = job.state.running ? 'Running' : job.state.status === 0 ? 'Done' : `Exit ${job.state.status}`;
      out += `[${job.id}]${mark}  ${state.padEnd(24)}${job.command}${job.state.running ? ' &' : ''}\n`;
    });
    for (let i = this.jobs.length - 1; i >= 0; i--) if (!this.jobs[i]!.state.running) this.jobs.splice(i, 1);
    return out;
  }

  /** `kill %N`: interrupt job N. Returns bash's error text when there is no such job. */
  kill(spec: string): string | null {
    const m = /^%(\d+)$/.exec(spec);
    const job = m ? this.jobs.find((j) => j.id === Number(m[1]) && j.state.running) : undefined;
    if (!job) return `bash: kill: ${spec}: no such job\n`;
    job.handle.interrupt();
    return null;
  }
}

/** Linux signal names by number (bash's `kill -l`); 32 and 33 are glibc's and have none. */
const SIGNAL_NAMES: readonly (string | null)[] = [
  'EXIT', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM',
  'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS',
  null, null,
  ...Array.from({ length: 16 }, (_, i) => (i === 0 ? 'RTMIN' : `RTMIN+${i}`)),
  ...Array.from({ length: 15 }, (_, i) => (i === 14 ? 'RTMAX' : `RTMAX-${14 - i}`)),
];

const KILL_USAGE = 'kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n';

/** bash's decode_signal: a number 0..64, or a name with or without SIG in any case. */
function decodeSignal(spec: string): number | null {
  if (/^\d+$/.test(spec)) {
    const n = Number(spec);
    return n < SIGNAL_NAMES.length ? n : null;
  }
  const name = spec.toUpperCase().replace(/^SIG/, '');
  const n = SIGNAL_NAMES.indexOf(name);
  return n > 0 ? n : null;
}

/** `kill -l` without arguments: five `NN) SIGNAME` to a line, tab-separated. */
function signalTable(): string {
  const cells: string[] = [];
  SIGNAL_NAMES.forEach((name, n) => {
    if (n > 0 && name !== null) cells.push(`${String(n).padStart(2)}) SIG${name}`);
  });
  let out = '';
  for (let i = 0; i < cells.length; i += 5) out += `${cells.slice(i, i + 5).join('\t')}${i + 5 >= cells.length ? '\t' : ''}\n`;
  return out;
}

/** `kill -l [SPEC…]`: names for numbers (128+N too), numbers for names. */
function listSignals(specs: readonly string[]): { stdout: string; stderr: string; status: number } {
  if (specs.length === 0) return { stdout: signalTable(), stderr: '', status: 0 };
  let stdout = '';
  let stderr = '';
  let status = 0;
  for (const spec of specs) {
    if (/^\d+$/.test(spec)) {
      let n = Number(spec);
      if (n > 128) n -= 128;
      if (n >= SIGNAL_NAMES.length) {
        stderr += `bash: kill: ${spec}: invalid signal specification\n`;
        status = 1;
      } else if (SIGNAL_NAMES[n] !== null) stdout += `${SIGNAL_NAMES[n]}\n`;
      continue;
    }
    const n = decodeSignal(spec);
    if (n === null) {
      stderr += `bash: kill: ${spec}: invalid signal specification\n`;
      status = 1;
    } else stdout += `${n}\n`;
  }
  return { stdout, stderr, status };
}

/** bash's `kill` builtin over the job table (see the module comment for what a signal does). */
export function runKill(jobs: JobTable, argv: readonly string[]): { stdout: string; stderr: string; status: number } {
  const fail = (message: string): { stdout: string; stderr: string; status: number } => ({ stdout: '', stderr: `bash: kill: ${message}\n`, status: 1 });
  let i = 1;
  let sawSignal = false;
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === '-l' || word === '-L') return listSignals(argv.slice(i + 1));
    if (word === '-s' || word === '-n') {
      const spec = argv[i + 1];
      if (spec === undefined) return fail(`${word}: option requires an argument`);
      if (decodeSignal(spec) === null) return fail(`${spec}: invalid signal specification`);
      sawSignal = true;
      i += 2;
    } else if (word === '--') {
      i++;
      break;
    } else if (word.startsWith('-') && word.length > 1 && !sawSignal) {
      const spec = word.slice(1);
      if (decodeSignal(spec) === null) return fail(`${spec}: invalid signal specification`);
      sawSignal = true;
      i++;
    } else break;
  }
  const operands = argv.slice(i);
  if (operands.length === 0) return { stdout: '', stderr: KILL_USAGE, status: 2 };
  let stderr = '';
  for (const operand of operands) {
    if (operand.startsWith('%')) stderr += jobs.kill(operand) ?? '';
    else if (/^-?\d+$/.test(operand)) stderr += `bash: kill: (${operand}) - No such process\n`;
    else stderr += `bash: kill: ${operand}: arguments must be process or job IDs\n`;
  }
  return { stdout: '', stderr, status: stderr === '' ? 0 : 1 };
}
