/**
 * `ipvsadm-save` and `ipvsadm-restore` as Debian's ipvsadm 1.31-1 ships them: two bash scripts
 * over ipvsadm.ts's -S and -R, run here as what they run.
 *
 * ipvsadm-save [-n]: `ipvsadm -S [-n]`; any other word starting with `-` prints the script's help
 * (`ipvsadm-save: Script to save the IPVS table to stdout.` and the -n line) on stderr with status
 * 1, other words are ignored (its `for arg … case`).
 * ipvsadm-restore: reads standard input, leaves out the lines starting with `#` (`grep -v '^#'`:
 * ipvsadm -R would take `#` as an option), clears the table (`ipvsadm -C`) and gives the rest to
 * `ipvsadm -R` (`echo "$INPUT" |`: trailing newlines cut, one added); its status is -R's, its
 * arguments are ignored. With no input (end of file at once) it leaves an empty table, as the
 * script does under `< /dev/null`.
 */
import type { Ipvs } from './ipvs.js';
import { ipvsadm, type IpvsadmResult } from './ipvsadm.js';

export function ipvsadmSave(argv: readonly string[], ipvs: Ipvs, now: number): IpvsadmResult {
  const script = (argv[0] ?? 'ipvsadm-save').split('/').pop();
  let numeric = false;
  for (const arg of argv.slice(1)) {
    if (arg === '-n') numeric = true;
    else if (arg.startsWith('-')) {
      return { stdout: '', stderr: `${script}: Script to save the IPVS table to stdout.\n   With the -n option, prints out the table in numeric format.\n`, status: 1 };
    }
  }
  return ipvsadm(numeric ? ['ipvsadm', '-S', '-n'] : ['ipvsadm', '-S'], ipvs, now);
}

export function ipvsadmRestore(ipvs: Ipvs, now: number, stdin: string): IpvsadmResult {
  const lines = stdin.split('\n');
  if (stdin.endsWith('\n')) lines.pop();
  const input = lines
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .replace(/\n+$/, '');
  const clear = ipvsadm(['ipvsadm', '-C'], ipvs, now);
  const restore = ipvsadm(['ipvsadm', '-R'], ipvs, now, { stdin: `${input}\n` });
  return { stdout: clear.stdout + restore.stdout, stderr: clear.stderr + restore.stderr, status: restore.status };
}
