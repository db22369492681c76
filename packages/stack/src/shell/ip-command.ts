/**
 * The `ip` command's entry point (iproute2 6.1 ip/ip.c): global options (-4, -6, -f FAMILY, -j,
 * -p, -d, -s, -br, -o, -n is refused), the object table with iproute2's prefix matching (`ip a`,
 * `ip r`, `ip ro`, `ip n`), and objects registered by other parts of the stack (`ip neigh`).
 * Parse errors end with iproute2's message and status; nothing escapes as an exception.
 */
import type { Kernel } from '../kernel.js';
import type { Nanos } from '../node-host.js';
import type { IpContext } from './ip-context.js';
import { ipAddress } from './ip-addr.js';
import { ipLink } from './ip-link.js';
import { ipRoute } from './ip-route.js';
import { ipRule } from './ip-rule.js';
import { IpExit, matches } from './ip-util.js';

const IP_USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}`;

/** The object table of ip.c, in its order (prefix matching picks the first). */
const OBJECTS: readonly string[] = [
  'address', 'addrlabel', 'maddress', 'route', 'rule', 'neighbor', 'neighbour', 'ntable', 'ntbl', 'link', 'l2tp',
  'fou', 'ila', 'macsec', 'tunnel', 'tunl', 'tuntap', 'tap', 'token', 'tcpmetrics', 'tcp_metrics', 'monitor', 'xfrm',
  'mroute', 'mrule', 'netns', 'netconf', 'vrf', 'sr', 'nexthop', 'mptcp', 'ioam', 'help', 'stats',
];

export interface IpRunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Handler for an `ip` object registered from outside (gets the whole original argv). */
export type IpObjectRunner = (argv: string[]) => void;

export function runIp(kernel: Kernel, argv: string[], now: Nanos, external: (object: string) => IpObjectRunner | undefined): IpRunResult | 'delegated' {
  let stdout = '';
  let stderr = '';
  const ctx: IpContext = {
    kernel,
    now,
    family: 0,
    json: false,
    pretty: false,
    details: false,
    stats: 0,
    brief: false,
    oneline: false,
    out: (text) => {
      stdout += text;
    },
    err: (line) => {
      stderr += line + '\n';
    },
  };
  try {
    let i = 1;
    for (; i < argv.length; i++) {
      let opt = argv[i]!;
      if (!opt.startsWith('-') || opt === '-') break;
      if (opt.startsWith('--')) opt = opt.slice(1);
      if (opt === '-4') ctx.family = 4;
      else if (opt === '-6') ctx.family = 6;
      else if (opt === '-0') ctx.family = 0;
      else if (matches(opt, '-family')) {
        const value = argv[++i];
        if (value === undefined) throw new IpExit(255, 'Command line is not complete. Try option "help"');
        if (value === 'inet') ctx.family = 4;
        else if (value === 'inet6') ctx.family = 6;
        else throw new IpExit(255, `Error: argument "${value}" is wrong: invalid protocol family`);
      } else if (opt === '-br' || matches(opt, '-brief')) ctx.brief = true;
      else if (matches(opt, '-details')) ctx.details = true;
      else if (matches(opt, '-statistics') || matches(opt, '-stats')) ctx.stats++;
      else if (matches(opt, '-json')) ctx.json = true;
      else if (matches(opt, '-pretty')) ctx.pretty = true;
      else if (matches(opt, '-oneline')) ctx.oneline = true;
      else if (matches(opt, '-resolve') || matches(opt, '-Numeric') || matches(opt, '-color') || matches(opt, '-human-readable') || opt === '-iec' || matches(opt, '-timestamp') || matches(opt, '-tshort')) {
        // Accepted without effect.
      } else if (matches(opt, '-Version')) {
        return { status: 0, stdout: 'ip utility, iproute2-6.1.0, libbpf 1.1.2\n', stderr: '' };
      } else if (matches(opt, '-help')) throw new IpExit(255, IP_USAGE);
      else throw new IpExit(255, `Option "${argv[i]}" is unknown, try "ip -help".`);
    }
    if (i >= argv.length) throw new IpExit(255, IP_USAGE);
    const objectArg = argv[i]!;
    const object = OBJECTS.find((o) => matches(objectArg, o));
    const rest = argv.slice(i + 1);
    let status: number;
    switch (object) {
      case 'address':
        status = ipAddress(ctx, rest);
        break;
      case 'route':
        status = ipRoute(ctx, rest);
        break;
      case 'rule':
        status = ipRule(ctx, rest);
        break;
      case 'link':
        status = ipLink(ctx, rest);
        break;
      case 'help':
        throw new IpExit(255, IP_USAGE);
      case undefined:
        throw new IpExit(1, `Object "${objectArg}" is unknown, try "ip help".`);
      default: {
        const runner = external(object) ?? (object === 'neighbor' ? external('neighbour') : object === 'neighbour' ? external('neighbor') : undefined);
        if (runner) {
          runner(argv);
          return 'delegated';
        }
        throw new IpExit(1, `Object "${objectArg}" is unknown, try "ip help".`);
      }
    }
    return { status, stdout, stderr };
  } catch (error) {
    // Only ip's own exits (usage and argument errors) are output; anything else is a bug.
    if (error instanceof IpExit) return { status: error.status, stdout, stderr: stderr + error.message + '\n' };
    throw error;
  }
}
