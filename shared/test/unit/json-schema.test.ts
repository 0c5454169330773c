import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryJsonSchemaText } from '../../src/inventory/json-schema.js';

describe('committed nodes.yaml JSON Schema', () => {
  it('matches the zod schema (run `npm run gen:schema` after changing the inventory schema)', () => {
    const committed = readFileSync(new URL('../../schema/nodes.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(inventoryJsonSchemaText());
  });

  it('describes the nodes list with the original vision fields', () => {
    const schema = JSON.parse(inventoryJsonSchemaText()) as {
      required: string[];
      properties: { nodes: { items: { properties: Record<string, unknown>; required: string[] } } };
    };
    expect(schema.required).toContain('nodes');
    const item = schema.properties.nodes.items;
    expect(Object.keys(item.properties)).toEqual(
      expect.arrayContaining(['mac', 'hostname', 'role', 'ip', 'serial']),
    );
    expect(item.required).toEqual(expect.arrayContaining(['hostname', 'role']));
  });
});
