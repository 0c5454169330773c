// Telemetry payloads for the load generator: one real sample from the agent's own collector on the
// pi5-a fixture host root, then per publish only what changes between samples (seq, at, boot id,
// uptime), re-checked against the schema every time.
import { fileURLToPath } from 'node:url';
import { AGENT_VERSION, hostPaths, readIdentity, realStatFs, TelemetryCollector } from '@osbuild/agent';
import { type Telemetry, telemetrySchema } from '@osbuild/shared';

const FIXTURE_ROOT = fileURLToPath(new URL('../../../test/fixtures/hosts/pi5-a/', import.meta.url));

/** A sample as the agent collects it on a Pi 5 fixture root. */
export async function collectTemplate(): Promise<Telemetry> {
  const paths = hostPaths(FIXTURE_ROOT);
  const identity = await readIdentity(paths, { agentVersion: AGENT_VERSION, systemModel: async () => null });
  const collector = new TelemetryCollector({
    paths,
    // A fixture root reads throttling and service state from files; nothing is executed.
    exec: async () => {
      throw new Error('no commands on a fixture root');
    },
    statfs: realStatFs,
    now: () => new Date(),
  });
  await collector.collect(0, identity);
  // The second sample has a CPU percentage, like every sample after an agent's first.
  return collector.collect(1, identity);
}

/** The sample node `bootId` sends as its `seq`th, stamped now; throws if it would not validate. */
export function nextSample(template: Telemetry, bootId: string, seq: number, startedMs: number): string {
  const now = Date.now();
  const sample = telemetrySchema.parse({
    ...template,
    seq,
    at: new Date(now).toISOString(),
    bootId,
    uptimeSec: Math.round(template.uptimeSec + (now - startedMs) / 1000),
  });
  return JSON.stringify(sample);
}
