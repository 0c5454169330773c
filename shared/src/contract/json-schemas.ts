import { z } from 'zod';
import { RPC_METHODS, rpcMethods } from '../protocol/rpc.js';
import { MESSAGE_KINDS } from './catalog.js';

/** Base of every `$id`; the files live under shared/schema/ with the same relative paths. */
export const SCHEMA_ID_BASE = 'https://osbuild.dev/schema/v1/';

/** A JSON Schema document. */
export type JsonSchema = Record<string, unknown>;

/**
 * One zod schema as JSON Schema. `input` for what a sender writes (defaults may be left out, MACs
 * in either form), `output` for what a receiver gets after parsing. Refinements (paths without
 * `..`) cannot be expressed and are left out; the descriptions name them.
 */
export function toJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  id: string,
  title: string,
): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  const { $schema, ...rest } = json;
  return { $schema, $id: `${SCHEMA_ID_BASE}${id}`, title, ...rest };
}

/** Every generated JSON Schema, keyed by its path below shared/schema/. */
export function protocolJsonSchemas(): Map<string, JsonSchema> {
  const files = new Map<string, JsonSchema>();
  for (const kind of MESSAGE_KINDS) {
    const path = `messages/${kind.name}.schema.json`;
    files.set(path, toJsonSchema(kind.schema, 'input', path, `OSBuild ${kind.name} (${kind.topic})`));
  }
  for (const method of RPC_METHODS) {
    const { params, result } = rpcMethods[method];
    const p = `rpc/${method}.params.schema.json`;
    const r = `rpc/${method}.result.schema.json`;
    files.set(p, toJsonSchema(params, 'input', p, `OSBuild RPC ${method}: params`));
    files.set(r, toJsonSchema(result, 'output', r, `OSBuild RPC ${method}: result data`));
  }
  return files;
}

/** Serialised form, stable so the committed files can be compared byte for byte. */
export function jsonSchemaText(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
