/**
 * The `ip` command's entry point (iproute2 6.1 ip/ip.c): the global options, parsed once for every
 * object by ip-options.ts, the object table with iproute2's prefix matching (`ip a`, `ip r`,
 * `ip ro`, `ip n`), and objects registered by other parts of the stack (`ip neigh`), which get the
 * parsed options and the words after the object. Parse errors end with iproute2's message and
 * status; any other exception is a bug and leaves this function.
 */
import type { Kernel } from '../kernel.js';
import type { Nanos } from '../node-host.js';
import type { IpContext } from './ip-context.js';
import { ipAddress } from './ip-addr.js';
import { ipAddrlabel } from './ip-addrlabel.js';
import { ipLink } from './ip-link.js';
import { ipRoute } from './ip-route.js';
import { ipRule } from './ip-rule.js';
import { IpExit, matches } from './ip-util.js';
import { IP_USAGE, IP_VERSION, parseIpGlobalOptions, type IpGlobalOptions } from './ip-options.js';

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

/** Handler for an `ip` object registered from outside: the parsed global options and the words after the object. */
export type IpObjectRunner = (options: IpGlobalOptions, args: string[]) => void;

export function runIp(kernel: Kernel, argv: string[], now: Nanos, external: (object: string) => IpObjectRunner | undefined): IpRunResult | 'delegated' {
  let stdout = '';
  let stderr = '';
  try {
    const parsed = parseIpGlobalOptions(argv);
    if (parsed.kind === 'version') return { status: 0, stdout: IP_VERSION, stderr: '' };
    const { options, objectIndex: i } = parsed;
    // The options are copied by name: V8 builds `{ ...options, kernel, … }` on a slow path (a
    // new map for every command, ~10 µs each when the code is cold), which was a sixth of a
    // 1,000-node boot's `ip` time.
    const ctx: IpContext = {
      family: options.family,
      json: options.json,
      pretty: options.pretty,
      details: options.details,
      stats: options.stats,
      brief: options.brief,
      oneline: options.oneline,
      kernel,
      now,
      out: (text) => {
        stdout += text;
      },
      err: (line) => {
        stderr += line + '\n';
      },
    };
    if (i >= argv.length) throw new IpExit(255, IP_USAGE);
    const objectArg = argv[i]!;
    const object = objectNamed(objectArg);
    const rest = argv.slice(i + 1);
    let status: number;
    switch (object) {
      case 'address':
        status = ipAddress(ctx, rest);
        break;
      case 'addrlabel':
        status = ipAddrlabel(ctx, rest);
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
          runner(options, rest);
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

/** The first object of the table that `word` abbreviates (matches()), or undefined. */
function objectNamed(word: string): string | undefined {
  for (const object of OBJECTS) if (matches(word, object)) return object;
  return undefined;
}
