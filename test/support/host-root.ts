import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Directory holding the host-root fixtures (never modified by tests). */
export const HOST_FIXTURES = fileURLToPath(new URL('../fixtures/hosts/', import.meta.url));

/** Copy the fixture host root `name` into a fresh temporary directory and return its path. */
export async function copyHostFixture(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `osbuild-host-${name}-`));
  await cp(path.join(HOST_FIXTURES, name), dir, { recursive: true });
  return dir;
}

/**
 * A real git repository in a temporary directory with `files` committed (shell scripts executable).
 * `url` is a `file://` URL; `commit` is the full id of the single commit.
 */
export async function makeGitRepo(
  files: Record<string, string>,
): Promise<{ dir: string; url: string; commit: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'osbuild-repo-'));
  const git = (...args: string[]) => run('git', args, { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  await git('config', 'user.name', 'OSBuild Tests');
  await git('config', 'user.email', 'tests@osbuild.invalid');
  await git('config', 'commit.gpgsign', 'false');
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    if (name.endsWith('.sh') || content.startsWith('#!')) await chmod(file, 0o755);
  }
  await git('add', '--all');
  await git('commit', '--quiet', '--message', 'test fixture');
  const { stdout } = await git('rev-parse', 'HEAD');
  return { dir, url: `file://${dir}`, commit: stdout.trim() };
}
