/**
 * `ip link` (iproute2 6.1 ip/iplink.c): show/list [dev] DEV [up], and set [dev] DEV with up, down, mtu,
 * address, name (checked as check_ifname, then by the kernel: device-name.ts); `-j`, `-p`, `-br`, `-d` (link-format.ts's details), `-o`;
 * `ip link add [name] NAME type KIND [mtu M] [address MAC] [KIND's options]` for the kinds a node lets
 * users create (device-kinds.ts: `dummy`, and `ipip` with its options once loaded: ipv4/ipip.ts), others
 * answering like a kernel without that driver. Deleting devices is
 * not possible (links come from the topology).
 */
import { rtnetlinkErrorText } from '../fib/errors.js';
import type { JsonValue } from './json-writer.js';
import { formatJson } from './json-writer.js';
import type { KernelResult } from '../kernel.js';
import { IFNAMSIZ, nameBytes } from '../device-name.js';
import { Args, duparg, duparg2, invarg, IpExit, matches, parseMac, parseUnsigned, formatMac } from './ip-util.js';
import type { IpContext } from './ip-context.js';
import { briefLink, linkHeader, linkStats } from './link-format.js';

export function ipLink(ctx: IpContext, argv: string[]): number {
  if (argv.length === 0) return listLinks(ctx, []);
  const cmd = argv[0]!;
  const rest = argv.slice(1);
  if (matches(cmd, 'add')) return addLink(ctx, rest);
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
      const brief = briefLink(d);
      text += brief.text;
      items.push(brief.json);
      continue;
    }
    const header = linkHeader(d, true, ctx.kernel.qdisc(d.name), ctx.details);
    const stats = ctx.stats ? linkStats(ctx.kernel.deviceStats(d.name)) : null;
    const record = header.text + (stats?.text ?? '');
    // -o: one line per link, its inner line breaks printed as `\` (iproute2's _SL_).
    text += ctx.oneline ? `${record.slice(0, -1).replaceAll('\n', '\\')}\n` : record;
    items.push(stats ? { ...header.json, ...stats.json } : header.json);
  }
  ctx.out(ctx.json ? formatJson(items, ctx.pretty) : text);
  return 0;
}

/** ALTIFNAMSIZ: iproute2's check_altifname allows a `dev` word this long (the kernel then checks IFNAMSIZ). */
const ALTIFNAMSIZ = 128;

/**
 * `ip link add` (iplink_modify with NLM_F_CREATE|NLM_F_EXCL): `type` is required; the name is the
 * `name` word or the bare one (a bare one longer than IFNAMSIZ fails the kernel's attribute policy);
 * then the kernel creates the device (rtnl_newlink) and applies mtu and address to it.
 */
function addLink(ctx: IpContext, argv: string[]): number {
  const args = new Args(argv);
  let name: string | null = null;
  let dev: string | null = null;
  let kind: string | null = null;
  let mtu: number | null = null;
  let mac: Uint8Array | null = null;
  let kindWords: string[] = [];
  while (!args.done) {
    const a = args.current;
    if (a === 'type') {
      kind = args.next();
      args.advance();
      kindWords = args.remaining; // the kind's own options (dummy has none)
      break;
    } else if (a === 'name') {
      const value = args.next();
      if (name !== null) duparg('name', value);
      if (!isIproute2Ifname(value)) invarg('"name" not a valid ifname', value);
      name = value;
    } else if (a === 'mtu') {
      const value = args.next();
      const m = parseUnsigned(value);
      if (m === null) invarg('Invalid "mtu" value\n', value);
      mtu = m;
    } else if (matches(a, 'address')) {
      const value = args.next();
      const m = parseMac(value);
      if (!m) invarg('invalid lladdr\n', value);
      mac = m;
    } else if (a === 'link' || a === 'txqueuelen' || a === 'qlen' || a === 'group' || a === 'alias' || a === 'numtxqueues' || a === 'numrxqueues') {
      args.next();
    } else {
      let word = a;
      if (word === 'dev') word = args.next();
      else if (matches(word, 'help')) throw new IpExit(255, 'Usage: ip link add [link DEV] [ name ] NAME type TYPE [ ARGS ]');
      if (dev !== null) duparg2('dev', word);
      if (!isIproute2Ifname(word, ALTIFNAMSIZ)) invarg('"dev" not a valid ifname', word);
      dev = word;
    }
    args.advance();
  }
  if (kind === null) throw new IpExit(1, 'Not enough information: "type" argument is required');
  const wanted = name ?? dev;
  if (wanted !== null && nameBytes(wanted) >= IFNAMSIZ) {
    ctx.err('Error: Attribute failed policy validation.');
    return 2;
  }
  // iproute2's link_util parse_opt reads the kind's words before anything is sent to the kernel.
  const linkInfo = ctx.kernel.deviceKind(kind)?.linkInfo;
  let parameters: unknown = null;
  if (linkInfo !== undefined) {
    const parsed = linkInfo.parse(kindWords, (n) => ctx.kernel.device(n)?.ifindex);
    if (!parsed.ok) throw new IpExit(parsed.status, parsed.message);
    parameters = parsed.parameters;
  }
  const created = ctx.kernel.createDevice(wanted, kind);
  if (!created.ok) {
    ctx.err(rtnetlinkErrorText(created));
    return 2;
  }
  const ifindex = ctx.kernel.device(created.name)?.ifindex;
  if (linkInfo !== undefined && ifindex !== undefined) linkInfo.newlink(created.name, ifindex, parameters, ctx.now);
  if (mac !== null && failed(ctx, ctx.kernel.setMac(created.name, mac))) return 2;
  if (mtu !== null && failed(ctx, ctx.kernel.setMtu(created.name, mtu))) return 2;
  return 0;
}

/**
 * iproute2's check_ifname (check_altifname with ALTIFNAMSIZ): not empty, shorter than `size` bytes,
 * no `/` and no white space as glibc's isspace sees it in the C locale (no 0xA0, and `:` passes:
 * the kernel's dev_valid_name, wire/device-name.ts, refuses those later).
 */
function isIproute2Ifname(name: string, size = IFNAMSIZ): boolean {
  return name !== '' && nameBytes(name) < size && !/[/ \t\n\v\f\r]/.test(name);
}

function setLink(ctx: IpContext, argv: string[]): number {
  const args = new Args(argv);
  let dev = '';
  let up: boolean | null = null;
  let mtu: number | null = null;
  let mac: Uint8Array | null = null;
  let name: string | null = null;
  while (!args.done) {
    const a = args.current;
    if (a === 'up') up = true;
    else if (a === 'down') up = false;
    else if (a === 'mtu') {
      const value = args.next();
      const m = parseUnsigned(value);
      if (m === null) invarg('Invalid "mtu" value\n', value);
      mtu = m;
    } else if (a === 'name') {
      const value = args.next();
      if (name !== null) duparg('name', value);
      if (!isIproute2Ifname(value)) invarg('"name" not a valid ifname', value);
      name = value;
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
      else if (matches(word, 'help')) throw new IpExit(255, 'Usage: ip link set DEVICE [ up | down ] [ mtu MTU ] [ address LLADDR ] [ name NEWNAME ]');
      if (dev) duparg2('dev', word);
      dev = word;
    }
    args.advance();
  }
  if (!dev) {
    ctx.err('Not enough information: "dev" argument is required.');
    return 255;
  }
  const ifindex = ctx.kernel.device(dev)?.ifindex;
  if (ifindex === undefined) throw new IpExit(1, `Cannot find device "${dev}"`);
  // One RTM_NEWLINK, applied in do_setlink's order: address, mtu, name, flags; the first error ends it.
  if (mac !== null && failed(ctx, ctx.kernel.setMac(dev, mac))) return 2;
  if (mtu !== null && failed(ctx, ctx.kernel.setMtu(dev, mtu))) return 2;
  if (name !== null) {
    if (failed(ctx, ctx.kernel.renameDevice(dev, name))) return 2;
    dev = ctx.kernel.deviceByIndex(ifindex)?.name ?? dev;
  }
  if (up !== null && failed(ctx, ctx.kernel.setLinkUp(dev, up, ctx.now))) return 2;
  return 0;
}

/** Print an rtnetlink error (`RTNETLINK answers: …` or `Error: ….`); true when there was one. */
function failed(ctx: IpContext, result: KernelResult): boolean {
  if (result.ok) return false;
  ctx.err(rtnetlinkErrorText(result));
  return true;
}
