import { z } from 'zod';
import { inventorySchema } from './schema.js';

/** The JSON Schema of `nodes.yaml` as committed in shared/schema/nodes.schema.json. */
export function inventoryJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(inventorySchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://osbuild.dev/schema/v1/nodes.schema.json',
    title: 'OSBuild inventory (nodes.yaml)',
  };
}

/** Serialised form, stable so the committed file can be compared byte for byte. */
export function inventoryJsonSchemaText(): string {
  return `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
}
