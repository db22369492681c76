/**
 * `ipvsadm -S` output is accepted by `ipvsadm -R` (property, fast-check with a fixed seed, sized by
 * NETLOOM_TEST_SCALE): random tables of TCP, UDP and fwmark services (IPv4 and IPv6), schedulers,
 * persistence and masks, one-packet scheduling, and real servers of every method, weight and
 * threshold, saved and restored into an empty director, list and save exactly as the original.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '@netloom/wire/testing/test-environment';
import { Ipvs } from './ipvs.js';
import { ipvsadm } from './ipvsadm.js';

const run = (ipvs: Ipvs, argv: string[], stdin?: string) => ipvsadm(['ipvsadm', ...argv], ipvs, 0, { stdin });

const octet = fc.integer({ min: 1, max: 254 });
const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const v6 = fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => `2001:db8:${a.toString(16)}::${b.toString(16)}`);
const port = fc.integer({ min: 1, max: 65535 });
const scheduler = fc.constantFrom('rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'mh', 'lblc', 'lblcr');
const persistence = fc.option(
  fc.record({ timeout: fc.option(fc.integer({ min: 1, max: 86400 }), { nil: undefined }), mask: fc.option(fc.constantFrom('255.255.255.0', '255.255.0.0', '255.0.255.0', '0.0.0.24'), { nil: undefined }) }),
  { nil: undefined },
);
const server = fc.record({
  method: fc.constantFrom('-g', '-i', '-m'),
  weight: fc.integer({ min: 0, max: 65535 }),
  upper: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  port,
  last: octet,
});
const service = fc.record({
  kind: fc.constantFrom('-t', '-u', '-f', '-f6', '-t6'),
  address: v4,
  address6: v6,
  port,
  fwmark: fc.integer({ min: 1, max: 0xffffffff }),
  scheduler,
  persistence,
  onePacket: fc.boolean(),
  servers: fc.uniqueArray(server, { maxLength: 5, selector: (s) => s.last }),
});

describe('ipvsadm -S and -R', () => {
  it('restores every saved table exactly', () => {
    fc.assert(
      fc.property(fc.array(service, { maxLength: 6 }), (services) => {
        const ipvs = new Ipvs();
        for (const s of services) {
          const v6Service = s.kind === '-f6' || s.kind === '-t6';
          const svc = s.kind === '-f' ? ['-f', String(s.fwmark)] : s.kind === '-f6' ? ['-f', String(s.fwmark), '-6'] : s.kind === '-t6' ? ['-t', `[${s.address6}]:${s.port}`] : [s.kind, `${s.address}:${s.port}`];
          const add = ['-A', ...svc, '-s', s.scheduler];
          if (s.persistence !== undefined) {
            add.push(...(s.persistence.timeout === undefined ? ['-p'] : ['-p', String(s.persistence.timeout)]));
            if (s.persistence.mask !== undefined) add.push('-M', v6Service ? '64' : s.persistence.mask);
          }
          if (s.onePacket && s.kind === '-u') add.push('-o');
          if (run(ipvs, add).status !== 0) continue; // a duplicate service
          for (const r of s.servers) {
            const address = v6Service ? `[2001:db8:ffff::${r.last.toString(16)}]:${r.port}` : `192.168.${r.last}.${r.last}:${r.port}`;
            const a = ['-a', ...svc, '-r', address, r.method, '-w', String(r.weight)];
            if (r.upper !== undefined) a.push('-x', String(r.upper));
            expect(run(ipvs, a).stderr).toBe('');
          }
        }
        const saved = run(ipvs, ['-S', '-n']).stdout;
        const copy = new Ipvs();
        expect(run(copy, ['-R'], saved)).toEqual({ stdout: '', stderr: '', status: 0 });
        expect(run(copy, ['-S', '-n']).stdout).toBe(saved);
        expect(run(copy, ['-L', '-n']).stdout).toBe(run(ipvs, ['-L', '-n']).stdout);
      }),
      { seed: 1717, numRuns: scaled(100) },
    );
  });
});
