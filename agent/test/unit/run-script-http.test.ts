import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeGitRepo } from '@osbuild/test-support/host-root';
import { afterEach, describe, expect, it } from 'vitest';
import { runScript } from '../../src/steps/run-script.js';
import { fixtureContext, step } from '../support/step-context.js';

const run = promisify(execFile);

describe('run-script from a dumb-HTTP git server (fixture seam)', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r) ?? r(undefined));
  });

  it('fetches over http:// like the controller serves its bootstrap repo', async () => {
    const repo = await makeGitRepo({ 'scripts/hi.sh': '#!/bin/bash\necho over-http\n' });
    const bare = `${repo.dir}.git`;
    await run('git', ['clone', '--quiet', '--bare', repo.dir, bare]);
    await run('git', ['-C', bare, 'update-server-info']);
    let requests = 0;
    server = http.createServer(async (req, res) => {
      requests++;
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
      if (rel.split('/').includes('..')) return res.writeHead(400).end();
      try {
        res.writeHead(200).end(await readFile(path.join(bare, rel)));
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const { ctx, output } = await fixtureContext('pi5-b');
    const s = step({ kind: 'run-script', repo: url, commit: repo.commit, script: 'scripts/hi.sh' });
    expect(await runScript(s, ctx)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(output.map((o) => o.text).join('')).toBe('over-http\n');
    expect(requests).toBeGreaterThan(0);
  });
});
