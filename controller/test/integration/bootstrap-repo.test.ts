import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBootstrap, snapshotDirectory } from '../../src/bootstrap-repo/bootstrap-repo.js';
import { type HttpServer, startHttpServer } from '../../src/bootstrap-repo/http-server.js';
import { exec } from '../../src/host/exec.js';

const run = promisify(execFile);
const servers: HttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function bootstrapDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'osbuild-bootstrap-'));
  await mkdir(join(dir, 'config'));
  await mkdir(join(dir, 'scripts'));
  await writeFile(join(dir, 'setup.sh'), '#!/bin/bash\necho hi\n');
  await writeFile(join(dir, 'scripts/10-a.sh'), 'echo a\n');
  await writeFile(join(dir, 'config/nodes.yaml'), 'nodes: []\n');
  return dir;
}

describe('bootstrap repository served by the controller (real git, real HTTP)', () => {
  it('snapshots the directory into a stable commit, without the inventory', async () => {
    const src = await bootstrapDir();
    const bare = join(await mkdtemp(join(tmpdir(), 'osbuild-bare-')), 'bootstrap.git');
    const exclude = [join(src, 'config/nodes.yaml')];
    const { commit: first } = await snapshotDirectory(exec, src, bare, { exclude });
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    expect((await snapshotDirectory(exec, src, bare, { exclude })).commit).toBe(first);
    const files = (await run('git', ['--git-dir', bare, 'ls-tree', '-r', '--name-only', first])).stdout
      .trim()
      .split('\n');
    expect(files).toEqual(['scripts/10-a.sh', 'setup.sh']);

    await writeFile(join(src, 'setup.sh'), '#!/bin/bash\necho changed\n');
    const { commit: second } = await snapshotDirectory(exec, src, bare, { exclude });
    expect(second).not.toBe(first);
    // History is kept, so runs pinned to the old commit can still fetch it.
    expect((await run('git', ['--git-dir', bare, 'rev-parse', `${second}^`])).stdout.trim()).toBe(first);
  });

  it('is cloned over dumb HTTP at the pinned commit, and serves nothing outside the repository', async () => {
    const src = await bootstrapDir();
    const bare = join(await mkdtemp(join(tmpdir(), 'osbuild-bare-')), 'bootstrap.git');
    const http = await startHttpServer({ host: '127.0.0.1', port: 0, bareDir: bare });
    servers.push(http);
    const { source } = await resolveBootstrap({
      exec,
      repo: undefined,
      ref: 'HEAD',
      bootstrapDir: src,
      bareDir: bare,
      publicHttpUrl: http.url,
      exclude: [join(src, 'config/nodes.yaml')],
    });
    expect(source.repo).toBe(`${http.url}/bootstrap.git`);
    const clone = join(await mkdtemp(join(tmpdir(), 'osbuild-clone-')), 'c');
    await run('git', ['clone', '--quiet', source.repo, clone]);
    expect((await run('git', ['-C', clone, 'rev-parse', 'HEAD'])).stdout.trim()).toBe(source.commit);

    const status = async (path: string) => (await fetch(`${http.url}${path}`)).status;
    expect(await status('/healthz')).toBe(200);
    expect(await status('/bootstrap.git/HEAD')).toBe(200);
    expect(await status('/bootstrap.git/osbuild-snapshot.index')).toBe(404);
    expect(await status('/bootstrap.git/../../etc/passwd')).toBe(404);
    expect(await status('/bootstrap.git/%2e%2e/%2e%2e/etc/passwd')).toBe(404);
    expect((await fetch(`${http.url}/bootstrap.git/HEAD`, { method: 'POST' })).status).toBe(405);
  });
});
