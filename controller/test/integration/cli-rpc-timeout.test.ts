import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Responder,
  runCli,
  startBroker,
  startResponder,
  type TestBroker,
} from '../support/cli-harness.js';

describe('a controller that never answers', () => {
  let broker: TestBroker;
  let responder: Responder;
  beforeAll(async () => {
    broker = await startBroker();
    responder = await startResponder(broker.url, () => undefined);
  });
  afterAll(async () => {
    await responder.close();
    await broker.close();
  });

  it('times out after --timeout and exits 5', async () => {
    const started = Date.now();
    const r = await runCli(['nodes', 'ls', '--controller', broker.url, '--timeout', '0.5']);
    const elapsed = Date.now() - started;
    expect(r.code).toBe(5);
    expect(r.stderr).toBe('osbuild: the controller did not answer nodes.list within 0.5 s\n');
    expect(responder.requests).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(5_000);
  });
});
