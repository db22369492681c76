/**
 * `ip link` (iproute2 6.1 ip/iplink.c): show/list [dev] DEV [up], and set [dev] DEV with up, down, mtu,
 * address; `-j`, `-p`, `-br`. Creating or deleting devices is not possible (links come from the
 * topology): `ip link add … type T` answers like a kernel without that driver.
 */
import { rtnetlinkErrorText } from '../fib/errors.js';
import type { JsonValue } from './json-writer.js';
import { formatJson } from './json-writer.js';
import { Args, duparg2, invarg, IpExit, matches, parseMac, parseUnsigned, formatMac } from './ip-util.js';
import type { IpContext } from './ip-context.js';
import { linkFlags, linkHeader, linkStats, operState } from './link-format.js';

export function ipLink(ctx: IpContext, argv: string[]): number {
  if (argv.length === 0) return listLinks(ctx, []);
  const cmd = argv[0]!;
  const rest = argv.slice(1);
  if (matches(cmd, 'add')) {
    ctx.err('Error: Unknown device type.');
    return 2;
  }
  if (matches(cmd, 'delete')) {
    const dev = rest[0] === 'dev' ? rest[1] : rest[0];
    if (!dev || !ctx.kernel.device(dev)) throw new IpExit(1, `Cannot find device "${dev ?? ''}"`);
    ctx.err(rtnetlinkErrorText({ errno: 'EOPNOTSUPP' }));
    return 2;
  }
  if (matches(cmd, 'set') || matches(cmd, 'change')) return setLink(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return listLinks(ctx, rest);
  if (matches(cmd, 'help')) throw new IpExit(255, 'Usage: ip link { add | set | show | delete } ...');
  throw new IpExit(255, `Command "${cmd}" is unknown, try "ip link help".`);
}

function listLinks(ctx: IpContext, argv: string[]): number {
  const args = new Args(argv);
  let dev = '';
  let up = false;
  while (!args.done) {
    const a = args.current;
    if (a === 'up') up = true;
    else if (a === 'type' || a === 'master' || a === 'vrf' || a === 'group') args.next();
    else {
      let word = a;
      if (word === 'dev') word = args.next();
      if (dev) duparg2('dev', word);
      dev = word;
    }
    args.advance();
  }
  if (dev && !ctx.kernel.device(dev)) {
    ctx.err(`Device "${dev}" does not exist.`);
    return 1;
  }
  let text = '';
  const items: JsonValue[] = [];
  for (const d of ctx.kernel.devices()) {
    if (dev && d.name !== dev) continue;
    if (up && !d.adminUp) continue;
    if (ctx.brief) {
      text += `${d.name.padEnd(16)} ${operState(d).padEnd(14)} ${formatMac(d.mac)} <${linkFlags(d).join(',')}> \n`;
      items.push({ ifname: d.name, operstate: operState(d), address: formatMac(d.mac), flags: linkFlags(d) });
      continue;
    }
    const header = linkHeader(d, true, ctx.kernel.qdisc(d.name));
    text += header.text;
    if (ctx.stats) {
      const stats = linkStats(ctx.kernel.deviceStats(d.name));
      text += stats.text;
      items.push({ ...header.json, ...stats.json });
    } else items.push(header.json);
  }
  ctx.out(ctx.json ? formatJson(items, ctx.pretty) : text);
  return 0;
}

function setLink(ctx: IpContext, argv: string[]): number {
  const args = new Args(argv);
  let dev = '';
  let up: boolean | null = null;
  let mtu: number | null = null;
  let mac: Uint8Array | null = null;
  while (!args.done) {
    const a = args.current;
    if (a === 'up') up = true;
    else if (a === 'down') up = false;
    else if (a === 'mtu') {
      const value = args.next();
      const m = parseUnsigned(value);
      if (m === null) invarg('Invalid "mtu" value\n', value);
      mtu = m;
    } else if (matches(a, 'address')) {
      const value = args.next();
      const m = parseMac(value);
      if (!m) invarg('invalid lladdr\n', value);
      mac = m;
    } else if (['arp', 'multicast', 'allmulticast', 'promisc', 'trailers', 'dynamic', 'carrier'].includes(a)) {
      args.next();
    } else if (a === 'txqueuelen' || a === 'qlen' || a === 'txqlen' || a === 'group' || a === 'alias') {
      args.next();
    } else {
      let word = a;
      if (word === 'dev') word = args.next();
      else if (matches(word, 'help')) throw new IpExit(255, 'Usage: ip link set DEVICE [ up | down ] [ mtu MTU ] [ address LLADDR ]');
      if (dev) duparg2('dev', word);
      dev = word;
    }
    args.advance();
  }
  if (!dev) {
    ctx.err('Not enough information: "dev" argument is required.');
    return 255;
  }
  if (!ctx.kernel.device(dev)) throw new IpExit(1, `Cannot find device "${dev}"`);
  for (const result of [
    mtu !== null ? ctx.kernel.setMtu(dev, mtu) : null,
    mac !== null ? ctx.kernel.setMac(dev, mac) : null,
    up !== null ? ctx.kernel.setLinkUp(dev, up) : null,
  ]) {
    if (result && !result.ok) {
      ctx.err(rtnetlinkErrorText(result));
      return 2;
    }
  }
  return 0;
}
