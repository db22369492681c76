/**
 * Tab completion for the node console, in the manner of bash's readline: the word under the
 * cursor (always the end of the line here) is completed to the longest common prefix of its
 * candidates; with one candidate a space follows. Candidates depend on position: the first word
 * completes node-shell commands, `ip`'s second word its objects and the third their verbs, the
 * word after `dev`/`oif`/`iif`/`-I` an interface of the selected node, and any other word an
 * interface name, a node name or a keyword of that command.
 * It does not complete addresses, file names or option values.
 */

/** Commands the node shell understands (ARCHITECTURE §5) plus the apps. */
export const NODE_SHELL_COMMANDS = [
  'arping',
  'curl',
  'gaitest',
  'getent',
  'http-load',
  'httpd',
  'ifconfig',
  'ip',
  'ipvsadm',
  'nc',
  'ndisc6',
  'netstat',
  'ping',
  'rdisc6',
  'route',
  'sysctl',
  'tcpperf',
  'traceroute',
  'udpsend',
] as const;

const ipObjects = ['addr', 'addrlabel', 'link', 'neigh', 'route', 'rule'];

const ipVerbs: Record<string, string[]> = {
  addr: ['add', 'del', 'flush', 'show'],
  addrlabel: ['add', 'del', 'list'],
  link: ['add', 'del', 'set', 'show'],
  neigh: ['add', 'change', 'del', 'flush', 'replace', 'show'],
  route: ['add', 'append', 'change', 'del', 'flush', 'get', 'list', 'replace', 'show'],
  rule: ['add', 'del', 'flush', 'list', 'show'],
};

const commandKeywords: Record<string, string[]> = {
  ip: ['dev', 'via', 'src', 'table', 'from', 'to', 'iif', 'oif', 'metric', 'proto', 'scope', 'cache', 'up', 'down', 'lookup', 'pref'],
  ping: ['-c', '-I', '-i', '-s', '-t', '-W'],
  traceroute: ['-n', '-I', '-m', '-q'],
  getent: ['ahosts', 'ahostsv4', 'ahostsv6', 'hosts'],
  netstat: ['-rn', '-i'],
  route: ['-n', '-C', 'add', 'del'],
  sysctl: ['-w', '-a'],
};

const interfaceKeywords = new Set(['dev', 'oif', 'iif', '-I']);

export interface CompletionContext {
  nodes: readonly string[];
  /** Interfaces of the node the console is attached to. */
  interfaces: readonly string[];
}

export interface Completion {
  /** The line after completion (unchanged when nothing matched). */
  line: string;
  /** All candidates for the word, so the console can list them when there are several. */
  candidates: string[];
}

function longestCommonPrefix(words: readonly string[]): string {
  const first = words[0];
  if (first === undefined) return '';
  let length = first.length;
  for (const word of words) {
    let i = 0;
    while (i < length && i < word.length && word[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length);
}

function candidatesFor(previousWords: readonly string[], context: CompletionContext): string[] {
  const command = previousWords[0];
  if (command === undefined) return [...NODE_SHELL_COMMANDS];
  const previous = previousWords[previousWords.length - 1] as string;
  if (interfaceKeywords.has(previous)) return [...context.interfaces];
  if (command === 'ip') {
    const words = previousWords.filter((word) => !word.startsWith('-'));
    if (words.length === 1) return ipObjects;
    if (words.length === 2) return ipVerbs[words[1] as string] ?? [];
  }
  return [...(commandKeywords[command] ?? []), ...context.interfaces, ...context.nodes];
}

export function completeCommandLine(line: string, context: CompletionContext): Completion {
  const match = /(\S*)$/.exec(line);
  const word = match?.[1] ?? '';
  const before = line.slice(0, line.length - word.length);
  const previousWords = before.split(/\s+/).filter((w) => w.length > 0);
  const candidates = [...new Set(candidatesFor(previousWords, context))]
    .filter((candidate) => candidate.startsWith(word))
    .sort();
  if (candidates.length === 0) return { line, candidates };
  if (candidates.length === 1) return { line: `${before}${candidates[0] as string} `, candidates };
  return { line: `${before}${longestCommonPrefix(candidates)}`, candidates };
}
