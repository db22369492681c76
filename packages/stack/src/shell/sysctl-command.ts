/**
 * `sysctl` as procps-ng 4.0.2 behaves for the net.ipv4 and net.ipv6 trees: NAME, NAME=VALUE (with or without -w),
 * -n, -q, -e, -a/-A/-X, directories (prints every key below), slashes as separators, and its error
 * texts and exit statuses: reading adds 1 per missing key (`sysctl a.b c.d` exits 2), writing exits 1
 * when any key is missing or a value is refused; -e drops both the message and the status of a missing
 * key, -q only silences the echo of a value set. A name the tree does not know is never read as 0.
 * A key that exists but reads EIO (an unset net.ipv6.conf.*.stable_secret) fails silently, and so
 * does a directory holding one directly (not one further down: `sysctl net.ipv6` exits 0).
 */
import type { Kernel } from '../kernel.js';
import { formatProcValue } from '../sysctl/proc-handlers.js';

const USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h
  -h, --help           display this help and exit
  -V, --version        output version information and exit

For more details see sysctl(8).
`;

export interface CommandOutput {
  stdout: string;
  stderr: string;
  status: number;
}

export function runSysctl(kernel: Kernel, argv: string[]): CommandOutput {
  let stdout = '';
  let stderr = '';
  let status = 0;
  let valuesOnly = false;
  let quiet = false;
  let all = false;
  let namesOnly = false;
  let ignore = false;
  const targets: string[] = [];
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-') && arg.length > 1 && !arg.startsWith('--')) {
      for (const flag of arg.slice(1)) {
        if (flag === 'n') valuesOnly = true;
        else if (flag === 'q') quiet = true;
        else if (flag === 'a' || flag === 'A' || flag === 'X') all = true;
        else if (flag === 'N') namesOnly = true;
        else if (flag === 'e') ignore = true;
        else if (flag === 'w' || flag === 'o' || flag === 'x') continue;
        else if (flag === 'V') return { stdout: 'sysctl from procps-ng 4.0.2\n', stderr: '', status: 0 };
        else if (flag === 'h' || flag === 'd') return { stdout: USAGE, stderr: '', status: 0 };
        else return { stdout: '', stderr: `sysctl: invalid option -- '${flag}'\n${USAGE}`, status: 1 };
      }
    } else if (arg === '--all') all = true;
    else if (arg === '--values') valuesOnly = true;
    else if (arg === '--quiet') quiet = true;
    else if (arg === '--names') namesOnly = true;
    else if (arg === '--ignore') ignore = true;
    else if (arg === '--write') continue;
    else targets.push(arg);
  }
  const tree = kernel.sysctls;
  const show = (name: string, value: number): void => {
    if (namesOnly) stdout += `${name}\n`;
    else if (valuesOnly) stdout += `${formatProcValue(value)}\n`;
    else stdout += `${name} = ${formatProcValue(value)}\n`;
  };
  if (all) {
    for (const [name, value] of tree.list()) show(name, value);
    return { stdout, stderr, status };
  }
  if (targets.length === 0) {
    if (argv.length > 1) return { stdout: '', stderr: "sysctl: no variables specified\nTry `sysctl --help' for more information.\n", status: 1 };
    return { stdout: '', stderr: USAGE, status: 1 };
  }
  const writeMode = argv.slice(1).some((a) => a === '-w' || a === '--write' || (a.startsWith('-') && !a.startsWith('--') && a.includes('w')));
  for (const target of targets) {
    const eq = target.indexOf('=');
    const key = eq < 0 ? target : target.slice(0, eq);
    const name = key.includes('/') ? key.replace(/\//g, '.') : key;
    if (eq < 0) {
      if (writeMode) {
        stderr += `sysctl: command line(0): invalid syntax, continuing...\n`;
        status = 1;
        continue;
      }
      const value = tree.get(name);
      if (value !== undefined) {
        show(name, value);
        continue;
      }
      if (tree.isWriteOnly(name)) continue;
      const unreadable = tree.unreadableKeys();
      // A key that reads EIO: procps says nothing and fails; a directory fails when one sits directly in it.
      if (unreadable.includes(name)) {
        status += 1;
        continue;
      }
      if (tree.isDirectory(name)) {
        for (const [key, v] of tree.list()) if (key.startsWith(name + '.')) show(key, v);
        if (unreadable.some((key) => key.startsWith(name + '.') && !key.slice(name.length + 1).includes('.'))) status += 1;
        continue;
      }
      if (!ignore) {
        stderr += `sysctl: cannot stat ${procPath(name)}: No such file or directory\n`;
        status += 1;
      }
      continue;
    }
    // procps trims the blanks around the value before writing and echoing it.
    const valueText = trimBlanks(target.slice(eq + 1));
    if (tree.get(name) === undefined && !tree.isWriteOnly(name)) {
      if (!ignore) {
        stderr += `sysctl: cannot stat ${procPath(name)}: No such file or directory\n`;
        status = 1;
      }
      continue;
    }
    const result = tree.write(name, valueText);
    if (result === 'EPERM') {
      stderr += `sysctl: setting key "${name}": Invalid argument\n`;
      continue;
    }
    if (result !== 'ok') {
      stderr += `sysctl: setting key "${name}": Invalid argument\n`;
      status = 1;
      continue;
    }
    if (!quiet) {
      if (valuesOnly) stdout += `${valueText}\n`;
      else stdout += `${name} = ${valueText}\n`;
    }
  }
  return { stdout, stderr, status };
}

/** The /proc/sys file of a key, for error texts only. */
function procPath(name: string): string {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

/** The text without the spaces and tabs at either end (what procps trims; other blanks stay). */
function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
