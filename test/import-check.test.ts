// The import-direction check (tools/check-imports.mjs, ARCHITECTURE.md §1) passes on this repository
// and fails, naming file and line, on a tree where a package imports upward, across by a relative
// path, or a restricted module outside its package.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tool = join(import.meta.dirname, '..', 'tools', 'check-imports.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'netloom-imports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 't-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [tool, root], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('check-imports', () => {
  it('passes on this repository', () => {
    expect(execFileSync(process.execPath, [tool, join(import.meta.dirname, '..')], { encoding: 'utf8' })).toContain('ok');
  });

  it('fails when a lower package imports a higher one', () => {
    const root = tree({ 'packages/stack/src/a.ts': "import { Emulator } from '@netloom/runtime';\n" });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('packages/stack/src/a.ts:1: packages/stack may not import @netloom/runtime');
  });

  it('fails on a relative import that leaves the package', () => {
    const root = tree({ 'packages/apps/src/x/b.ts': "\nimport { x } from '../../../stack/src/kernel.js';\n" });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("packages/apps/src/x/b.ts:2: relative import '../../../stack/src/kernel.js' leaves packages/apps");
  });

  it('fails when ink is imported outside apps/cli and worker threads outside runtime', () => {
    const root = tree({
      'packages/runtime/src/ui.ts': "import { render } from 'ink';\n",
      'packages/stack/src/w.ts': "import { Worker } from 'node:worker_threads';\n",
    });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("packages/runtime/src/ui.ts:1: 'ink' may only be imported in apps/cli");
    expect(r.stderr).toContain("packages/stack/src/w.ts:1: 'node:worker_threads' may only be imported in packages/runtime");
  });

  it("fails when a file outside the kernel imports one of the kernel's modules", () => {
    const root = tree({
      'packages/stack/src/shell/x.ts': "import { Fib } from '../kernel/fib-lookup.js';\n",
      'packages/stack/src/node2.ts': "import type { RouteCache } from './kernel/route-cache.js';\n",
      'packages/runtime/src/y.ts': "import { InputRoute } from '@netloom/stack/kernel/input-route';\n",
    });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("packages/stack/src/shell/x.ts:1: '../kernel/fib-lookup.js' is one of the kernel's modules: import packages/stack/src/kernel.ts instead");
    expect(r.stderr).toContain("packages/stack/src/node2.ts:1: './kernel/route-cache.js' is one of the kernel's modules");
    expect(r.stderr).toContain("packages/runtime/src/y.ts:1: '@netloom/stack/kernel/input-route' is one of the kernel's modules");
  });

  it('fails on a switch over EtherType or IP protocol outside wire', () => {
    const root = tree({
      'packages/stack/src/n.ts': "switch (t) {\n  case EtherType.arp:\n    break;\n}\n",
      'packages/apps/src/p.ts': "switch (p) { case IpProtocol.udp: break; }\n",
      'packages/wire/src/describe.ts': "switch (t) { case EtherType.arp: break; }\n",
    });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('packages/stack/src/n.ts:2: a switch on EtherType: register a handler in a ProtocolTable instead');
    expect(r.stderr).toContain('packages/apps/src/p.ts:1: a switch on IpProtocol');
    expect(r.stderr).not.toContain('packages/wire');
  });

  it('lets the kernel facade and the kernel modules import the kernel modules, and anyone the facade', () => {
    const root = tree({
      'packages/stack/src/kernel.ts': "import { Fib } from './kernel/fib-lookup.js';\n",
      'packages/stack/src/kernel/fib-lookup.ts': "import type { DeviceTable } from './devices.js';\nexport class Fib {}\n",
      'packages/stack/src/kernel/devices.ts': 'export class DeviceTable {}\n',
      'packages/stack/src/shell/x.ts': "import type { Kernel } from '../kernel.js';\n",
    });
    const r = check(root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('accepts downward imports and relative imports inside a package', () => {
    const root = tree({
      'packages/runtime/src/a.ts': "import { createNode } from '@netloom/stack';\nimport { b } from './b.js';\n",
      'packages/runtime/src/b.ts': 'export const b = 1;\n',
    });
    expect(check(root).status).toBe(0);
  });
});
