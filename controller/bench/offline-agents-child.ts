// Child process: real agents (startAgent, the agent's own session code) of enrolled nodes, each
// holding its credential in its state dir, connected to the controller through a relay that the
// parent asks to cut in one of three ways.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentHandle, startAgent } from '@osbuild/agent';
import { pino } from 'pino';
import { writeSyntheticHost } from '../src/sim/synthetic-host.js';
import { type ChildRequest, serveParent } from './support/child.js';
import { type Relay, startRelay } from './support/relay.js';
import type { SeededNode } from './support/workspace.js';

let relay: Relay | null = null;
let agents: AgentHandle[] = [];
let workDir: string | null = null;

async function start(req: ChildRequest) {
  const nodes = req.nodes as SeededNode[];
  const url = new URL(String(req.url));
  relay = await startRelay(Number(url.port));
  workDir = await mkdtemp(join(tmpdir(), 'osbuild-bench-agents-'));
  const dir = workDir;
  for (let i = 0; i < nodes.length; i += 50) {
    const batch = nodes.slice(i, i + 50);
    agents.push(
      ...(await Promise.all(
        batch.map(async (n) => {
          const root = join(dir, n.hostname);
          await writeSyntheticHost(root, n.index);
          const stateDir = join(root, 'var', 'lib', 'osbuild');
          await mkdir(stateDir, { recursive: true });
          await writeFile(
            join(stateDir, 'credential.json'),
            JSON.stringify({ username: n.nodeId, password: n.password }),
            { mode: 0o600 },
          );
          return startAgent({
            controllerUrl: `mqtts://127.0.0.1:${relay?.port}`,
            hostRoot: root,
            tls: { caFile: String(req.caFile) },
            keepaliveSec: Number(req.keepaliveSec),
            logger: pino({ level: 'silent' }),
          });
        }),
      )),
    );
  }
  return { started: agents.length };
}

async function cut(req: ChildRequest) {
  const cutAt = Date.now();
  if (req.mode === 'silent') relay?.silence();
  else if (req.mode === 'crash') relay?.closeUpstream();
  // Not awaited: the parent polls the store while the agents say goodbye.
  else void Promise.allSettled(agents.map((a) => a.stop()));
  return { cutAt };
}

serveParent({ start, cut }, async () => {
  // Agents first (the relay refuses their reconnects), then the relay and the host roots.
  await Promise.allSettled(agents.map((a) => a.stop()));
  agents = [];
  await relay?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});
