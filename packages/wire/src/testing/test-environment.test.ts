import { afterEach, describe, expect, it } from 'vitest';
import { hasTool, missingFor, needs, scaled, testScale } from './test-environment.js';

const saved = { CI: process.env['CI'], NETLOOM_TEST_SCALE: process.env['NETLOOM_TEST_SCALE'] };

function restore(name: keyof typeof saved): void {
  if (saved[name] === undefined) delete process.env[name];
  else process.env[name] = saved[name];
}

afterEach(() => {
  restore('CI');
  restore('NETLOOM_TEST_SCALE');
});

describe('what the tests need from the machine', () => {
  it('finds a command on PATH and reports one that is not there by name', () => {
    expect(hasTool('sh')).toBe(true);
    expect(hasTool('netloom-no-such-tool')).toBe(false);
    expect(missingFor({ tools: ['sh'] })).toBe('');
    expect(missingFor({ tools: ['sh', 'netloom-no-such-tool'] })).toBe('not installed: netloom-no-such-tool');
  });

  it('never runs a tool name through the shell', () => {
    expect(hasTool('sh; exit 0')).toBe(false);
  });

  it('names a missing file with what makes it', () => {
    expect(missingFor({ files: { '/nonexistent/netloom/main.js': 'npm run build' } })).toBe('/nonexistent/netloom/main.js does not exist (npm run build)');
  });

  it('skips a running test with the reason locally, and fails it naming what is missing under CI=true', () => {
    const need = needs({ tools: ['netloom-no-such-tool'] });
    expect(need.met).toBe(false);
    const notes: (string | undefined)[] = [];
    const context = { skip: (note?: string) => void notes.push(note) } as unknown as Parameters<typeof need.check>[0];
    delete process.env['CI'];
    need.check(context);
    expect(notes).toEqual(['not installed: netloom-no-such-tool']);
    process.env['CI'] = 'true';
    expect(() => need.check(context)).toThrow('CI=true, so this fails instead of skipping: not installed: netloom-no-such-tool');
  });

  it('lets a test run when everything it needs is there', () => {
    const need = needs({ tools: ['sh'] });
    expect(need.met).toBe(true);
    const context = { skip: () => { throw new Error('skipped'); } } as unknown as Parameters<typeof need.check>[0];
    process.env['CI'] = 'true';
    expect(() => need.check(context)).not.toThrow();
  });
});

describe('NETLOOM_TEST_SCALE', () => {
  it('multiplies the base count, 1 when unset, never below one case', () => {
    delete process.env['NETLOOM_TEST_SCALE'];
    expect(testScale()).toBe(1);
    expect(scaled(50)).toBe(50);
    process.env['NETLOOM_TEST_SCALE'] = '4';
    expect(scaled(50)).toBe(200);
    process.env['NETLOOM_TEST_SCALE'] = '0.01';
    expect(scaled(50)).toBe(1);
  });

  it('rejects what is not a positive number', () => {
    for (const bad of ['0', '-2', 'lots', 'Infinity']) {
      process.env['NETLOOM_TEST_SCALE'] = bad;
      expect(() => testScale(), bad).toThrow(`NETLOOM_TEST_SCALE must be a positive number, got '${bad}'`);
    }
  });
});
