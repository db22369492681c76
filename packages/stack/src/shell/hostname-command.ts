/**
 * `hostname` as Debian's hostname 3.23 answers it: no argument prints the name; `hostname NAME`
 * (or `hostname -- NAME`) sets it after check_name (letters, digits, `-` and `.`, no `..`, not
 * starting or ending with `.` or `-`: `the specified hostname is invalid`) and sethostname's
 * HOST_NAME_MAX of 64 (`name too long`), both exit 1; `-s` prints the name up to its first dot; `-V`.
 * A second operand prints the usage on stderr and an unknown option `invalid option` on stderr and
 * the usage on stdout, both exit 255 (checked with unshare --uts). Leaves out the look-ups (-f, -d,
 * -i, -a, -A, -I), -b, -F and the NIS names.
 */
import type { Kernel } from '../kernel.js';
import type { CommandOutput } from './sysctl-command.js';

/** sethostname's limit (HOST_NAME_MAX). */
const HOST_NAME_MAX = 64;

const USAGE = `Usage: hostname [-b] {hostname|-F file}         set host name (from file)
       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted name
       hostname                                 display host name

       {yp,nis,}domainname {nisdomain|-F file}  set NIS domain name (from file)
       {yp,nis,}domainname                      display NIS domain name

       dnsdomainname                            display dns domain name

       hostname -V|--version|-h|--help          print info and exit

Program name:
       {yp,nis,}domainname=hostname -y
       dnsdomainname=hostname -d

Program options:
    -a, --alias            alias names
    -A, --all-fqdns        all long host names (FQDNs)
    -b, --boot             set default hostname if none available
    -d, --domain           DNS domain name
    -f, --fqdn, --long     long host name (FQDN)
    -F, --file             read host name or NIS domain name from given file
    -i, --ip-address       addresses for the host name
    -I, --all-ip-addresses all addresses for the host
    -s, --short            short host name
    -y, --yp, --nis        NIS/YP domain name

Description:
   This command can get or set the host name or the NIS domain name. You can
   also get the DNS domain or the FQDN (fully qualified domain name).
   Unless you are using bind or NIS for host lookups you can change the
   FQDN (Fully Qualified Domain Name) and the DNS domain name (which is
   part of the FQDN) in the /etc/hosts file.
`;

/** hostname's check_name (RFC 1123 letters, digits, hyphens and dots). */
export function isValidHostname(name: string): boolean {
  return /^[A-Za-z0-9.-]*$/.test(name) && !name.includes('..') && !/^[.-]|[.-]$/.test(name) && name !== '';
}

export function runHostname(kernel: Kernel, argv: readonly string[]): CommandOutput {
  const operands: string[] = [];
  let short = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-s' || arg === '--short') short = true;
    else if (arg === '-V' || arg === '--version') return { stdout: 'hostname 3.23\n', stderr: '', status: 0 };
    else if (arg === '-h' || arg === '--help') return { stdout: USAGE, stderr: '', status: 0 };
    else if (arg.startsWith('-') && arg !== '-') {
      const option = arg.startsWith('--') ? `unrecognized option '${arg}'` : `invalid option -- '${arg.charAt(1)}'`;
      return { stdout: USAGE, stderr: `hostname: ${option}\n`, status: 255 };
    } else operands.push(arg);
  }
  operands.push(...argv.slice(i));
  if (operands.length > 1) return { stdout: '', stderr: USAGE, status: 255 };
  const name = operands[0];
  if (name === undefined) {
    const shown = short ? kernel.hostname.split('.')[0]! : kernel.hostname;
    return { stdout: `${shown}\n`, stderr: '', status: 0 };
  }
  if (!isValidHostname(name)) return { stdout: '', stderr: 'hostname: the specified hostname is invalid\n', status: 1 };
  if (new TextEncoder().encode(name).length > HOST_NAME_MAX) return { stdout: '', stderr: 'hostname: name too long\n', status: 1 };
  kernel.hostname = name;
  return { stdout: '', stderr: '', status: 0 };
}
