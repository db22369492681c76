/**
 * iproute2's `nstat`: the node's IP counters as `IpInReceives   4   0.0` lines under `#kernel`.
 *
 * Follows nstat 6.x (checked on Linux 6.18): by default it prints what changed since the last run
 * and remembers the values (its history file, one per node here); `-a` prints absolute values,
 * `-z` the zero ones too, `-s` leaves the history alone, `-n` only updates it, `-r` resets it;
 * PATTERN arguments (shell globs) pick the counters shown (the history keeps them all), printed in the kernel's order whatever the order of
 * the patterns. IpForwarding and IpDefaultTTL are left out, as nstat does. Lines are
 * `%-32s%-16llu%6.1f`; the rate column is 0.0, as it is when no nstat daemon is sampling.
 * The Tcp counters follow the Ip ones as in /proc/net/snmp (TcpCurrEstab left out, as nstat does),
 * then TcpExtListenOverflows and TcpExtListenDrops.
 * Leaves out the counters the model does not keep (Icmp, Udp, most of TcpExt and IpExt, Ip6…), JSON
 * (`-j`, `-p`) and the daemon (`-d`, `-t`).
 */
import { IP_MIB_COUNTERS, type IpMib } from '../ipv4/ip-mib.js';
import type { TcpMib } from '../tcp/tcp-sockets.js';

const USAGE = `Usage: nstat [OPTION] [ PATTERN [ PATTERN ] ]
   -h, --help          this message
   -a, --ignore        ignore history
   -d, --scan=SECS     sample every statistics every SECS
   -j, --json          format output in JSON
   -n, --nooutput      do history only
   -p, --pretty        pretty print
   -r, --reset         reset history
   -s, --noupdate      don't update history
   -t, --interval=SECS report average over the last SECS
   -V, --version       output version information
   -z, --zeros         show entries with zero activity
`;

const LONG: Readonly<Record<string, string>> = { ignore: 'a', zeros: 'z', reset: 'r', nooutput: 'n', noupdate: 's', help: 'h' };

/** The Tcp MIB as /proc/net/snmp orders it (nstat leaves out the RTO constants, MaxConn and CurrEstab). */
const TCP_COUNTERS: readonly [string, keyof TcpMib][] = [
  ['TcpActiveOpens', 'activeOpens'],
  ['TcpPassiveOpens', 'passiveOpens'],
  ['TcpAttemptFails', 'attemptFails'],
  ['TcpEstabResets', 'estabResets'],
  ['TcpInSegs', 'inSegs'],
  ['TcpOutSegs', 'outSegs'],
  ['TcpRetransSegs', 'retransSegs'],
  ['TcpInErrs', 'inErrs'],
  ['TcpOutRsts', 'outRsts'],
  ['TcpInCsumErrors', 'inCsumErrors'],
];

/** The counters as nstat names them, in the kernel's order. */
function counters(mib: IpMib, tcp: TcpMib | undefined): [string, number][] {
  const list: [string, number][] = IP_MIB_COUNTERS.map(({ name, field }): [string, number] => [`Ip${name}`, mib[field]]);
  if (tcp !== undefined) {
    for (const [name, field] of TCP_COUNTERS) list.push([name, tcp[field]]);
    list.push(['TcpExtListenOverflows', tcp.listenOverflows], ['TcpExtListenDrops', tcp.listenDrops]);
  }
  list.push(['IpExtReasmOverlaps', mib.reasmOverlaps]);
  return list;
}

/** fnmatch(3) for `*`, `?` and `[…]`. */
function globMatches(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  try {
    return new RegExp(`^${source}$`).test(name);
  } catch (error) {
    // An unbalanced `[` is the pattern's fault: fnmatch then compares it literally.
    if (!(error instanceof SyntaxError)) throw error;
    return pattern === name;
  }
}

export function runNstat(argv: readonly string[], mib: IpMib, history: Map<string, number>, tcp?: TcpMib): { stdout: string; stderr: string; status: number } {
  const flags = new Set<string>();
  const patterns: string[] = [];
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('--') && arg.length > 2) {
      const flag = LONG[arg.slice(2)];
      if (flag === undefined) return { stdout: '', stderr: `nstat: unrecognized option '${arg}'\n${USAGE}`, status: 255 };
      flags.add(flag);
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (const flag of arg.slice(1)) {
        if ('jpdtV'.includes(flag)) return { stdout: '', stderr: `nstat: -${flag} is not available here (only counters, no JSON or daemon)\n`, status: 1 };
        if (!'azrnsh'.includes(flag)) return { stdout: '', stderr: `nstat: invalid option -- '${flag}'\n${USAGE}`, status: 255 };
        flags.add(flag);
      }
    } else patterns.push(arg);
  }
  if (flags.has('h')) return { stdout: '', stderr: USAGE, status: 255 };
  if (flags.has('r')) history.clear();
  let out = '#kernel\n';
  for (const [name, value] of counters(mib, tcp)) {
    const shown = flags.has('a') ? value : value - (history.get(name) ?? 0);
    if (!flags.has('s')) history.set(name, value);
    if (patterns.length > 0 && !patterns.some((p) => globMatches(p, name))) continue;
    if (shown === 0 && !flags.has('z')) continue;
    out += `${name.padEnd(32)}${String(shown).padEnd(16)}${'0.0'.padStart(6)}\n`;
  }
  return { stdout: flags.has('n') ? '' : out, stderr: '', status: 0 };
}
