import { describe, expect, it } from 'vitest';
import { commandReportSchema } from '../../src/protocol/command-result.js';
import { clipTail, clipText, fitResult, splitText } from '../../src/protocol/fit.js';
import { helloSchema } from '../../src/protocol/hello.js';
import {
  BOOT_ID_MAX,
  ERROR_TEXT_MAX,
  EVENT_TEXT_MAX,
  HOSTNAME_MAX,
  ID_MAX,
  LOG_MSG_MAX,
  NICS_MAX,
  NOTE_MAX,
  OUTPUT_TAIL_MAX,
  TIME_MAX,
} from '../../src/protocol/limits.js';
import { nodeEventSchema } from '../../src/protocol/node-event.js';
import { nodeStatusSchema } from '../../src/protocol/node-status.js';
import { RPC_METHODS, rpcMethods } from '../../src/protocol/rpc.js';

const at = '2026-01-01T00:00:00.000Z';
const identity = {
  nodeId: 'pi-10000000000000a1',
  nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:0a' }],
  serial: '10000000000000a1',
  model: 'Raspberry Pi 5 Model B Rev 1.0',
  bootSource: 'nvme',
  bootId: 'b1',
  agentVersion: '0.1.0',
  imageVersion: null,
  hostname: 'raspberrypi',
};
const hello = { v: 1, seq: 0, bootSeq: 1, at, identity, provisioned: null };
const result = {
  v: 1 as const,
  id: 'cmd-0123456789',
  outcome: 'failed',
  exitCode: 1,
  error: 'boom',
  outputTail: '',
  startedAt: at,
  finishedAt: at,
};
const s = (n: number) => 'a'.repeat(n);

/** JSON Schema paths of strings without maxLength/pattern/enum/const and arrays without maxItems. */
function unbounded(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => unbounded(n, `${path}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own: string[] = [];
  const fixed = 'pattern' in o || 'enum' in o || 'const' in o;
  if (o.type === 'string' && !('maxLength' in o) && !fixed) own.push(path);
  if (o.type === 'array' && !('maxItems' in o) && !('prefixItems' in o)) own.push(path);
  return [...own, ...Object.entries(o).flatMap(([k, v]) => unbounded(v, `${path}.${k}`))];
}

/** Accepted at `max`, refused at `max + 1`. */
function bounded(make: (n: number) => unknown, parse: (v: unknown) => boolean, max: number) {
  expect(parse(make(max)), `accepted at ${max}`).toBe(true);
  expect(parse(make(max + 1)), `refused at ${max + 1}`).toBe(false);
}

describe('every string and array a node sends has a bound', () => {
  const okHello = (v: unknown) => helloSchema.safeParse(v).success;
  const okReport = (v: unknown) => commandReportSchema.safeParse(v).success;
  const okEvent = (v: unknown) => nodeEventSchema.safeParse(v).success;

  it('hello: times, boot id, hostname and the NIC list', () => {
    bounded((n) => ({ ...hello, at: s(n) }), okHello, TIME_MAX);
    bounded((n) => ({ ...hello, identity: { ...identity, bootId: s(n) } }), okHello, BOOT_ID_MAX);
    bounded((n) => ({ ...hello, identity: { ...identity, hostname: s(n) } }), okHello, HOSTNAME_MAX);
    const nics = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `eth${i}`, mac: identity.nics[0]?.mac }));
    bounded((n) => ({ ...hello, identity: { ...identity, nics: nics(n) } }), okHello, NICS_MAX);
    bounded((n) => ({ ...hello, provisioned: { runId: s(n), at } }), okHello, ID_MAX);
  });

  it('cmd-result: the command id, error and output tail of a result, and ack fields', () => {
    bounded((n) => ({ ...result, id: s(n) }), okReport, ID_MAX);
    bounded((n) => ({ ...result, error: s(n) }), okReport, ERROR_TEXT_MAX);
    bounded((n) => ({ ...result, outputTail: s(n) }), okReport, OUTPUT_TAIL_MAX);
    const ack = { v: 1, type: 'ack', id: 'cmd-0123456789', at, duplicate: false, bootId: 'b1' };
    bounded((n) => ({ ...ack, id: s(n) }), okReport, ID_MAX);
    bounded((n) => ({ ...ack, bootId: s(n) }), okReport, BOOT_ID_MAX);
  });

  it('events and status', () => {
    const base = { v: 1, seq: 0, at };
    bounded((n) => ({ ...base, type: 'command-started', cmdId: s(n) }), okEvent, ID_MAX);
    const output = { ...base, type: 'command-output', cmdId: 'cmd-0123456789', stream: 'stdout' };
    bounded((n) => ({ ...output, text: s(n) }), okEvent, EVENT_TEXT_MAX);
    bounded((n) => ({ ...base, type: 'log', level: 'info', msg: s(n) }), okEvent, LOG_MSG_MAX);
    const okStatus = (v: unknown) => nodeStatusSchema.safeParse(v).success;
    bounded((n) => ({ v: 1, online: true, at, activity: s(n) }), okStatus, NOTE_MAX);
  });

  it('every string in every RPC method’s params has a bound or a pattern, every array a bound', () => {
    for (const method of RPC_METHODS) {
      const schema = rpcMethods[method].params.toJSONSchema({ io: 'input', unrepresentable: 'any' });
      expect(unbounded(schema), method).toEqual([]);
    }
  });
});

describe('fitting text to a bound', () => {
  it('clips the start or the end and never splits a surrogate pair', () => {
    expect(clipText('abcdef', 4)).toBe('abc…');
    expect(clipText('abc', 4)).toBe('abc');
    expect(clipTail('abcdef', 4)).toBe('cdef');
    expect(clipTail('a😀bc', 3)).toBe('bc');
    expect(splitText('ab😀cd', 3)).toEqual(['ab', '😀c', 'd']);
    expect(splitText('', 3)).toEqual([]);
  });

  it('fits a result’s error and output tail to the schema', () => {
    const big = {
      ...result,
      outcome: 'failed' as const,
      error: s(ERROR_TEXT_MAX + 5),
      outputTail: s(OUTPUT_TAIL_MAX + 5),
    };
    const fitted = fitResult(big);
    expect(commandReportSchema.safeParse(fitted).success).toBe(true);
    expect(fitted.error?.length).toBe(ERROR_TEXT_MAX);
    expect(fitted.outputTail.length).toBe(OUTPUT_TAIL_MAX);
    const small = { ...result, outcome: 'failed' as const };
    expect(fitResult(small)).toBe(small);
  });
});
