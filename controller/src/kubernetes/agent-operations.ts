import { type Command, type CommandResult, PROTOCOL_VERSION, type Step } from '@osbuild/shared';
import { COMMAND_ID_PREFIXES } from '../lifecycle/command-ids.js';

/**
 * Prefix of the ids of commands the Kubernetes module sends outside any plan: a result whose id
 * starts with it belongs to this module ({@link AgentOperations.settle}).
 */
export const KUBE_OP_ID_PREFIX = COMMAND_ID_PREFIXES.kube;

interface Waiter {
  resolve(r: CommandResult): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One-off commands to a node's agent (upload-certs, etcd member removal) on the node's own cmd
 * topic, answered on its cmd-result topic. Not stored: a controller restart simply asks again.
 */
export class AgentOperations {
  readonly #waiting = new Map<string, Waiter>();

  constructor(
    private readonly send: (nodeId: string, cmd: Command) => void,
    private readonly newId: () => string,
    private readonly now: () => Date,
  ) {}

  /** Run `step` on `nodeId`; resolves with a succeeded result, rejects with the reason otherwise. */
  run(nodeId: string, step: Step, timeoutMs: number): Promise<CommandResult> {
    const id = `${KUBE_OP_ID_PREFIX}${this.newId()}`;
    const cmd: Command = {
      v: PROTOCOL_VERSION,
      id,
      deadline: new Date(this.now().getTime() + timeoutMs).toISOString(),
      body: { type: 'run-step', runId: 'kube-ops', index: 0, attempt: 1, step },
    };
    return new Promise<CommandResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`${step.kind} on ${nodeId}: no result within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      timer.unref();
      this.#waiting.set(id, {
        resolve: (r) => {
          if (r.outcome === 'succeeded') resolve(r);
          else reject(new Error(`${step.kind} on ${nodeId} ${r.outcome}: ${r.error ?? 'no reason given'}`));
        },
        reject,
        timer,
      });
      this.send(nodeId, cmd);
    });
  }

  /** Hand a result over; true when it answered one of ours. */
  settle(result: CommandResult): boolean {
    if (!result.id.startsWith(KUBE_OP_ID_PREFIX)) return false;
    const w = this.#waiting.get(result.id);
    if (w) {
      this.#waiting.delete(result.id);
      clearTimeout(w.timer);
      w.resolve(result);
    }
    return true;
  }

  /** Fail everything still waiting (controller stopping). */
  close(): void {
    for (const [id, w] of this.#waiting) {
      clearTimeout(w.timer);
      w.reject(new Error('controller stopping'));
      this.#waiting.delete(id);
    }
  }
}
