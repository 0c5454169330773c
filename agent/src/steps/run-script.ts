import path from 'node:path';
import { exists } from '../host/fs-util.js';
import { checkoutCommit } from './git-checkout.js';
import type { Executor } from './types.js';

/** Run a script from the bootstrap repo at a pinned commit, streaming its output. */
export const runScript: Executor<'run-script'> = async (step, ctx) => {
  let dir: string;
  try {
    dir = await checkoutCommit(ctx.exec, ctx.stateDir, step.repo, step.commit, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { status: 'failed', error: (err as Error).message, exitCode: null };
  }
  const script = path.join(dir, step.script);
  if (!(await exists(script))) {
    return { status: 'failed', error: `script ${step.script} not found at ${step.commit}`, exitCode: null };
  }
  const res = await ctx.exec('bash', [script, ...step.args], {
    cwd: dir,
    env: {
      OSBUILD_HOST_ROOT: ctx.paths.root,
      OSBUILD_STATE_DIR: ctx.stateDir,
      OSBUILD_NODE_ID: ctx.nodeId,
      ...step.env,
    },
    signal: ctx.signal,
    onOutput: ctx.output,
  });
  if (res.exitCode === 0) return { status: 'succeeded', changed: true, exitCode: 0 };
  const why =
    res.spawnError ?? (res.exitCode !== null ? `exit code ${res.exitCode}` : `killed by ${res.signal}`);
  return { status: 'failed', error: `${step.script} failed: ${why}`, exitCode: res.exitCode };
};
