// Suite "provision": time from the first hello to every node provisioned, for fleets of in-process
// agents against an in-process controller over TLS with credentials (embedded Aedes, SQLite,
// bootstrap repo over HTTP, real bash): each agent enrols with the claim secret, then provisions
// with the full plan (set-hostname, configure-network, setup.sh fetched with git, mark-provisioned).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentHandle, startAgent } from '@osbuild/agent';
import pino from 'pino';
import { createRpcClient } from '../src/rpc/client.js';
import { startController } from '../src/server/start-controller.js';
import { syntheticInventory, writeSyntheticHost } from '../src/sim/synthetic-host.js';
import { connectMqtt } from '../src/transport/mqtt.js';
import type { Row, SuiteResult } from './support/report.js';

const SETUP = `#!/usr/bin/env bash
set -euo pipefail
mkdir -p "$OSBUILD_HOST_ROOT/etc/osbuild"
echo "$OSBUILD_ROLE" > "$OSBUILD_HOST_ROOT/etc/osbuild/bootstrapped"
`;

async function benchFleet(n: number): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), `osbuild-bench-${n}-`));
  const bootstrapDir = join(dir, 'bootstrap');
  await mkdir(bootstrapDir);
  await writeFile(join(bootstrapDir, 'setup.sh'), SETUP, { mode: 0o755 });
  await writeFile(join(dir, 'nodes.yaml'), syntheticInventory(n));
  const roots = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const root = join(dir, 'hosts', String(i));
      await writeSyntheticHost(root, i);
      return root;
    }),
  );
  const silent = pino({ level: 'silent' });
  const controller = await startController({
    inventoryPath: join(dir, 'nodes.yaml'),
    dataDir: join(dir, 'data'),
    bootstrapDir,
    listen: 'mqtts://127.0.0.1:0',
    httpListen: 'http://127.0.0.1:0',
    logger: silent,
  });
  // Over TLS with credentials, as in production: agents enrol with the claim secret.
  const dataDir = join(dir, 'data');
  const ca = await readFile(join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const claimSecret = (await readFile(join(dataDir, 'claim.secret'), 'utf8')).trim();
  const op = JSON.parse(await readFile(join(dataDir, 'operator.json'), 'utf8')) as {
    username: string;
    password: string;
  };
  const rpc = createRpcClient({
    url: controller.mqttUrl,
    timeoutMs: 30_000,
    ...op,
    connect: (url, o) => connectMqtt(url, { ...o, ca }),
  });
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const agents: AgentHandle[] = [];
  try {
    return await measure();
  } finally {
    await Promise.allSettled(agents.map((a) => a.stop()));
    await rpc.close();
    await controller.stop();
    await rm(dir, { recursive: true, force: true });
  }

  async function measure(): Promise<Row> {
    agents.push(
      ...(await Promise.all(
        roots.map((hostRoot) =>
          startAgent({
            controllerUrl: controller.mqttUrl,
            hostRoot,
            logger: silent,
            claimSecret,
            tls: { caFile: join(dataDir, 'tls', 'ca.pem') },
          }),
        ),
      )),
    );
    let provisioned = 0;
    let lastPrint = 0;
    for (;;) {
      const nodes = await rpc.call('nodes.list', {});
      provisioned = nodes.filter((x) => x.phase === 'provisioned').length;
      const failed = nodes.filter((x) => x.phase === 'failed');
      if (failed.length > 0)
        throw new Error(`${failed.length} nodes failed, e.g. ${failed[0]?.name}: ${failed[0]?.reason}`);
      const elapsed = performance.now() - started;
      if (provisioned === n) break;
      if (elapsed - lastPrint > 5_000) {
        process.stderr.write(
          `  ${n} nodes: ${provisioned} provisioned after ${(elapsed / 1000).toFixed(1)} s\n`,
        );
        lastPrint = elapsed;
      }
      if (elapsed > 600_000) throw new Error(`only ${provisioned}/${n} provisioned after 10 min`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const totalMs = performance.now() - started;
    const rssAfter = process.memoryUsage().rss;
    return {
      nodes: n,
      'hello→all provisioned (s)': Number((totalMs / 1000).toFixed(2)),
      'per node (ms)': Number((totalMs / n).toFixed(1)),
      'process RSS growth (MiB)': Number(((rssAfter - rssBefore) / 2 ** 20).toFixed(1)),
    };
  }
}

/** Run the suite for each fleet size. */
export async function provisionSuite(o: { nodes: number[] }): Promise<SuiteResult> {
  const rows: Row[] = [];
  for (const n of o.nodes) {
    process.stderr.write(`provision ${n}: provisioning ${n} in-process agents...\n`);
    // A size that fails is reported as a row; the sizes after it still run.
    rows.push(await benchFleet(n).catch((err: Error) => ({ nodes: n, error: err.message })));
  }
  return {
    suite: 'provision',
    rows,
    notes: ['agents and controller in one process (the older, end-to-end figure); enrolment included'],
  };
}
