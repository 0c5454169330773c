// Helpers for the operator-command tests: a provisioned fixture fleet with labels and a probe
// script in the bootstrap repo, and a CLI runner pointed at it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RpcClient } from '../../src/rpc/client.js';
import type { ControllerOptions } from '../../src/server/start-controller.js';
import { runCli } from './cli-harness.js';
import {
  type ControllerRef,
  makeWorkspace,
  operator,
  phases,
  RECORDING_SETUP,
  startFixtureAgent,
  startTestController,
  waitFor,
} from './e2e.js';

/** The fixture boards with labels, for selector tests: w-01 zone a, w-02 zone b, cp-01 zone a. */
export const LABELLED_INVENTORY = `
cluster:
  name: test-cluster
defaults:
  labels:
    site: lab
  stepRetries: 0
nodes:
  - mac: "dc:a6:32:00:00:0a"
    hostname: cp-01
    role: control-plane
    labels: { zone: a }
  - serial: "10000000000000a2"
    hostname: w-01
    role: worker
    labels: { zone: a }
  - mac: "dc:a6:32:00:00:0c"
    serial: "10000000000000a3"
    hostname: w-02
    role: worker
    labels: { zone: b }
  - serial: "10000000000000ff"
    hostname: w-99
    role: worker
    labels: { zone: b }
`;

/** A script an operator can `osbuild run`: echoes, fails when its root asks it to, counts runs. */
export const PROBE = `#!/usr/bin/env bash
set -euo pipefail
echo "probe on $OSBUILD_NODE_ID args: $*"
sleep "\${PROBE_SLEEP:-0}"
if [ -f "$OSBUILD_HOST_ROOT/etc/probe-fail" ]; then echo "failing as asked" >&2; exit 3; fi
if [ -f "$OSBUILD_HOST_ROOT/etc/probe-slow" ]; then sleep 30; fi
echo ran >> "$OSBUILD_HOST_ROOT/etc/probe-runs"
`;

/** Board fixture of each hostname in {@link LABELLED_INVENTORY}. */
export const BOARD = { 'cp-01': 'pi5-a', 'w-01': 'pi5-b', 'w-02': 'pi5-c' } as const;

/** A controller and provisioned agents on the given boards; cleanups are pushed to `cleanups`. */
export async function provisionedFleet(
  cleanups: Array<() => Promise<unknown>>,
  hostnames: Array<keyof typeof BOARD>,
  opts: { inventory?: string; files?: Record<string, string>; options?: Partial<ControllerOptions> } = {},
) {
  const ws = await makeWorkspace(opts.inventory ?? LABELLED_INVENTORY, {
    'setup.sh': RECORDING_SETUP,
    'scripts/probe.sh': PROBE,
    ...opts.files,
  });
  const c = await startTestController(ws, { ...(opts.options ? { options: opts.options } : {}) });
  cleanups.push(() => c.stop());
  const agents: Record<string, Awaited<ReturnType<typeof startFixtureAgent>>> = {};
  for (const h of hostnames) {
    const a = await startFixtureAgent(c, BOARD[h]);
    agents[h] = a;
    cleanups.push(() => a.agent.stop());
  }
  await waitFor(
    'fleet provisioned',
    async () => {
      const p = await askOp(c, phases);
      return hostnames.every((h) => p[h] === 'provisioned');
    },
    90_000,
  );
  // The data dir goes before any `--`: after it, everything is the script's own arguments.
  const cli = (args: string[]) => {
    const dash = args.indexOf('--');
    const at = dash === -1 ? args.length : dash;
    return runCli([...args.slice(0, at), '--data-dir', ws.dataDir, ...args.slice(at)]);
  };
  const root = (h: string) => agents[h]?.root as string;
  const touch = (h: string, rel: string) => writeFile(join(root(h), rel), 'x\n');
  return { ws, c, agents, cli, root, touch };
}

/** One call on a short-lived operator connection with a timeout that survives a loaded machine. */
export async function askOp<T>(c: ControllerRef, fn: (rpc: RpcClient) => Promise<T>): Promise<T> {
  const rpc = await operator(c, 10_000);
  try {
    return await fn(rpc);
  } finally {
    await rpc.close().catch(() => undefined);
  }
}

/** Parse `-o json` rollout output. */
export function outcomes(stdout: string): Array<{
  name: string;
  status: string;
  created?: boolean;
  command?: { id: string; state: string; reason: string; [k: string]: unknown };
}> {
  return JSON.parse(stdout);
}
