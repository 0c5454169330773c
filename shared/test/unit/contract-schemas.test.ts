import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from '../../src/contract/catalog.js';
import { protocolJsonSchemas } from '../../src/contract/json-schemas.js';
import { commandSchema } from '../../src/protocol/command.js';
import { exampleCommands, exampleRpc, exampleSteps } from '../../src/protocol/examples.js';
import { RPC_METHODS, rpcMethods } from '../../src/protocol/rpc.js';
import { STEP_KINDS, stepSchema } from '../../src/protocol/steps.js';

const schemas = protocolJsonSchemas();
type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Paths of properties (at any depth) whose schema carries no description. */
function undescribed(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => undescribed(n, `${path}[${i}]`));
  if (!isNode(node)) return [];
  const own = isNode(node.properties)
    ? Object.entries(node.properties)
        .filter(([, p]) => !(isNode(p) && typeof p.description === 'string' && p.description.length > 0))
        .map(([k]) => `${path}.${k}`)
    : [];
  return [...own, ...Object.entries(node).flatMap(([k, v]) => undescribed(v, `${path}.${k}`))];
}

/** Paths of strings without maxLength/pattern/enum/const and arrays without maxItems. */
function unbounded(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => unbounded(n, `${path}[${i}]`));
  if (!isNode(node)) return [];
  const own: string[] = [];
  const fixed = 'pattern' in node || 'enum' in node || 'const' in node;
  if (node.type === 'string' && !('maxLength' in node) && !fixed) own.push(path);
  if (node.type === 'array' && !('maxItems' in node) && !('prefixItems' in node)) own.push(path);
  if (node.type === 'object' && isNode(node.additionalProperties) && !('maxProperties' in node))
    own.push(path);
  return [...own, ...Object.entries(node).flatMap(([k, v]) => unbounded(v, `${path}.${k}`))];
}

describe('the generated JSON Schemas', () => {
  it('exist for every message kind and for the params and result of every RPC method', () => {
    for (const k of MESSAGE_KINDS) expect(schemas.has(`messages/${k.name}.schema.json`), k.name).toBe(true);
    for (const m of RPC_METHODS) {
      expect(schemas.has(`rpc/${m}.params.schema.json`), m).toBe(true);
      expect(schemas.has(`rpc/${m}.result.schema.json`), m).toBe(true);
    }
  });

  it('describe every field of every message and of every RPC method’s params', () => {
    for (const [path, schema] of schemas) {
      if (path.endsWith('.result.schema.json')) continue;
      expect(undescribed(schema), path).toEqual([]);
    }
  });

  it('bound every string, array and map a node, a claiming board or an operator sends', () => {
    const senders = new Set(['node', 'claim', 'operator']);
    const sent = MESSAGE_KINDS.filter((k) => k.publishers.some((p) => senders.has(p)));
    expect(sent.map((k) => k.name)).toEqual([
      'claim',
      'hello',
      'status',
      'cmd-result',
      'events',
      'telemetry',
      'rpc-request',
    ]);
    for (const k of sent)
      expect(unbounded(schemas.get(`messages/${k.name}.schema.json`)), k.name).toEqual([]);
    for (const m of RPC_METHODS) expect(unbounded(schemas.get(`rpc/${m}.params.schema.json`)), m).toEqual([]);
  });
});

describe('the documented examples', () => {
  it.each(MESSAGE_KINDS.flatMap((k) => k.examples.map((e) => [k.name, e.title, e.payload, k] as const)))(
    '%s: %s is valid',
    (_name, _title, payload, kind) => {
      expect(kind.schema.safeParse(payload).error).toBeUndefined();
    },
  );

  it('cover every message kind, command body and step kind, each valid', () => {
    for (const k of MESSAGE_KINDS) expect(k.examples.length, k.name).toBeGreaterThan(0);
    for (const [type, cmd] of Object.entries(exampleCommands)) {
      expect(commandSchema.parse(cmd).body.type).toBe(type);
    }
    expect(Object.keys(exampleSteps)).toEqual(STEP_KINDS);
    for (const [kind, step] of Object.entries(exampleSteps)) {
      // The examples are what the controller sends: parsing changes nothing (no default missing).
      expect(stepSchema.parse(step), kind).toEqual(step);
    }
  });

  it('carry valid RPC params and result data', () => {
    const method = exampleRpc.request.method;
    expect(rpcMethods[method].params.safeParse(exampleRpc.request.params).success).toBe(true);
    if (!exampleRpc.ok.ok) throw new Error('the ok example must succeed');
    expect(rpcMethods[method].result.safeParse(exampleRpc.ok.data).error).toBeUndefined();
  });
});
