// Types of tools/golden-traces.mjs for test/golden-traces.test.ts.
export interface GoldenCase {
  name: string;
  topology: string;
  placement: 'inline' | 'packed';
  args: string[];
}
export interface GoldenRun {
  status: number | null;
  stderr: string;
  trace: string;
  pcaps: string;
}
export const root: string;
export const goldenDir: string;
export function goldenCases(): GoldenCase[];
export function runCase(c: GoldenCase): GoldenRun;
export function goldenPaths(c: GoldenCase): { trace: string; pcaps: string };
