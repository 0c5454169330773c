// What a node gets from `git clone` of the bootstrap repository a real controller serves: only
// the allow-listed files (tracked by git, or the repository layout), never a key, a credentials
// file, a database or anything else that happens to lie in the bootstrap directory.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeGitRepo } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import { makeWorkspace, RECORDING_SETUP, startTestController, useCleanups } from '../support/e2e.js';

const run = promisify(execFile);
const cleanups = useCleanups();

// Every private-looking file below holds this marker; no object of a clone may contain it.
const SECRET = 'PRIVATE-MARKER-5f1c';

/** Files an operator might leave in a bootstrap directory that must never reach a node. */
const PRIVATE_FILES: Record<string, string> = {
  'state/tls/ca.key': `-----BEGIN PRIVATE KEY----- ${SECRET}\n`,
  'state/tls/server.key': `-----BEGIN PRIVATE KEY----- ${SECRET}\n`,
  'state/operator.json': `{"username":"admin","password":"${SECRET}"}\n`,
  'state/claim.secret': `${SECRET}\n`,
  'state/osbuild.db': `SQLite format 3 ${SECRET}\n`,
  'operator.json': `{"password":"${SECRET}"}\n`,
  '.env': `TOKEN=${SECRET}\n`,
  'notes.txt': `${SECRET}\n`,
  'scripts/deploy.key': `${SECRET}\n`,
  'scripts/.hidden.sh': `echo ${SECRET}\n`,
};

/** Clone `<httpUrl>/bootstrap.git` as a node does; return the tree at HEAD and every blob's text. */
async function cloneAsNode(httpUrl: string): Promise<{ tree: string[]; blobs: string }> {
  const clone = join(await mkdtemp(join(tmpdir(), 'osbuild-node-clone-')), 'c');
  await run('git', ['clone', '--quiet', `${httpUrl}/bootstrap.git`, clone]);
  const tree = (await run('git', ['-C', clone, 'ls-tree', '-r', 'HEAD'])).stdout
    .trim()
    .split('\n')
    .map((l) => l.replace(/^(\d+) blob [0-9a-f]+\t/, '$1 '));
  // Every object the clone received, in any commit, not only the files checked out.
  const objects = (await run('git', ['-C', clone, 'rev-list', '--objects', '--all'])).stdout
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[0] as string);
  let blobs = '';
  for (const id of objects) {
    const type = (await run('git', ['-C', clone, 'cat-file', '-t', id])).stdout.trim();
    if (type === 'blob') blobs += (await run('git', ['-C', clone, 'cat-file', 'blob', id])).stdout;
  }
  return { tree, blobs };
}

async function place(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
}

describe('git clone of the served bootstrap repository (real controller, real HTTP, real git)', () => {
  it('a plain directory: only top-level *.sh, scripts/ and manifests/, never private-looking files', async () => {
    const ws = await makeWorkspace('nodes: []\n', {
      'setup.sh': RECORDING_SETUP,
      'scripts/10-a.sh': 'echo a\n',
      'manifests/flannel.yaml': 'kind: List\n',
    });
    await place(ws.bootstrapDir, PRIVATE_FILES);
    // Private by its mode: the owner keeps it from others, like every key the controller writes.
    await writeFile(join(ws.bootstrapDir, 'scripts/20-token.sh'), `echo ${SECRET}\n`);
    await chmod(join(ws.bootstrapDir, 'scripts/20-token.sh'), 0o600);
    // A link inside the tree to a served file is served as a link.
    await symlink('10-a.sh', join(ws.bootstrapDir, 'scripts/current.sh'));
    const controller = await startTestController(ws);
    cleanups.push(() => controller.stop());

    const { tree, blobs } = await cloneAsNode(controller.httpUrl);
    expect(tree).toEqual([
      '100755 manifests/flannel.yaml', // makeWorkspace makes every file 0755
      '100755 scripts/10-a.sh',
      '120000 scripts/current.sh',
      '100755 setup.sh',
    ]);
    expect(blobs).not.toContain(SECRET);
  });

  it('a git repository: only tracked files, never an untracked key, credentials file or symlink', async () => {
    const repo = await makeGitRepo({
      'setup.sh': RECORDING_SETUP,
      'scripts/10-a.sh': 'echo a\n',
      'site/settings.conf': 'tracked, so served\n',
    });
    await place(repo.dir, PRIVATE_FILES);
    await writeFile(join(repo.dir, 'scripts/20-untracked.sh'), `echo ${SECRET}\n`);
    // Untracked, pointing at an untracked key: not served (and not a reason to refuse).
    await symlink('../state/tls/ca.key', join(repo.dir, 'scripts/ca.pem'));
    const ws = await makeWorkspace('nodes: []\n');
    const controller = await startTestController({ ...ws, bootstrapDir: repo.dir });
    cleanups.push(() => controller.stop());

    const { tree, blobs } = await cloneAsNode(controller.httpUrl);
    expect(tree).toEqual(['100755 scripts/10-a.sh', '100755 setup.sh', '100644 site/settings.conf']);
    expect(blobs).not.toContain(SECRET);
  });
});
