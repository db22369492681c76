/**
 * @netloom/apps — the programs a node's shell can start by name. The stack's shell looks a
 * command's first word up in `programs` and runs it with a ProcessContext (packages/stack/src/process.ts).
 * Each program's module header documents its options and output.
 */
import type { Program } from '@netloom/stack';
import { arping } from './arping.js';
import { curl } from './curl.js';
import { gaitest } from './gaitest.js';
import { getent } from './getent.js';
import { httpLoad } from './http-load.js';
import { httpd } from './httpd.js';
import { nc } from './nc.js';
import { ndisc6, rdisc6 } from './ndisc6.js';
import { ping } from './ping.js';
import { tcpperf } from './tcpperf.js';
import { traceroute } from './traceroute.js';
import { udpsend } from './udpsend.js';

export const programs: Readonly<Record<string, Program>> = Object.freeze({
  ping,
  traceroute,
  arping,
  udpsend,
  nc,
  getent,
  gaitest,
  httpd,
  curl,
  'http-load': httpLoad,
  tcpperf,
  ndisc6,
  rdisc6,
});

export { getopt, glibcMessage, type GetoptError, type GetoptResult, type LongOption, type OptionSpec, type ParsedOption } from './getopt.js';
