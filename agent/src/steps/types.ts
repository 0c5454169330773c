import type { StepKind, StepOf, StepSecrets } from '@osbuild/shared';
import type { Exec, OutputStream } from '../host/exec.js';
import type { HostSystem } from '../host/host-system.js';
import type { HostPaths } from '../host/paths.js';

/** Everything an executor may use; side effects only through these. */
export interface StepContext {
  paths: HostPaths;
  stateDir: string;
  nodeId: string;
  host: HostSystem;
  exec: Exec;
  /** Aborted on timeout or when the agent stops; executors pass it to every child process. */
  signal: AbortSignal;
  /** Stream output to the controller (coalesced) and into the result's tail. */
  output(stream: OutputStream, text: string): void;
  now(): Date;
  /** Just-in-time secrets from the command (kubeadm join); never journaled, logged or echoed. */
  secrets?: StepSecrets;
}

/** How an executor finished. `awaiting-reboot`: the verdict comes after the restart. */
export type StepOutcome =
  | {
      status: 'succeeded';
      changed: boolean;
      exitCode?: number | null;
      /** Secret output (kubeconfig, certificate key) for the result's `secret` field only. */
      secret?: string;
    }
  | { status: 'failed'; error: string; exitCode?: number | null }
  | { status: 'awaiting-reboot' };

/** Runs one step kind. Idempotent: running it again on the same host reports `changed: false`. */
export type Executor<K extends StepKind> = (step: StepOf<K>, ctx: StepContext) => Promise<StepOutcome>;

/** One executor per step kind; a new kind without an executor does not compile. */
export type ExecutorTable = { [K in StepKind]: Executor<K> };
