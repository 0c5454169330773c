// A controller, three fixture boards made kubeadm-ready, and the Kubernetes stand-ins wired
// together: the shared set-up of the Kubernetes end-to-end tests.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import { makeKubeReady } from '@osbuild/test-support/kube-host';
import { type KubeStandins, startKubeStandins } from '@osbuild/test-support/kube-standins';
import type pino from 'pino';
import { makeWorkspace, RECORDING_SETUP, startFixtureAgent, startTestController } from './e2e.js';

const FLANNEL = fileURLToPath(new URL('../../../bootstrap/manifests/flannel.yaml', import.meta.url));

/** nodes.yaml for the fixture boards (cp-01 pi5-a, w-01 pi5-b, w-02 pi5-c) with kubeadm on. */
export function kubeInventory(
  endpoint: string,
  opts: { extraCp?: boolean; ttlMinutes?: number } = {},
): string {
  return `
cluster:
  name: test-cluster
  kubeadm: true
  controlPlaneEndpoint: ${endpoint}
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/12
  cni: flannel
  tokenTtlMinutes: ${opts.ttlMinutes ?? 15}
defaults:
  network:
    prefix: 24
  labels:
    osbuild.dev/site: lab
  stepRetries: 2
nodes:
  - mac: "dc:a6:32:00:00:0a"
    hostname: cp-01
    role: control-plane
    ip: 10.0.10.10
  - serial: "10000000000000a2"
    hostname: w-01
    role: worker
    ip: 10.0.10.11
  - mac: "dc:a6:32:00:00:0c"
    serial: "10000000000000a3"
    hostname: ${opts.extraCp ? 'cp-02' : 'w-02'}
    role: ${opts.extraCp ? 'control-plane' : 'worker'}
    ip: 10.0.10.12
    labels:
      osbuild.dev/rack: b
    taints:
      - key: osbuild.dev/dedicated
        value: storage
        effect: NoSchedule
`;
}

/** Start stand-ins and a controller whose inventory points at the stand-in API server. */
export async function startKubeController(
  opts: { extraCp?: boolean; ttlMinutes?: number; logger?: pino.Logger } = {},
) {
  const standins = await startKubeStandins();
  const endpoint = new URL(standins.api.url).host;
  const ws = await makeWorkspace(kubeInventory(endpoint, opts), {
    'setup.sh': RECORDING_SETUP,
    'manifests/flannel.yaml': await readFile(FLANNEL, 'utf8'),
  });
  const controller = await startTestController(ws, opts.logger ? { logger: opts.logger } : {});
  return { standins, ws, controller };
}

/** A fixture board made kubeadm-ready, its agent using the stand-in tools. */
export async function startKubeAgent(
  c: Awaited<ReturnType<typeof startTestController>>,
  standins: KubeStandins,
  fixture: string,
  override: Record<string, string | null> = {},
  logger?: pino.Logger,
) {
  const root = await copyHostFixture(fixture);
  await makeKubeReady(root, override);
  return startFixtureAgent(c, fixture, root, { exec: standins.exec, ...(logger ? { logger } : {}) });
}
