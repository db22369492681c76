// The TypeScript examples in README.md and docs/*.md are run here, so they never go stale: each
// ```ts block is written to a module beside this file and imported; the values its comments promise
// (`// 0 9 hops`, `// true`) are checked against what it printed.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = join(import.meta.dirname, '..');
const generated = join(import.meta.dirname, '.generated');
mkdirSync(generated, { recursive: true });
afterAll(() => rmSync(generated, { recursive: true, force: true }));

interface Example { file: string; index: number; code: string }

function examples(): Example[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const found: Example[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    let index = 0;
    for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) found.push({ file, index: index++, code: m[1]! });
  }
  return found;
}

/** `console.log(a, b);   // 0 9 hops` → a printed line must start with `0 9 hops`. */
function promisedLines(code: string): string[] {
  const lines: string[] = [];
  for (const line of code.split('\n')) {
    const m = /console\.log\(.*\);\s*\/\/\s*(.+)$/.exec(line);
    if (m) lines.push(m[1]!.trim());
  }
  return lines;
}

describe('documentation examples', () => {
  for (const example of examples()) {
    it(`${example.file} example ${example.index + 1} runs and prints what its comments say`, async () => {
      const path = join(generated, `${example.file.replace(/[/.]/g, '-')}-${example.index}.ts`);
      writeFileSync(path, `process.chdir(${JSON.stringify(root)});\n${example.code}`);
      const printed: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        printed.push(args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '));
      });
      try {
        await import(path);
      } finally {
        spy.mockRestore();
      }
      const promised = promisedLines(example.code);
      expect(promised.length).toBeGreaterThan(0);
      for (const want of promised) expect(printed.some((p) => p.startsWith(want)), `want a line starting "${want}", printed ${JSON.stringify(printed)}`).toBe(true);
    });
  }
});

/**
 * ```netloom topology=FILE blocks: `node# command` lines, each followed by the output it must print
 * (stdout then stderr; trailing spaces on a line are ignored, since editors strip them).
 */
interface Session { file: string; topology: string; steps: { node: string; cmd: string; output: string }[] }

function sessions(): Session[] {
  const found: Session[] = [];
  for (const file of readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(join(root, 'docs', file), 'utf8');
    for (const m of text.matchAll(/```netloom topology=(\S+)\n([\s\S]*?)```/g)) {
      const steps: Session['steps'] = [];
      for (const line of m[2]!.split('\n')) {
        const prompt = /^([a-z][\w-]*)# (.*)$/.exec(line);
        if (prompt) steps.push({ node: prompt[1]!, cmd: prompt[2]!, output: '' });
        else if (steps.length > 0 && line !== '') steps[steps.length - 1]!.output += `${line}\n`;
        else if (steps.length > 0) steps[steps.length - 1]!.output += '\n';
      }
      found.push({ file: `docs/${file}`, topology: m[1]!, steps });
    }
  }
  return found;
}

const trimLines = (text: string): string => text.replace(/[ \t]+$/gm, '').replace(/\n+$/, '\n');

describe('documentation sessions', () => {
  it('there are some', () => expect(sessions().length).toBeGreaterThan(2));
  for (const [i, session] of sessions().entries()) {
    it(`${session.file} session ${i + 1} (${session.topology}) prints what the page shows`, async () => {
      const { Emulator } = await import('@netloom/runtime');
      const emulator = await Emulator.load(join(root, session.topology), { placement: 'inline' });
      try {
        await emulator.start();
        for (const step of session.steps) {
          const result = await emulator.exec(step.node, step.cmd);
          expect(trimLines(result.stdout + result.stderr), `${step.node}# ${step.cmd}`).toBe(trimLines(step.output));
        }
      } finally {
        await emulator.close();
      }
    });
  }
});
