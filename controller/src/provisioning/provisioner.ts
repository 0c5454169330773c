import type { CommandResult, Hello, NodeRole, Welcome } from '@osbuild/shared';
import { issueNodeCredential } from '../auth/credentials.js';
import { PHASE_GROUPS } from '../lifecycle/node-phase.js';
import type { PeriodicJob } from '../lifecycle/service.js';
import type { NodeRecord } from '../store/node-store.js';
import { handleClaim } from './enrolment.js';
import { advanceNode } from './node-advance.js';
import { approveNode, retryNode } from './operator-actions.js';
import type { Outgoing } from './plan-port.js';
import type { ProvisionerDeps } from './provisioner-deps.js';
import type { ProvisioningCore } from './provisioning-core.js';
import { finishStep } from './step-dispatch.js';

export type { ProvisionerDeps } from './provisioner-deps.js';

/**
 * Drives each node's plan. Every decision is read from and written to the store inside one
 * transaction before any message goes out, so a controller killed at any point resumes from the
 * store: re-sent commands carry the same id and the agent de-duplicates them. Phases are set
 * through the phase owner (lifecycle/node-phase.ts), never written here.
 */
export class Provisioner implements ProvisioningCore {
  constructor(readonly deps: ProvisionerDeps) {}

  now(): string {
    return this.deps.clock.now().toISOString();
  }

  /** A node said hello: record it, match it, start or resume its plan. */
  onHello(hello: Hello): void {
    const { store } = this.deps;
    const nodeId = hello.identity.nodeId;
    const outbox = store.tx(() => {
      const now = this.now();
      const { created, rebooted } = store.nodes.recordHello(hello, now);
      if (created) store.events.append(nodeId, 'discovered', { identity: hello.identity }, now);
      if (rebooted) store.events.append(nodeId, 'rebooted', { bootId: hello.identity.bootId }, now);
      return this.advance(nodeId);
    });
    this.send(outbox);
  }

  /** A board that holds only the claim secret says who it is (see enrolment.ts). */
  onClaim(hello: Hello): void {
    this.send(this.deps.store.tx(() => handleClaim(this, hello)));
  }

  /** Operator approval of a pending node as `hostname` (see operator-actions.ts). */
  approve(nodeId: string, hostname: string, role: NodeRole | undefined): NodeRecord {
    return approveNode(this, nodeId, hostname, role);
  }

  /** Operator retry of a failed node, or a new run from the start (see operator-actions.ts). */
  retry(name: string, fromStart: boolean): NodeRecord {
    return retryNode(this, name, fromStart);
  }

  /** The agent reported the end of a plan step's command (the result router sends only those). */
  onResult(nodeId: string, result: CommandResult): void {
    const { store, kube } = this.deps;
    const outbox = store.tx(() => {
      const now = this.deps.clock.now();
      const step = store.runs.stepByCmdId(result.id);
      const run = step && store.runs.get(step.run_id);
      if (!step || !run || run.node_id !== nodeId) {
        store.events.append(
          nodeId,
          'result-ignored',
          { cmdId: result.id, why: 'unknown command' },
          now.toISOString(),
        );
        return [];
      }
      // A late duplicate of a result we already acted on (re-sent after a reconnect).
      if (step.state !== 'running' || run.state !== 'running') return [];
      kube?.onStepResult(nodeId, step.spec, result);
      finishStep(this.deps, step, run.max_attempts, result, now);
      return this.advance(nodeId);
    });
    this.send(outbox);
  }

  /** Advance one node in its own transaction (the Kubernetes module finished preparing its step). */
  advanceNow(nodeId: string): void {
    this.send(this.deps.store.tx(() => this.advance(nodeId)));
  }

  /** Steps past their deadline time out; retries whose time has come are dispatched. */
  checkDeadlines(): void {
    const { store } = this.deps;
    const outbox = store.tx(() => {
      const now = this.deps.clock.now();
      const nodes = new Set<string>();
      for (const step of store.runs.overdue(now.toISOString())) {
        const run = store.runs.get(step.run_id);
        if (!run) continue;
        const timedOut = {
          outcome: 'timed-out',
          exitCode: null,
          error: 'no result from the node before the deadline',
          outputTail: step.output_tail,
        } as const;
        finishStep(this.deps, step, run.max_attempts, timedOut, now);
        nodes.add(run.node_id);
      }
      for (const step of store.runs.dueRetries(now.toISOString())) {
        const run = store.runs.get(step.run_id);
        if (run) nodes.add(run.node_id);
      }
      return [...nodes].flatMap((n) => this.advance(n));
    });
    this.send(outbox);
  }

  /** The provisioner's periodic work, for the scheduler. */
  jobs(everyMs: number): PeriodicJob[] {
    return [{ name: 'step-deadlines', everyMs, run: () => this.checkDeadlines() }];
  }

  /** After the inventory changed, nodes waiting on it get another chance to match. */
  rematchUnsettled(): void {
    const { store } = this.deps;
    this.send(
      store.tx(() => store.nodes.listInPhase(PHASE_GROUPS.unsettled).flatMap((n) => this.advance(n.node_id))),
    );
  }

  advance(nodeId: string): Outgoing[] {
    return advanceNode(this, nodeId);
  }

  forget(node: NodeRecord, reason: string): void {
    const { store } = this.deps;
    const now = this.now();
    if (node.current_run_id && store.runs.get(node.current_run_id)?.state === 'running') {
      store.runs.finishRun(node.current_run_id, 'cancelled', now);
    }
    store.nodes.setCurrentRun(node.node_id, null);
    this.deps.phases.move(node.node_id, 'discovered', reason);
  }

  issueCredential(nodeId: string, now: string): Welcome {
    const { store, verifiedSecrets, credentialMint } = this.deps;
    const welcome = issueNodeCredential(store, nodeId, now, verifiedSecrets, credentialMint);
    this.deps.audit({ action: 'credential.issued', target: nodeId, result: 'ok' });
    return welcome;
  }

  send(outbox: Outgoing[]): void {
    for (const o of outbox) {
      if ('cmd' in o) this.deps.sendCommand(o.nodeId, o.cmd);
      else this.deps.sendWelcome(o.nodeId, o.welcome);
    }
  }
}
