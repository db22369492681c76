/**
 * `arping`: ARP requests to a neighbour, with iputils arping's output, timing and exit statuses
 * (iputils 20221126 on Debian 12, checked in network namespaces).
 *
 * Covers: -c -w -i -I -s -f -q -b -D (duplicate address detection, source 0.0.0.0) -U (gratuitous
 * request) -A (gratuitous reply) -V -h. A probe goes out at start and then every interval; after
 * the first reply further probes are unicast to the learned MAC unless -b. With -c N the run ends
 * N intervals after the start; -w T ends it at T (a probe due at T still goes first); with -w and
 * -c it ends once N replies came; -f and -D end at the first reply. Lines: `ARPING T from S DEV`,
 * `Unicast reply from T [MAC]  0.539ms` (time since the latest probe, MAC in upper case),
 * `Sent N probes (B broadcast(s))`, `Received N response(s)`. Exit: 0 with replies (DAD: 0 without),
 * 1 otherwise, 0 for -U/-A, 2 on setup errors.
 *
 * Leaves out: counting received broadcast requests, `for [MAC]` when the target MAC is not ours.
 */
import { errnoMessage, type ArpSocket, type Program } from '@netloom/stack';
import { getopt, glibcMessage } from './getopt.js';
import { isIpv4Literal } from './address-text.js';

const NS_PER_US = 1000;
const NS_PER_S = 1_000_000_000;
/** `-i 0` would spin in virtual time; probes go at most every millisecond. */
const MIN_INTERVAL_NS = 1_000_000;

export const ARPING_USAGE = `
Usage:
  arping [options] <destination>

Options:
  -f            quit on first reply
  -q            be quiet
  -b            keep on broadcasting, do not unicast
  -D            duplicate address detection mode
  -U            unsolicited ARP mode, update your neighbours
  -A            ARP answer mode, update your neighbours
  -V            print version and exit
  -c <count>    how many packets to send
  -w <timeout>  how long to wait for a reply
  -i <interval> set interval between packets (default: 1 second)
  -I <device>   which ethernet device to use
  -s <source>   source ip address
  <destination> dns name or ip address

For more details see arping(8).
`;

export const arping: Program = (ctx) => {
  const parsed = getopt(ctx.argv, { short: 'h?bfDUAqc:w:i:s:I:V' });
  const usage = (message: string | null): void => {
    ctx.stderr(`${message === null ? '' : `${message}\n`}${ARPING_USAGE}`);
    ctx.exit(2);
  };
  if (!parsed.ok) return usage(glibcMessage('arping', parsed.error));

  let count = 0;
  let deadlineS = 0;
  let intervalS = 1;
  let device: string | null = null;
  let source: string | null = null;
  let quitOnReply = false;
  let quiet = false;
  let broadcastOnly = false;
  let dad = false;
  let unsolicited = false;
  let advert = false;
  const integer = (text: string, low: number): number | null => {
    if (!/^\s*[-+]?\d+$/.test(text)) return null;
    const n = Number(text);
    return n < low ? null : n;
  };
  for (const { key, value = '' } of parsed.options) {
    switch (key) {
      case 'c':
      case 'w':
      case 'i': {
        const n = integer(value, key === 'c' ? 1 : 0);
        if (n === null) {
          ctx.stderr(`arping: invalid argument: '${value}'\n`);
          ctx.exit(1);
          return;
        }
        if (key === 'c') count = n;
        else if (key === 'w') deadlineS = n;
        else intervalS = n;
        break;
      }
      case 'I':
        device = value;
        break;
      case 's':
        source = value;
        break;
      case 'f':
        quitOnReply = true;
        break;
      case 'q':
        quiet = true;
        break;
      case 'b':
        broadcastOnly = true;
        break;
      case 'D':
        dad = true;
        quitOnReply = true;
        break;
      case 'U':
        unsolicited = true;
        break;
      case 'A':
        unsolicited = true;
        advert = true;
        break;
      case 'V':
        ctx.stdout('arping from iputils 20240905\nlibcap: no, IDN: no, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n');
        ctx.exit(0);
        return;
      default:
        return usage(null);
    }
  }
  const targetText = parsed.operands[0];
  if (targetText === undefined || parsed.operands.length > 1) return usage(null);
  const target = isIpv4Literal(targetText) ? targetText : ctx.resolve(targetText, 4);
  if (target === null) {
    ctx.stderr(`arping: ${targetText}: Name or service not known\n`);
    ctx.exit(2);
    return;
  }
  if (device !== null && ctx.ifindex(device) === 0) {
    ctx.stderr(`arping: Device ${device} not available.\n`);
    ctx.exit(2);
    return;
  }
  if (source !== null && !isIpv4Literal(source)) {
    const resolved = ctx.resolve(source, 4);
    if (resolved === null) {
      ctx.stderr(`arping: invalid source ${source}\n`);
      ctx.exit(2);
      return;
    }
    source = resolved;
  }
  // Source and device: -U/-A announce the target itself; otherwise a UDP probe socket connected
  // to the target tells (ip route get), after binding to -s when given.
  const routed = ctx.routeSource(target, device ?? undefined);
  if ('errno' in routed) {
    ctx.stderr(`arping: connect: ${errnoMessage[routed.errno]}\n`);
    ctx.exit(2);
    return;
  }
  const ifname = device ?? routed.ifname;
  if (source !== null && !dad) {
    const probe = ctx.udpSocket(4);
    if (!('errno' in probe)) {
      const bound = probe.bind(source, 0);
      probe.close();
      if (!bound.ok) {
        ctx.stderr(`arping: bind: ${errnoMessage[bound.errno]}\n`);
        ctx.exit(2);
        return;
      }
    }
  }
  const sender = dad ? '0.0.0.0' : (source ?? (unsolicited ? target : routed.source));
  const opened = ctx.arp(ifname);
  if ('errno' in opened) {
    // socket(PF_PACKET) past the open files limit: error(2, errno, "socket").
    if (opened.errno === 'EMFILE') ctx.stderr(`arping: socket: ${errnoMessage.EMFILE}\n`);
    else if (ctx.ifindex(ifname) === 0) ctx.stderr(`arping: Device ${ifname} not available.\n`);
    else if (opened.errno === 'ENETDOWN') ctx.stderr(`arping: Interface "${ifname}" is down\n`);
    else ctx.stdout(`Interface "${ifname}" is not ARPable\n`);
    ctx.exit(2);
    return;
  }
  const socket: ArpSocket = opened;

  let sent = 0;
  let broadcastsSent = 0;
  let received = 0;
  let unicasting = false;
  let lastSend = 0;
  let finished = false;
  let intervalTimer: { cancel(): void } | null = null;
  let deadlineTimer: { cancel(): void } | null = null;
  let expiries = 0;

  if (!quiet) ctx.stdout(`ARPING ${target} from ${sender} ${ifname}\n`);

  const finish = (): void => {
    if (finished) return;
    finished = true;
    intervalTimer?.cancel();
    deadlineTimer?.cancel();
    socket.close();
    if (!quiet) ctx.stdout(`Sent ${sent} probes (${broadcastsSent} broadcast(s))\nReceived ${received} response(s)\n`);
    let status: number;
    if (dad) status = received ? 1 : 0;
    else if (unsolicited) status = 0;
    else status = received ? 0 : 1;
    ctx.exit(status);
  };

  const sendProbe = (): void => {
    lastSend = ctx.now();
    sent++;
    if (!unicasting) broadcastsSent++;
    if (unsolicited) socket.announce(target, advert);
    else socket.request(target, sender, !unicasting);
  };

  socket.onReply((reply) => {
    if (finished || unsolicited || reply.senderIp !== target) return;
    received++;
    if (!quiet) {
      const micros = Math.floor((reply.receivedAt - lastSend) / NS_PER_US);
      ctx.stdout(
        `Unicast reply from ${reply.senderIp} [${reply.senderMac.toUpperCase()}]  ${Math.floor(micros / 1000)}.${String(micros % 1000).padStart(3, '0')}ms\n`,
      );
    }
    if (!broadcastOnly && !dad) unicasting = true;
    if (quitOnReply || (deadlineS && count && received >= count)) finish();
  });

  const onInterval = (): void => {
    expiries++;
    if (count && expiries >= count) {
      finish();
      return;
    }
    sendProbe();
    intervalTimer = ctx.setTimer(Math.max(intervalS * NS_PER_S, MIN_INTERVAL_NS), onInterval);
  };

  ctx.onInterrupt(finish);
  sendProbe();
  // A probe due at the deadline still goes out before the run ends (arping's poll loop reads
  // the interval timer first): the deadline finishes from a zero-delay timer queued behind it.
  if (deadlineS) deadlineTimer = ctx.setTimer(deadlineS * NS_PER_S, () => void ctx.setTimer(0, finish));
  intervalTimer = ctx.setTimer(Math.max(intervalS * NS_PER_S, MIN_INTERVAL_NS), onInterval);
};
