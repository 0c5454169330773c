import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_LIST, NODE_WHY } from '../fixtures/cli-nodes.js';
import {
  okReply,
  type Responder,
  runCli,
  startBroker,
  startResponder,
  type TestBroker,
} from '../support/cli-harness.js';

describe('malformed answers', () => {
  let broker: TestBroker;
  let responder: Responder;
  beforeAll(async () => {
    broker = await startBroker();
    responder = await startResponder(broker.url, (req) => {
      const mode = (req.params as { name?: string }).name ?? 'list';
      switch (mode) {
        case 'garbage-then-ok':
          // Unparseable noise first: ignored with a warning, then the real answer.
          return ['not json at all', { v: 1, ok: true }, okReply(req, NODE_WHY)];
        case 'bad-data':
          return okReply(req, { name: 'x' });
        case 'bad-envelope':
          return { v: 1, id: req.id, ok: 'maybe' };
        default:
          return okReply(req, [{ ...NODE_LIST[0], phase: 'exploded' }]);
      }
    });
  });
  afterAll(async () => {
    await responder.close();
    await broker.close();
  });

  const cli = (args: string[]) => runCli([...args, '--controller', broker.url, '--timeout', '2']);

  it('ignores unparseable messages (with a warning) and still takes the real answer', async () => {
    const r = await cli(['nodes', 'why', 'garbage-then-ok', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(NODE_WHY);
    const warnings = r.stderr.trimEnd().split('\n');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^osbuild: warning: ignored a malformed answer on osbuild\/v1\/rpc\/response\/cli-/,
    );
  });

  it('an answer whose data does not match the method schema exits 1', async () => {
    const r = await cli(['nodes', 'show', 'bad-data']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^osbuild: unexpected answer from the controller: answer to nodes\.show: /);
    expect(r.stdout).toBe('');
  });

  it('an envelope with our id but the wrong shape fails fast instead of timing out', async () => {
    const started = Date.now();
    const r = await cli(['nodes', 'show', 'bad-envelope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/malformed answer to nodes\.show: /);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('an invalid enum value in a list is refused, not printed', async () => {
    const r = await cli(['nodes', 'ls', '-o', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/0\.phase/);
    expect(r.stdout).toBe('');
  });
});
