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
