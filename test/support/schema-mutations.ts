// Hostile messages derived from the protocol's own schemas: take a valid message, walk it together
// with the JSON Schema zod generates for it, and push one or more of its fields past the bound the
// schema states (a string one longer than maxLength, an array one past maxItems, a number past its
// maximum, a value of the wrong type, a required field missing, deep nesting, thousands of keys).
// fast-check draws the mutations, so a failure shrinks to the smallest hostile message.
import fc from 'fast-check';
import { z } from 'zod';

/** The subset of JSON Schema (draft 2020-12, as z.toJSONSchema writes it) the walker reads. */
export interface JsonSchemaNode {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  additionalProperties?: JsonSchemaNode | boolean;
  items?: JsonSchemaNode;
  prefixItems?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
  $ref?: string;
  $defs?: Record<string, JsonSchemaNode>;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: number;
  exclusiveMinimum?: number;
}

/** A place in a message where a mutation can land, with what the schema says about it. */
export interface MutationTarget {
  path: (string | number)[];
  schema: JsonSchemaNode;
  /** True when the key is required by its parent object (so removing it must be refused). */
  required: boolean;
}

/** JSON Schema of a zod schema in its input form (defaults optional), as the wire sees it. */
export function wireSchemaOf(schema: z.ZodType): JsonSchemaNode {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
}

const resolve = (node: JsonSchemaNode, root: JsonSchemaNode): JsonSchemaNode => {
  if (!node.$ref) return node;
  const name = node.$ref.replace(/^#\/\$defs\//, '');
  return root.$defs?.[name] ?? {};
};

/** The branch of a union that `value` is an instance of: the one whose `const` fields all match. */
function branchFor(branches: JsonSchemaNode[], value: unknown, root: JsonSchemaNode): JsonSchemaNode {
  const matches = (b: JsonSchemaNode) => {
    const r = resolve(b, root);
    if (value === null) return r.type === 'null';
    if (typeof value !== 'object') return r.type !== 'object' && r.type !== 'null' && r.type !== 'array';
    if (Array.isArray(value)) return r.type === 'array';
    if (r.type !== 'object' || !r.properties) return false;
    return Object.entries(r.properties).every(([k, p]) => {
      const c = resolve(p, root).const;
      return c === undefined || (value as Record<string, unknown>)[k] === c;
    });
  };
  return resolve(branches.find(matches) ?? branches[0] ?? {}, root);
}

/** Every field of `value` (and `value` itself) paired with the schema node that governs it. */
export function targetsOf(value: unknown, rootSchema: JsonSchemaNode): MutationTarget[] {
  const out: MutationTarget[] = [];
  const walk = (v: unknown, s0: JsonSchemaNode, path: (string | number)[], required: boolean) => {
    let s = resolve(s0, rootSchema);
    const union = s.anyOf ?? s.oneOf;
    if (union) s = branchFor(union, v, rootSchema);
    if (s.allOf) s = Object.assign({}, ...s.allOf.map((a) => resolve(a, rootSchema)));
    out.push({ path, schema: s, required });
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, s.prefixItems?.[i] ?? s.items ?? {}, [...path, i], true);
      });
    } else if (v !== null && typeof v === 'object') {
      const req = new Set(s.required ?? []);
      for (const [k, item] of Object.entries(v)) {
        const child =
          s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : {});
        walk(item, child, [...path, k], req.has(k));
      }
    }
  };
  walk(value, rootSchema, [], true);
  return out;
}

/** One hostile change at one target; `undefined` as the value means "delete the key". */
type Mutation = { path: (string | number)[]; value: unknown; remove?: boolean };

/** Bytes beyond which the controller refuses any payload before parsing it (shared MAX_PAYLOAD_BYTES). */
const PAST_PAYLOAD = 300 * 1024;

const deepNesting = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

const typeConfusion = fc.constantFrom<unknown>(null, true, 0, -1, '', [], {}, [[[]]], { v: 1 }, 'null');

/** Values that break the bound the schema states for one node. */
function pastBound(s: JsonSchemaNode, current: unknown): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [typeConfusion];
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('string') || typeof current === 'string') {
    const max = s.maxLength;
    options.push(
      fc.integer({ min: 1, max: 4 }).map((k) => 'x'.repeat(max !== undefined ? max + k : 65_536 * k)),
      fc.constantFrom('\u0000', '\ud800', '\u202e'.repeat(512), 'A'.repeat(PAST_PAYLOAD)),
      fc.string({ unit: 'binary', maxLength: 64 }),
    );
    if (s.minLength) options.push(fc.constant('x'.repeat(s.minLength - 1)));
  }
  if (types.includes('number') || types.includes('integer') || typeof current === 'number') {
    const hi = s.maximum ?? s.exclusiveMaximum;
    const lo = s.minimum ?? s.exclusiveMinimum;
    options.push(
      fc.constantFrom<unknown>(1e308, -1e308, 0.5, -0.5, Number.MAX_SAFE_INTEGER + 2, -1),
      ...(hi !== undefined ? [fc.constant(hi + 1)] : []),
      ...(lo !== undefined ? [fc.constant(lo - 1)] : []),
    );
  }
  if (types.includes('array') || Array.isArray(current)) {
    const first = Array.isArray(current) && current.length > 0 ? current[0] : 'x';
    const max = s.maxItems;
    options.push(
      fc.integer({ min: 1, max: 3 }).map((k) => Array(max !== undefined ? max + k : 2_000 * k).fill(first)),
      fc.constant(deepNestedArray(1_000)),
    );
  }
  if (
    types.includes('object') ||
    (current !== null && typeof current === 'object' && !Array.isArray(current))
  ) {
    options.push(
      fc.constant(deepNesting(1_000)),
      fc.integer({ min: 1, max: 3 }).map((k) => ({
        ...(current as object),
        ...Object.fromEntries(Array.from({ length: 2_000 * k }, (_, i) => [`k${i}`, i])),
      })),
      // Own `__proto__`/`constructor` keys, as JSON.parse makes them: prototype pollution bait.
      fc.constant(protoBait(current)),
    );
  }
  if (s.enum || s.const !== undefined) options.push(fc.constantFrom('not-a-member', 'x'.repeat(300)));
  return fc.oneof(...options);
}

const protoBait = (current: unknown): unknown => {
  const inner = JSON.stringify(current ?? {}).slice(1, -1);
  return JSON.parse(
    `{${inner}${inner ? ',' : ''}"__proto__":{"polluted":true},"constructor":{"prototype":1}}`,
  );
};

const deepNestedArray = (depth: number): unknown => {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

function mutationAt(t: MutationTarget, seed: unknown): fc.Arbitrary<Mutation> {
  const current = getAt(seed, t.path);
  const replace = pastBound(t.schema, current).map((value) => ({ path: t.path, value }));
  if (t.path.length === 0 || !t.required) return replace;
  return fc.oneof(replace, fc.constant({ path: t.path, value: undefined, remove: true }));
}

function getAt(v: unknown, path: (string | number)[]): unknown {
  let cur = v;
  for (const p of path) cur = (cur as Record<string | number, unknown> | undefined)?.[p];
  return cur;
}

function applyMutation(seed: unknown, m: Mutation): unknown {
  if (m.path.length === 0) return m.value;
  // An earlier mutation may have replaced the whole message (or a parent) with a scalar.
  if (seed === null || typeof seed !== 'object') return seed;
  const copy = structuredClone(seed) as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = copy;
  for (const p of m.path.slice(0, -1)) {
    const next = cur[p];
    if (next === null || typeof next !== 'object') return copy;
    cur = next as Record<string | number, unknown>;
  }
  const last = m.path[m.path.length - 1] as string | number;
  if (m.remove) delete cur[last];
  else cur[last] = m.value;
  return copy;
}

/** A hostile payload: the bytes to publish and the message they came from (for the failure report). */
export interface HostilePayload {
  payload: Buffer;
  /** What was done, e.g. `set identity.serial (string, maxLength 16) to a 17-char string`. */
  describe: string;
}

// fast-check prints a failing case with this instead of hundreds of KiB of payload.
const described = (payload: Buffer, describe: string): HostilePayload =>
  Object.assign({ payload, describe }, { [fc.toStringMethod]: () => describe });

const summarise = (v: unknown): string => {
  if (typeof v === 'string') return v.length > 40 ? `a ${v.length}-char string` : JSON.stringify(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') return `an object with ${Object.keys(v).length} keys`;
  return JSON.stringify(v) ?? String(v);
};

/**
 * Hostile payloads for one message kind: 1 to 3 schema-guided mutations of `seed`, or (less often)
 * raw bytes that are not the message at all (not JSON, empty, past the payload limit).
 */
export function hostilePayloads(schema: z.ZodType, seed: unknown): fc.Arbitrary<HostilePayload> {
  const root = wireSchemaOf(schema);
  const targets = targetsOf(seed, root);
  const one = fc.constantFrom(...targets).chain((t) => mutationAt(t, seed).map((m) => ({ m, t })));
  const mutated = fc.array(one, { minLength: 1, maxLength: 3 }).map((ms) => {
    const value = ms.reduce((acc, { m }) => applyMutation(acc, m), seed);
    const describe = ms
      .map(({ m, t }) => {
        const where = t.path.join('.') || '(root)';
        return m.remove ? `remove ${where}` : `set ${where} to ${summarise(m.value)}`;
      })
      .join('; ');
    return described(Buffer.from(JSON.stringify(value) ?? 'null'), describe);
  });
  const raw = fc.oneof(
    fc.constant(described(Buffer.alloc(0), 'empty payload')),
    fc
      .uint8Array({ minLength: 1, maxLength: 256 })
      .map((b) => described(Buffer.from(b), `${b.length} random bytes`)),
    fc.constant(
      described(
        Buffer.from(JSON.stringify({ ...(seed as object), pad: 'p'.repeat(PAST_PAYLOAD) })),
        'a valid message padded past the payload limit',
      ),
    ),
    fc.constant(described(Buffer.from('{"v":1,'.repeat(10_000)), 'truncated JSON')),
  );
  return fc.oneof({ arbitrary: mutated, weight: 6 }, { arbitrary: raw, weight: 1 });
}
