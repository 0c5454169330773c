// The simulator's step runner, swapped in at the agent's executor port: each step takes a realistic
// time (scaled by `speed`), fails at `failRate`, and is deterministic for a given seed and board.
// Steps that are cheap and safe on a synthetic root (hostname, files, marker, reset, reboot) still
// run their real executor after the delay, so hellos, markers and boot ids behave as on a node.
import { createHash } from 'node:crypto';
import { type Executor, type ExecutorTable, executors as real, type StepContext } from '@osbuild/agent';
import type { Step, StepKind } from '@osbuild/shared';

/** Typical seconds per step kind on a Pi 5 (run-script: an apt-heavy bootstrap script). */
export const SIM_STEP_SECONDS: Record<StepKind, { base: number; jitter: number }> = {
  'set-hostname': { base: 0.3, jitter: 0.2 },
  'write-file': { base: 0.1, jitter: 0.05 },
  'configure-network': { base: 2, jitter: 1 },
  'run-script': { base: 20, jitter: 15 },
  reboot: { base: 0.2, jitter: 0.1 },
  'mark-provisioned': { base: 0.1, jitter: 0.05 },
  'reset-node': { base: 6, jitter: 3 },
  'kube-prereqs': { base: 1, jitter: 0.5 },
  'kubeadm-init': { base: 90, jitter: 30 },
  'kubeadm-join': { base: 40, jitter: 15 },
  'kubeadm-upload-certs': { base: 5, jitter: 2 },
  'etcd-member-remove': { base: 3, jitter: 1 },
};
/** Seconds a simulated board stays away during a reboot (before `speed`). */
export const SIM_REBOOT_SECONDS = 25;

/** Options of {@link simulatedExecutors}. */
export interface SimExecutorOptions {
  seed: number;
  /** Board index in the fleet. */
  index: number;
  /** Probability (0 to 1) that any one step attempt fails. */
  failRate: number;
  /** Time compression: 10 runs ten times faster than a real board. */
  speed: number;
}

/** A number in [0, 1) from a hash of the parts: deterministic, independent per input. */
export function unitHash(...parts: Array<string | number>): number {
  const h = createHash('sha256').update(parts.join('\0')).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

/** What the simulator decides for the n-th step this board runs: its duration and whether it fails. */
export function simDecision(
  o: SimExecutorOptions,
  kind: StepKind,
  n: number,
): { seconds: number; fails: boolean } {
  const t = SIM_STEP_SECONDS[kind];
  const seconds = (t.base + (unitHash(o.seed, o.index, n, kind, 'time') * 2 - 1) * t.jitter) / o.speed;
  return { seconds: Math.max(0, seconds), fails: unitHash(o.seed, o.index, n, kind, 'fail') < o.failRate };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** The simulated executor table of one board. Each call counts, so retries draw fresh decisions. */
export function simulatedExecutors(o: SimExecutorOptions): ExecutorTable {
  if (!(o.failRate >= 0 && o.failRate <= 1))
    throw new RangeError(`fail rate must be 0 to 1, not ${o.failRate}`);
  if (!(o.speed > 0)) throw new RangeError(`speed must be positive, not ${o.speed}`);
  let n = 0;
  const wrap = <K extends StepKind>(kind: K, after: Executor<K> | null): Executor<K> => {
    return async (step, ctx: StepContext) => {
      const d = simDecision(o, kind, n++);
      await delay(d.seconds * 1000, ctx.signal);
      if (d.fails) {
        ctx.output('stderr', `simulated failure of ${kind} (fail rate ${o.failRate})\n`);
        return { status: 'failed', error: `simulated failure (fail rate ${o.failRate})`, exitCode: 1 };
      }
      if (after) return after(step, ctx);
      ctx.output('stdout', `simulated ${describe(step)} in ${d.seconds.toFixed(2)} s\n`);
      return { status: 'succeeded', changed: true, exitCode: 0 };
    };
  };
  return {
    'set-hostname': wrap('set-hostname', real['set-hostname']),
    'write-file': wrap('write-file', real['write-file']),
    'configure-network': wrap('configure-network', null),
    'run-script': wrap('run-script', null),
    reboot: wrap('reboot', real.reboot),
    'mark-provisioned': wrap('mark-provisioned', real['mark-provisioned']),
    'reset-node': wrap('reset-node', real['reset-node']),
    // Simulated boards join no cluster (nodes.yaml from `sim inventory` leaves cluster.kubeadm
    // off): these only take their time, so a kubeadm-init here returns no admin kubeconfig.
    'kube-prereqs': wrap('kube-prereqs', null),
    'kubeadm-init': wrap('kubeadm-init', null),
    'kubeadm-join': wrap('kubeadm-join', null),
    'kubeadm-upload-certs': wrap('kubeadm-upload-certs', null),
    'etcd-member-remove': wrap('etcd-member-remove', null),
  };
}

function describe(step: Step): string {
  return step.kind === 'run-script' ? `run-script ${step.script}` : step.kind;
}
