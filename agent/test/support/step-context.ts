import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Step, type StepInput, stepSchema } from '@osbuild/shared';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import { exec } from '../../src/host/exec.js';
import { fixtureHostSystem } from '../../src/host/host-system.js';
import { hostPaths } from '../../src/host/paths.js';
import type { StepContext } from '../../src/steps/types.js';

/** A step context on a copied fixture root (fixture seam), recording output. */
export async function fixtureContext(fixture: string, signal = new AbortController().signal) {
  const root = await copyHostFixture(fixture);
  const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
  const paths = hostPaths(root);
  const output: { stream: string; text: string }[] = [];
  let restarts = 0;
  const ctx: StepContext = {
    paths,
    stateDir,
    nodeId: 'pi-10000000000000a1',
    host: fixtureHostSystem(
      paths,
      () => restarts++,
      () => new Date('2026-11-25T12:00:00.000Z'),
    ),
    exec,
    signal,
    output: (stream, text) => output.push({ stream, text }),
    now: () => new Date('2026-11-25T12:00:00.000Z'),
  };
  const actions = async () =>
    ((await readFile(paths.hostActionsLog, 'utf8').catch(() => '')) as string)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ctx, root, stateDir, paths, output, actions, restarts: () => restarts };
}

/** Parse a step input with defaults applied, narrowed to its kind. */
export function step<K extends Step['kind']>(input: StepInput & { kind: K }): Extract<Step, { kind: K }> {
  return stepSchema.parse(input) as Extract<Step, { kind: K }>;
}
