import { afterEach, describe, expect, it } from 'vitest';
import { forceLiveRendering } from './live-rendering.js';

const saved = { NODE_ENV: process.env['NODE_ENV'], CI: process.env['CI'] };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const terminal = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;

describe('before ink and react are imported', () => {
  it("selects React's production build when NODE_ENV is unset (the development build fills Node's performance timeline)", () => {
    delete process.env['NODE_ENV'];
    forceLiveRendering(pipe);
    expect(process.env['NODE_ENV']).toBe('production');
  });

  it('leaves a NODE_ENV that is set alone', () => {
    process.env['NODE_ENV'] = 'test';
    forceLiveRendering(terminal);
    expect(process.env['NODE_ENV']).toBe('test');
  });

  it('turns CI off for a terminal only, so ink redraws in place', () => {
    process.env['CI'] = 'true';
    forceLiveRendering(pipe);
    expect(process.env['CI']).toBe('true');
    forceLiveRendering(terminal);
    expect(process.env['CI']).toBe('false');
  });
});
