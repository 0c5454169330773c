// A benchmark's controller workspace (inventory, bootstrap dir, data dir) and enrolled nodes
// seeded through the controller's own store and credential code (setup, never timed): enrolling
// thousands of boards through claim -> welcome costs two scrypt runs each and is what the storm
// suite measures, not the telemetry or offline suites.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_VERSION } from '@osbuild/agent';
import { deriveNodeId, helloSchema, PROTOCOL_VERSION } from '@osbuild/shared';
import { newSecret } from '../../src/auth/secrets.js';
import { boardIdentity, syntheticInventory } from '../../src/sim/synthetic-host.js';
import { openStore } from '../../src/store/store.js';
import { forkChild } from './child.js';

/** Paths of one benchmark run. */
export interface BenchWorkspace {
  dir: string;
  dataDir: string;
  inventoryPath: string;
  bootstrapDir: string;
  /** Where the system under test logs warnings and errors. */
  logFile: string;
}

/** A node seeded as enrolled and provisioned, with the credential it logs in with. */
export interface SeededNode {
  index: number;
  nodeId: string;
  hostname: string;
  bootId: string;
  password: string;
}

const SETUP = `#!/usr/bin/env bash
set -euo pipefail
mkdir -p "$OSBUILD_HOST_ROOT/etc/osbuild"
echo "$OSBUILD_ROLE" > "$OSBUILD_HOST_ROOT/etc/osbuild/bootstrapped"
`;

/**
 * Lay out a workspace for `n` synthetic boards. `scripts: false` gives the shortest plan the
 * planner makes for an inventory entry with an address: set-hostname, configure-network,
 * mark-provisioned (no bootstrap script, so no git fetch and no bash per node).
 */
export async function makeWorkspace(
  name: string,
  n: number,
  opts: { scripts: boolean },
): Promise<BenchWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), `osbuild-bench-${name}-`));
  const bootstrapDir = join(dir, 'bootstrap');
  await mkdir(bootstrapDir);
  await writeFile(join(bootstrapDir, 'setup.sh'), SETUP, { mode: 0o755 });
  const inventoryPath = join(dir, 'nodes.yaml');
  const bootstrap = opts.scripts ? '' : 'bootstrap:\n  scripts: []\n';
  await writeFile(inventoryPath, `${syntheticInventory(n)}${bootstrap}`);
  return {
    dir,
    dataDir: join(dir, 'data'),
    inventoryPath,
    bootstrapDir,
    logFile: join(dir, 'controller.log'),
  };
}

/** Identity and hello board `i` of fleet 0 would send (what the agent reads from a synthetic root). */
export function syntheticHello(i: number) {
  const b = boardIdentity(i);
  const nodeId = deriveNodeId(b.serial, b.mac);
  return helloSchema.parse({
    v: PROTOCOL_VERSION,
    seq: 1,
    bootSeq: 1,
    at: new Date().toISOString(),
    identity: {
      nodeId,
      nics: [{ name: 'eth0', mac: b.mac }],
      serial: b.serial,
      model: 'Raspberry Pi 5 Model B Rev 1.0',
      bootSource: 'nvme',
      bootId: b.bootId,
      agentVersion: AGENT_VERSION,
      imageVersion: null,
      hostname: b.hostname,
    },
    provisioned: null,
  });
}

/**
 * Record boards 0..n-1 as enrolled (own credential, scrypt-hashed by the controller's hashSecret in
 * two child processes) and provisioned, bound to their inventory entries. Returns their passwords.
 */
export async function seedEnrolledNodes(dataDir: string, n: number): Promise<SeededNode[]> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const nodes = Array.from({ length: n }, (_, i) => {
    const b = boardIdentity(i);
    return {
      index: i,
      nodeId: deriveNodeId(b.serial, b.mac),
      hostname: b.hostname,
      bootId: b.bootId,
      ip: b.ip,
      password: newSecret(),
    };
  });
  const shards = 2;
  const hashes: string[] = [];
  const parts = await Promise.all(
    Array.from({ length: shards }, async (_, s) => {
      const slice = nodes.filter((x) => x.index % shards === s).map((x) => x.password);
      const child = forkChild('hash-child.ts', `hash ${s}`);
      try {
        return await child.call<string[]>({ type: 'hash', passwords: slice });
      } finally {
        await child.stop();
      }
    }),
  );
  for (const node of nodes) hashes.push(parts[node.index % shards]?.[Math.floor(node.index / shards)] ?? '');
  const store = openStore(join(dataDir, 'osbuild.db'));
  try {
    const now = new Date().toISOString();
    store.tx(() => {
      for (const node of nodes) {
        store.nodes.recordHello(syntheticHello(node.index), now);
        store.nodes.bind(node.nodeId, {
          hostname: node.hostname,
          role: node.index === 0 ? 'control-plane' : 'worker',
          ip: node.ip,
        });
        store.nodes.setCredential(node.nodeId, hashes[node.index] ?? null, now);
        store.nodes.setPhase(node.nodeId, 'provisioned', 'seeded by the benchmark', now);
        store.nodes.setOnline(node.nodeId, false, now);
      }
    });
  } finally {
    store.close();
  }
  return nodes.map(({ index, nodeId, hostname, bootId, password }) => ({
    index,
    nodeId,
    hostname,
    bootId,
    password,
  }));
}
