/**
 * The `ip` global options, parsed once for every object (iproute2 6.1 ip/ip.c main()): the same
 * loop, in the same order, so that abbreviations resolve as they do there (`-b` is -batch, `-br`
 * -brief, `-js` -json, `-n` -netns, `-c` -color, `-f` -family; `--json` as `-json`; `--` ends the
 * options). Families as family_a2n(): -4/inet, -6/inet6, -0/link, -M/mpls, -B/bridge.
 *
 * The objects built into the shell (address, route, rule, link) and those registered by other parts
 * of the stack (`ip neigh`) all get the result, so no object re-reads argv for options.
 * Leaves out: -batch files (every name is a file that does not exist), network namespaces (-n names no namespace: there are none in a node,
 * so it fails as iproute2 does for a missing one), colours (-c is accepted and prints plain text).
 */
import { IpExit, matches } from './ip-util.js';

/** preferred_family: unspecified (0), IPv4, IPv6, or a non-IP family (AF_PACKET, AF_MPLS, AF_BRIDGE). */
export type IpFamily = 0 | 4 | 6 | 'link' | 'mpls' | 'bridge';

export interface IpGlobalOptions {
  family: IpFamily;
  json: boolean;
  pretty: boolean;
  details: boolean;
  /** -s given n times. */
  stats: number;
  brief: boolean;
  oneline: boolean;
}

export type IpOptionsResult =
  | { kind: 'object'; options: IpGlobalOptions; /** Index in argv of the object word (argv.length when none). */ objectIndex: number }
  | { kind: 'version' };

export const IP_USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
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

export const IP_VERSION = 'ip utility, iproute2-6.1.0, libbpf 1.1.2\n';

/** family_a2n(), or null for a name it does not know. */
function familyByName(name: string): IpFamily | null {
  switch (name) {
    case 'inet':
      return 4;
    case 'inet6':
      return 6;
    case 'link':
      return 'link';
    case 'mpls':
      return 'mpls';
    case 'bridge':
      return 'bridge';
    default:
      return null;
  }
}

/** matches_color(): -c, -col, -color, -color=always|auto|never. */
function isColorOption(opt: string): boolean {
  const eq = opt.indexOf('=');
  const word = eq < 0 ? opt : opt.slice(0, eq);
  if (!matches(word, '-color')) return false;
  return eq < 0 || ['always', 'auto', 'never'].includes(opt.slice(eq + 1));
}

/** Parse `ip [OPTIONS] OBJECT …` up to the object word; usage and argument errors throw IpExit. */
export function parseIpGlobalOptions(argv: readonly string[]): IpOptionsResult {
  const options: IpGlobalOptions = { family: 0, json: false, pretty: false, details: false, stats: 0, brief: false, oneline: false };
  const usage = (): never => {
    throw new IpExit(255, IP_USAGE);
  };
  let i = 1;
  for (; i < argv.length; i++) {
    let opt = argv[i]!;
    if (opt === '--') {
      i++;
      break;
    }
    if (!opt.startsWith('-')) break;
    if (opt[1] === '-') opt = opt.slice(1);
    // NEXT_ARG() inside ip.c's option loop ends in usage() when the value is missing.
    const value = (): string => argv[++i] ?? usage();
    if (matches(opt, '-loops')) value();
    else if (matches(opt, '-family')) {
      const name = value();
      if (name === 'help') usage();
      const family = familyByName(name);
      if (family === null) throw new IpExit(255, `Error: argument "${name}" is wrong: invalid protocol family`);
      options.family = family;
    } else if (opt === '-4') options.family = 4;
    else if (opt === '-6') options.family = 6;
    else if (opt === '-0') options.family = 'link';
    else if (opt === '-M') options.family = 'mpls';
    else if (opt === '-B') options.family = 'bridge';
    else if (matches(opt, '-human') || matches(opt, '-human-readable') || matches(opt, '-iec')) continue;
    else if (matches(opt, '-stats') || matches(opt, '-statistics')) options.stats++;
    else if (matches(opt, '-details')) options.details = true;
    else if (matches(opt, '-resolve')) continue;
    else if (matches(opt, '-oneline')) options.oneline = true;
    else if (matches(opt, '-timestamp') || matches(opt, '-tshort') || matches(opt, '-force')) continue;
    else if (matches(opt, '-Version')) return { kind: 'version' };
    else if (matches(opt, '-batch')) throw new IpExit(1, `Cannot open file "${value()}" for reading: No such file or directory`);
    else if (matches(opt, '-brief')) options.brief = true;
    else if (matches(opt, '-json')) options.json = true;
    else if (matches(opt, '-pretty')) options.pretty = true;
    else if (matches(opt, '-rcvbuf')) value();
    else if (isColorOption(opt)) continue;
    else if (matches(opt, '-help')) usage();
    else if (matches(opt, '-netns')) throw new IpExit(255, `Cannot open network namespace "${value()}": No such file or directory`);
    else if (matches(opt, '-Numeric') || matches(opt, '-all')) continue;
    else throw new IpExit(255, `Option "${opt}" is unknown, try "ip -help".`);
  }
  return { kind: 'object', options, objectIndex: i };
}
