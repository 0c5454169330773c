// Wiring for the Kubernetes stand-ins: the stand-in API server plus the stand-in kubeadm, kubectl
// and etcdctl (test/fixtures/bin), put on the PATH of the agents' exec seam only. Shared by the
// agent's kubeadm step tests and the controller's cluster tests.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Exec, exec as realExec } from '@osbuild/agent';
import { type StandinKubeApiServer, startStandinKubeApiServer } from './standin-kube-apiserver.js';

/** Directory of the stand-in kubeadm, kubectl and etcdctl. */
export const STANDIN_BIN = fileURLToPath(new URL('../fixtures/bin/', import.meta.url));

/** One call a stand-in tool recorded. */
export interface StandinCall {
  tool: string;
  argv: string[];
  root: string;
}

/** The stand-in cluster: API server, tool state directory, and an exec for agents. */
export interface KubeStandins {
  api: StandinKubeApiServer;
  dir: string;
  /** The real exec with the stand-ins first on PATH (the agent's OS seam). */
  exec: Exec;
  calls(): Promise<StandinCall[]>;
  /** Every file the stand-ins wrote (calls, etcd members, certificate key) as text. */
  stateText(): Promise<string>;
  close(): Promise<void>;
}

/** Start the stand-in API server and prepare the stand-in tools' state directory. */
export async function startKubeStandins(): Promise<KubeStandins> {
  const api = await startStandinKubeApiServer();
  const dir = await mkdtemp(path.join(tmpdir(), 'osbuild-kube-standin-'));
  await writeFile(
    path.join(dir, 'standin.json'),
    JSON.stringify({
      server: api.url,
      caPem: api.caPem,
      adminToken: api.adminToken,
      adminKubeconfig: api.adminKubeconfig(),
    }),
  );
  await writeFile(path.join(dir, 'calls.jsonl'), '');
  const env = { PATH: `${STANDIN_BIN}:${process.env.PATH ?? ''}`, OSBUILD_KUBE_STANDIN_DIR: dir };
  const calls = async () =>
    (await readFile(path.join(dir, 'calls.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as StandinCall);
  return {
    api,
    dir,
    exec: (file, args, opts = {}) => realExec(file, args, { ...opts, env: { ...opts.env, ...env } }),
    calls,
    async stateText() {
      return readFile(path.join(dir, 'calls.jsonl'), 'utf8');
    },
    close: () => api.close(),
  };
}
