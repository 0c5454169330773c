import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServeHandle, ServeOptions } from '../../src/cli/context.js';
import { runCli } from '../support/cli-harness.js';

describe('osbuild serve --kubeconfig', () => {
  it('hands the file content (not its path) to the controller to adopt, and never prints it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'osbuild-serve-kc-'));
    await writeFile(join(dir, 'admin.conf'), 'apiVersion: v1\nkind: Config\n# token: s3cr3t\n');
    const started: ServeOptions[] = [];
    const startController = async (opts: ServeOptions): Promise<ServeHandle> => {
      started.push(opts);
      return { mqttUrl: 'mqtt://127.0.0.1:1', httpUrl: 'http://127.0.0.1:2', stop: async () => undefined };
    };
    const r = await runCli(['serve', '--kubeconfig', 'admin.conf', '--log-level', 'trace'], {
      cwd: dir,
      deps: { startController },
    });
    expect(r.code).toBe(0);
    expect(started[0]?.adoptKubeconfig).toBe('apiVersion: v1\nkind: Config\n# token: s3cr3t\n');
    expect(r.stdout + r.stderr).not.toContain('s3cr3t');
  });

  it('exits 2 when the kubeconfig file does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'osbuild-serve-kc-'));
    const r = await runCli(['serve', '--kubeconfig', 'nope.conf'], {
      cwd: dir,
      deps: {
        startController: async () => {
          throw new Error('must not start');
        },
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no kubeconfig at ${join(dir, 'nope.conf')}`);
  });
});
