/**
 * `ip addrlabel` (iproute2 6.1 ip/ipaddrlabel.c): list/show, add and del with prefix, dev and label,
 * flush, help, over the kernel's address label table (kernel/address-labels.ts). Lines as
 * print_addrlabel prints them (`prefix ADDR/LEN [dev NAME] label N `, JSON address/prefixlen/ifname/
 * label); errors and statuses as iproute2: a missing prefix or label is "Not enough information",
 * the reserved label 4294967295 and an unknown device are invalid arguments, an IPv4 prefix is
 * refused by the kernel's attribute policy, EEXIST and ESRCH are the kernel's.
 */
import { formatIpv6Number } from '@netloom/wire';
import { rtnetlinkErrorText } from '../fib/errors.js';
import type { IpContext } from './ip-context.js';
import { Args, getPrefixAny, invarg, IpExit, matches, parseUnsigned, prefix6Network } from './ip-util.js';
import type { JsonValue } from './json-writer.js';
import { formatJson } from './json-writer.js';

const ADDRLABEL_USAGE = `Usage: ip addrlabel { add | del } prefix PREFIX [ dev DEV ] [ label LABEL ]
       ip addrlabel [ list | flush | help ]`;

export function ipAddrlabel(ctx: IpContext, argv: string[]): number {
  const cmd = argv[0];
  if (cmd === undefined) return listLabels(ctx, []);
  const rest = argv.slice(1);
  if (matches(cmd, 'list') || matches(cmd, 'show')) return listLabels(ctx, rest);
  if (matches(cmd, 'add')) return modifyLabel(ctx, rest, 'add');
  if (matches(cmd, 'delete')) return modifyLabel(ctx, rest, 'del');
  if (matches(cmd, 'flush')) {
    ctx.kernel.addressLabels.flush();
    return 0;
  }
  if (matches(cmd, 'help')) throw new IpExit(255, ADDRLABEL_USAGE);
  throw new IpExit(255, `Command "${cmd}" is unknown, try "ip addrlabel help".`);
}

function listLabels(ctx: IpContext, argv: string[]): number {
  if (argv.length > 0) throw new IpExit(1, '"ip addrlabel show" does not take any arguments.');
  let text = '';
  const items: JsonValue[] = [];
  for (const entry of ctx.kernel.addressLabels.list()) {
    const address = formatIpv6Number(entry.prefix);
    const dev = entry.ifindex ? ctx.kernel.deviceByIndex(entry.ifindex)?.name : undefined;
    text += `prefix ${address}/${entry.prefixLength} ${dev !== undefined ? `dev ${dev} ` : ''}label ${entry.label} \n`;
    items.push({ address, prefixlen: entry.prefixLength, ...(dev !== undefined ? { ifname: dev } : {}), label: entry.label });
  }
  ctx.out(ctx.json ? formatJson(items, ctx.pretty) : text);
  return 0;
}

/** ipaddrlabel_modify. */
function modifyLabel(ctx: IpContext, argv: string[], mode: 'add' | 'del'): number {
  const args = new Args(argv);
  let prefix: ReturnType<typeof getPrefixAny> | null = null;
  let ifindex = 0;
  let label: number | null = null;
  while (!args.done) {
    const a = args.current;
    if (a === 'prefix') prefix = getPrefixAny(args.next(), ctx.family);
    else if (a === 'dev') {
      const value = args.next();
      const dev = ctx.kernel.device(value);
      if (!dev) invarg('dev is invalid\n', value);
      ifindex = dev.ifindex;
    } else if (a === 'label') {
      const value = args.next();
      const n = parseUnsigned(value);
      if (n === null || n === 0xffffffff) invarg('label is invalid\n', value);
      label = n;
    } else if (matches(a, 'help')) throw new IpExit(255, ADDRLABEL_USAGE);
    args.advance();
  }
  if (!prefix) throw new IpExit(1, 'Not enough information: "prefix" argument is required.');
  if (label === null) throw new IpExit(1, 'Not enough information: "label" argument is required.');
  // IFAL_ADDRESS of an IPv4 prefix fails the kernel's policy (it must be an in6_addr).
  if (prefix.family !== 6) {
    ctx.err('Error: Attribute failed policy validation.');
    return 2;
  }
  const network = prefix6Network(prefix);
  const result =
    mode === 'add'
      ? ctx.kernel.addressLabels.add({ prefix: network, prefixLength: prefix.prefixLength, ifindex, label })
      : ctx.kernel.addressLabels.delete(network, prefix.prefixLength, ifindex);
  if (!result.ok) {
    ctx.err(rtnetlinkErrorText(result));
    return 2;
  }
  return 0;
}
