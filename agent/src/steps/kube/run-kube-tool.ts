import type { ExecResult } from '../../host/exec.js';
import type { StepContext } from '../types.js';
import { redactingOutput } from './redact.js';

/**
 * Run kubeadm, kubectl or etcdctl with its output redacted on the way to events and the tail.
 * `OSBUILD_HOST_ROOT` is what the test stand-ins use to stay inside a fixture root; the real tools
 * ignore it.
 */
export async function runKubeTool(
  ctx: StepContext,
  file: string,
  args: string[],
  known: readonly string[] = [],
): Promise<ExecResult> {
  const out = redactingOutput(ctx.output, known);
  try {
    return await ctx.exec(file, args, {
      env: { OSBUILD_HOST_ROOT: ctx.paths.root },
      signal: ctx.signal,
      onOutput: out.push,
    });
  } finally {
    out.flush();
  }
}

/** One-line reason for a failed tool run. */
export function whyFailed(file: string, res: ExecResult): string {
  return `${file} failed: ${res.spawnError ?? (res.exitCode !== null ? `exit code ${res.exitCode}` : `killed by ${res.signal}`)}`;
}
