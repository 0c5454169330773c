import type { ErrorCode } from '@osbuild/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorReply,
  type Responder,
  runCli,
  startBroker,
  startResponder,
  type TestBroker,
} from '../support/cli-harness.js';

describe('an error envelope from the controller', () => {
  let broker: TestBroker;
  let responder: Responder;
  beforeAll(async () => {
    broker = await startBroker();
    // The node name picks the error code the fake controller answers with.
    responder = await startResponder(broker.url, (req) =>
      errorReply(req, (req.params as { name: string }).name, `refused ${req.method}`),
    );
  });
  afterAll(async () => {
    await responder.close();
    await broker.close();
  });

  it.each([
    ['bad-request', 2],
    ['not-found', 3],
    ['conflict', 4],
    ['invalid-state', 4],
    ['unauthorized', 4],
    ['unavailable', 5],
    ['internal', 1],
  ] as [ErrorCode, number][])('%s exits %i with the message on stderr', async (code, exit) => {
    const r = await runCli(['nodes', 'show', code, '--controller', broker.url]);
    expect(r.code).toBe(exit);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`osbuild: ${code}: refused nodes.show\n`);
  });

  it('prints nothing on stdout even with -o json', async () => {
    const r = await runCli(['nodes', 'why', 'not-found', '-o', 'json', '--controller', broker.url]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
  });
});
