/**
 * The web tests' network: testing/node-lab.ts's chain (a 10.200.1.1 — r — b 10.200.2.2, 1 ms a
 * link) with `httpd` listening on b's port 80, its run kept so a test can read the access log.
 */
import type { Program } from '@netloom/stack';
import { MS, chain, type CommandRun, type NodeLab } from './node-lab.js';

export function chainWithHttpd(programs: Readonly<Record<string, Program>>): { lab: NodeLab; server: CommandRun } {
  const lab = chain(programs);
  const server = lab.exec('b', 'httpd');
  lab.run(10 * MS);
  return { lab, server };
}
