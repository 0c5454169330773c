// Every string and array in every message a node or an operator client sends has an upper bound in
// its schema, so nothing a sender controls can grow past a documented size (docs/security.md, size
// budget). A new unbounded field fails here with its path.
import {
  commandReportSchema,
  helloSchema,
  nodeEventSchema,
  nodeStatusSchema,
  type RpcMethod,
  rpcMethods,
  rpcRequestSchema,
  telemetrySchema,
} from '@osbuild/shared';
import { unboundedPlaces } from '@osbuild/test-support/schema-bounds';
import { wireSchemaOf } from '@osbuild/test-support/schema-mutations';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

const NODE_SENT: Record<string, z.ZodType> = {
  'hello and claim': helloSchema,
  status: nodeStatusSchema,
  events: nodeEventSchema,
  'cmd-result': commandReportSchema,
  telemetry: telemetrySchema,
};

describe('message bounds', () => {
  it.each(Object.entries(NODE_SENT))('bounds every string and array a node sends on %s', (_kind, schema) => {
    expect(unboundedPlaces(wireSchemaOf(schema))).toEqual([]);
  });

  it('bounds the rpc request envelope and the params of every method', () => {
    const unbounded = Object.fromEntries(
      [
        ['envelope', unboundedPlaces(wireSchemaOf(rpcRequestSchema))] as const,
        ...(Object.keys(rpcMethods) as RpcMethod[]).map(
          (m) => [m, unboundedPlaces(wireSchemaOf(rpcMethods[m].params))] as const,
        ),
      ].filter(([, places]) => places.length > 0),
    );
    expect(unbounded).toEqual({});
  });

  it('finds an unbounded string and array (the check can fail)', () => {
    expect(
      unboundedPlaces({
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'string', maxLength: 3 } } },
      }),
    ).toEqual(['(root).a', '(root).b']);
  });
});
