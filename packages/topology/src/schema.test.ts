import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { NODE_KINDS, TOP_LEVEL_KEYS, topologySchema } from './schema.js';

const committed = new URL('../topology.schema.json', import.meta.url);

describe('the JSON Schema for editors', () => {
  test('the committed topology.schema.json is what the code generates (run `npm run schema -w @netloom/topology`)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(`${JSON.stringify(topologySchema(), null, 2)}\n`);
  });

  test('it is a closed draft 2020-12 schema with the top-level keys of the format', () => {
    const schema = topologySchema() as {
      $schema: string;
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual([...TOP_LEVEL_KEYS]);
    expect(schema.required).toEqual(['name', 'nodes']);
    expect(schema.additionalProperties).toBe(false);
  });

  test('node kinds and endpoint syntax are published for editors', () => {
    const text = JSON.stringify(topologySchema());
    expect(text).toContain(JSON.stringify([...NODE_KINDS]));
    expect(text).toContain('"pattern":"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}:(?!\\\\.\\\\.?$)[^\\\\s:/%\\\\u0000-\\\\u001f\\\\u007f-\\\\u00a0]{1,15}$"');
  });
});
