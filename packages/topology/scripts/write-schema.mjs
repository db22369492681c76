#!/usr/bin/env node
// Regenerates topology.schema.json (the JSON Schema editors use for topology files) from the zod
// schema in src/schema.ts. Run `npm run schema -w @netloom/topology`; schema.test.ts fails when
// the committed file and the code disagree.
import { writeFileSync } from 'node:fs';
import { topologySchema } from '../dist/index.js';

const target = new URL('../topology.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(topologySchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
