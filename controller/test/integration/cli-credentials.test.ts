import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_LIST } from '../fixtures/cli-nodes.js';
import {
  okReply,
  type Responder,
  runCli,
  startBroker,
  startResponder,
  type TestBroker,
} from '../support/cli-harness.js';

describe('operator credentials', () => {
  let broker: TestBroker;
  let responder: Responder;
  let dir: string;
  beforeAll(async () => {
    // The responder connects without credentials; the CLI must bring the right ones.
    broker = await startBroker(
      (user, pass) => user === undefined || (user === 'operator' && pass === 's3cret'),
    );
    responder = await startResponder(broker.url, (req) => okReply(req, NODE_LIST));
    dir = await mkdtemp(join(tmpdir(), 'osbuild-creds-'));
    await writeFile(join(dir, 'operator.json'), JSON.stringify({ username: 'operator', password: 's3cret' }));
    await writeFile(join(dir, 'wrong.json'), JSON.stringify({ username: 'operator', password: 'nope' }));
  });
  afterAll(async () => {
    await responder.close();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uses <data-dir>/operator.json by default', async () => {
    const r = await runCli(['nodes', 'ls', '--controller', broker.url, '--data-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('wrong credentials: the broker refuses them, exit 4 naming the URL', async () => {
    const r = await runCli([
      'nodes',
      'ls',
      '--controller',
      broker.url,
      '--credentials',
      join(dir, 'wrong.json'),
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      `osbuild: the controller at ${broker.url} refused the credentials: Connection refused: Not authorized\n`,
    );
  });
});
