import type { JsonSchema } from './json-schemas.js';

/** One row of a field table: a dotted path into a message and what the JSON Schema says of it. */
export interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  rules: string;
  description: string;
}

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The non-null branch of `anyOf: [X, {type: null}]`, with whether null was allowed. */
function unwrapNullable(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const any = s.anyOf;
  if (Array.isArray(any) && any.length === 2) {
    const rest = any.filter((b) => !(isObject(b) && b.type === 'null'));
    if (rest.length === 1 && isObject(rest[0])) {
      const { anyOf: _anyOf, ...outer } = s;
      return { schema: { ...rest[0], ...outer }, nullable: true };
    }
  }
  return { schema: s, nullable: false };
}

/** The union branches of a schema (discriminated or not), or null. */
export function variantsOf(s: JsonSchema): JsonSchema[] | null {
  const branches = s.oneOf ?? s.anyOf;
  return Array.isArray(branches) && branches.every(isObject) ? (branches as JsonSchema[]) : null;
}

function typeOf(s: JsonSchema): string {
  if ('const' in s) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map((e) => `\`${String(e)}\``).join(' \\| ');
  if (Array.isArray(s.prefixItems))
    return `[${s.prefixItems.map((i) => typeOf(i as JsonSchema)).join(', ')}]`;
  if (s.type === 'array') return `${isObject(s.items) ? typeOf(s.items) : 'any'}[]`;
  if (s.type === 'object' && isObject(s.additionalProperties)) {
    return `map of ${typeOf(s.additionalProperties)}`;
  }
  if (s.type === 'integer' || (s.type === 'number' && Number.isInteger(s.multipleOf))) return 'integer';
  if (typeof s.type === 'string') return s.type;
  if (variantsOf(s)) return 'one of';
  return 'any';
}

function rulesOf(s: JsonSchema): string {
  const r: string[] = [];
  if (typeof s.minLength === 'number' && s.minLength > 0) r.push(`≥ ${s.minLength} chars`);
  if (typeof s.maxLength === 'number') r.push(`≤ ${s.maxLength} chars`);
  if (typeof s.pattern === 'string') r.push(`pattern \`${s.pattern.replaceAll('|', '\\|')}\``);
  // zod writes the safe-integer range on every integer; it says nothing worth a column.
  const real = (n: unknown): n is number => typeof n === 'number' && Math.abs(n) !== Number.MAX_SAFE_INTEGER;
  if (real(s.minimum)) r.push(`≥ ${s.minimum}`);
  if (real(s.exclusiveMinimum)) r.push(`> ${s.exclusiveMinimum}`);
  if (real(s.maximum)) r.push(`≤ ${s.maximum}`);
  if (typeof s.maxItems === 'number') r.push(`≤ ${s.maxItems} items`);
  if (typeof s.maxProperties === 'number') r.push(`≤ ${s.maxProperties} entries`);
  if (isObject(s.items)) {
    const inner = rulesOf(s.items);
    if (inner) r.push(`each ${inner}`);
  }
  if (isObject(s.propertyNames) && typeof s.propertyNames.maxLength === 'number') {
    r.push(`names ≤ ${s.propertyNames.maxLength} chars`);
  }
  if (isObject(s.additionalProperties) && typeof s.additionalProperties.maxLength === 'number') {
    r.push(`values ≤ ${s.additionalProperties.maxLength} chars`);
  }
  if ('default' in s) r.push(`default \`${JSON.stringify(s.default)}\``);
  return r.join(', ');
}

/**
 * Rows for the properties of an object schema, nested objects and arrays of objects flattened
 * into dotted paths (`identity.nics[].mac`). A property that is itself a union is one row whose
 * shapes the reference lists elsewhere (command bodies, steps).
 */
export function fieldRows(object: JsonSchema, prefix = ''): FieldRow[] {
  const props = isObject(object.properties) ? object.properties : {};
  const required = new Set(Array.isArray(object.required) ? (object.required as string[]) : []);
  const rows: FieldRow[] = [];
  for (const [name, raw] of Object.entries(props)) {
    if (!isObject(raw)) continue;
    const { schema, nullable } = unwrapNullable(raw);
    const path = `${prefix}${name}`;
    rows.push({
      path,
      type: `${typeOf(schema)}${nullable ? ' \\| null' : ''}`,
      required: required.has(name),
      rules: rulesOf(schema),
      description: String(schema.description ?? ''),
    });
    if (schema.type === 'object' && isObject(schema.properties)) rows.push(...fieldRows(schema, `${path}.`));
    if (schema.type === 'array' && isObject(schema.items) && isObject(schema.items.properties)) {
      rows.push(...fieldRows(schema.items, `${path}[].`));
    }
  }
  return rows;
}

/** A markdown table of `rows`. */
export function fieldTable(rows: FieldRow[]): string {
  const cell = (s: string) => s.replaceAll('\n', ' ');
  const lines = ['| Field | Type | Req. | Bounds and format | Meaning |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    lines.push(
      `| \`${r.path}\` | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${cell(r.rules)} | ${cell(r.description)} |`,
    );
  }
  return lines.join('\n');
}
