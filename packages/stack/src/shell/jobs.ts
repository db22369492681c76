/**
 * Background jobs of the node shell: `CMD &` starts CMD and returns at once (status 0, as a
 * non-interactive bash does, printing nothing); `jobs` lists them as bash does
 * (`[1]+  Running                 udpsend 193.71.2.52 9 &`, `Done`, `Exit N`); `kill %N` and
 * `kill PID`-less forms interrupt one (Ctrl-C semantics: a program prints what it prints on SIGINT).
 * Leaves out `fg`, `bg`, `wait`, process ids and signals other than SIGINT.
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
