// A vitest reporter, run beside the default one by tools/run-tests.mjs (`npm test`): it prints why
// each skipped test was skipped, grouped by reason, and when NETLOOM_TEST_SUMMARY names a file it
// writes the run's counts, failures and skips there as JSON for the runner's summary table.
//
// The reason of a skip is the note of `ctx.skip(note)`, else the `skipReason` meta that `needs()`
// (packages/wire/src/testing/test-environment.ts) sets on what it skips at collection, else "marked
// .skip/.todo in the code". A failure is a failed test, or an error outside any test (a file that
// does not load, a beforeAll/afterAll hook that throws, an unhandled error).
// Leaves out: timings (a verdict never depends on them; vitest's own output has them).
import { writeFileSync } from 'node:fs';

/** The first line of an error message, at most 300 characters. */
function headline(error) {
  const text = String(error?.message ?? error ?? 'error').split('\n')[0] ?? '';
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Why `test` (skipped) was skipped. */
function skipReason(test, result) {
  if (result.note) return result.note;
  const meta = test.meta();
  if (typeof meta.skipReason === 'string' && meta.skipReason !== '') return meta.skipReason;
  if (test.options.mode === 'todo') return 'marked .todo in the code';
  if (result.state === 'pending') return 'not run (the run ended early)';
  return 'marked .skip in the code';
}

/** Counts, failures and skips of one vitest run. */
export function summarise(testModules, unhandledErrors) {
  const summary = { passed: 0, failed: 0, skipped: 0, failures: [], skips: [] };
  const fail = (file, test, message) => {
    summary.failed++;
    summary.failures.push({ file, test, message });
  };
  for (const module of testModules) {
    const file = module.relativeModuleId;
    for (const error of module.errors()) fail(file, '(outside any test)', headline(error));
    for (const suite of module.children.allSuites()) {
      for (const error of suite.errors()) fail(file, `${suite.fullName} (hook)`, headline(error));
    }
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state === 'passed') summary.passed++;
      else if (result.state === 'failed') fail(file, test.fullName, headline(result.errors?.[0]));
      else {
        summary.skipped++;
        summary.skips.push({ file, test: test.fullName, reason: skipReason(test, result) });
      }
    }
  }
  for (const error of unhandledErrors) fail('(unhandled)', '(outside any test)', headline(error));
  return summary;
}

/** Skips grouped by reason: [reason, count, files]. */
export function skipsByReason(skips) {
  const byReason = new Map();
  for (const skip of skips) {
    const entry = byReason.get(skip.reason) ?? { count: 0, files: new Set() };
    entry.count++;
    entry.files.add(skip.file);
    byReason.set(skip.reason, entry);
  }
  return [...byReason].map(([reason, { count, files }]) => [reason, count, [...files]]);
}

export default class TestSummaryReporter {
  onInit(vitest) {
    this.logger = vitest.logger;
  }

  onTestRunEnd(testModules, unhandledErrors) {
    const summary = summarise(testModules, unhandledErrors);
    const groups = skipsByReason(summary.skips);
    if (groups.length > 0) {
      this.logger.log(`\n Skipped ${summary.skipped} test(s):`);
      for (const [reason, count, files] of groups) this.logger.log(`   ${String(count).padStart(4)}  ${reason}  (${files.join(', ')})`);
    }
    const out = process.env.NETLOOM_TEST_SUMMARY;
    if (out) writeFileSync(out, JSON.stringify(summary, null, 1));
  }
}
