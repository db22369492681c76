// What the worker bundle (bundle-worker.mjs) leaves out of a node thread's start, as an esbuild
// plugin. Every node thread runs the bundle's top level; two dependencies did work there that no
// node needs at once (measured in a fresh worker, Node 20, this 2-core machine; docs/engine.md,
// "What a node thread costs"):
// - ip-num's IPNumber.js parses 13 CIDR ranges and an address into static fields (IPv4.PRIVATE_RANGES,
//   IPv6.LINK_LOCAL_RANGE, …) when it loads: about 17 ms of a cold thread (require('ip-num') 31 ms →
//   14 ms). Here each becomes a static getter that parses on first read and then turns back into
//   the plain data field ip-num defines, with the same value.
// - msgpackr loads its optional native string extractor (msgpackr-extract, through
//   node-gyp-build-optional-packages and detect-libc: fs, child_process, module, os, url) when it
//   loads: about 11 ms (require('msgpackr') 23 ms → 12 ms, as MSGPACKR_NATIVE_ACCELERATION_DISABLED
//   does). It speeds up decoding long strings; a thread's messages are frames and small records.
//   The main thread (inline placement) keeps it; what msgpackr decodes is the same either way.
import { readFile } from 'node:fs/promises';

/** The static fields of ip-num 1.x's IPNumber.js that parse at load; the build fails if they change. */
export const IP_NUM_PARSED_STATICS = 13;

/**
 * ip-num's IPNumber.js with each `IPv4.NAME = …;` / `IPv6.NAME = …;` statement that parses an
 * address (fromCidr, fromDecimalDottedString) turned into a lazy static getter.
 */
export function lazyIpNumStatics(source) {
  const lines = source.split('\n');
  const out = [];
  let rewritten = 0;
  for (let i = 0; i < lines.length; i++) {
    const statement = /^(IPv4|IPv6)\.([A-Z_]+) = (.*)$/.exec(lines[i]);
    if (statement === null) {
      out.push(lines[i]);
      continue;
    }
    const [, owner, name] = statement;
    let expression = statement[3];
    let last = i;
    while (!expression.trimEnd().endsWith(';')) {
      if (++last >= lines.length) throw new Error(`ip-num: ${owner}.${name} = … has no end`);
      expression += `\n${lines[last]}`;
    }
    if (!/\.(fromCidr|fromDecimalDottedString)\(/.test(expression)) {
      out.push(...lines.slice(i, last + 1));
      i = last;
      continue;
    }
    expression = expression.trimEnd().slice(0, -1);
    const key = JSON.stringify(name);
    const settle = `Object.defineProperty(${owner}, ${key}, { value, writable: true, configurable: true, enumerable: true })`;
    out.push(`Object.defineProperty(${owner}, ${key}, { configurable: true, enumerable: true, get() { const value = ${expression}; ${settle}; return value; }, set(value) { ${settle}; } });`);
    rewritten++;
    i = last;
  }
  if (rewritten !== IP_NUM_PARSED_STATICS) {
    throw new Error(`ip-num's IPNumber.js changed: ${rewritten} static fields parse at load, not ${IP_NUM_PARSED_STATICS} (scripts/thread-diet.mjs)`);
  }
  return out.join('\n');
}

/** The esbuild plugin: msgpackr-extract as an empty module, ip-num's statics lazy. */
/** The namespace of the modules left out (the metafile lists them as `netloom-left-out:NAME`). */
export const LEFT_OUT = 'netloom-left-out';

export const threadDiet = {
  name: 'netloom-thread-diet',
  setup(build) {
    build.onResolve({ filter: /^msgpackr-extract$/ }, () => ({ path: 'msgpackr-extract', namespace: LEFT_OUT }));
    build.onLoad({ filter: /.*/, namespace: LEFT_OUT }, () => ({ contents: 'module.exports = undefined;', loader: 'js' }));
    build.onLoad({ filter: /[\\/]ip-num[\\/]dist[\\/]src[\\/]IPNumber\.js$/ }, async (args) => ({ contents: lazyIpNumStatics(await readFile(args.path, 'utf8')), loader: 'js' }));
  },
};
