import type { Command, Step, StepSecrets } from '@osbuild/shared';

/** The step one command runs, and where the journal files it (operator commands: run `operator`). */
export interface CommandStep {
  runId: string;
  index: number;
  step: Step;
  /** kubeadm-join's just-in-time secrets: handed to the executor, never journalled. */
  secrets?: StepSecrets;
}

/** Run id journal entries of operator commands carry. */
export const OPERATOR_RUN_ID = 'operator';

/**
 * Every command runs as one step through the same executor table, so operator commands get the
 * provisioning steps' timeouts, output tail, journal and reboot resolution for free.
 */
export function commandStep(cmd: Command): CommandStep {
  const b = cmd.body;
  switch (b.type) {
    case 'run-step':
      return { runId: b.runId, index: b.index, step: b.step, ...(b.secrets ? { secrets: b.secrets } : {}) };
    case 'reboot':
      return { runId: OPERATOR_RUN_ID, index: 0, step: { kind: 'reboot', timeoutSec: b.timeoutSec } };
    case 'run-script':
      return {
        runId: OPERATOR_RUN_ID,
        index: 0,
        step: {
          kind: 'run-script',
          repo: b.repo,
          commit: b.commit,
          script: b.script,
          args: b.args,
          env: {},
          timeoutSec: b.timeoutSec,
        },
      };
    case 'reset-node':
      return { runId: OPERATOR_RUN_ID, index: 0, step: { kind: 'reset-node', timeoutSec: b.timeoutSec } };
  }
}

/** True for commands an operator sent (they are acknowledged; provisioning steps are not). */
export function isOperatorCommand(cmd: Command): boolean {
  return cmd.body.type !== 'run-step';
}
