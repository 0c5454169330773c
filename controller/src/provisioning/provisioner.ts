import {
  type Command,
  type CommandResult,
  type Hello,
  type Inventory,
  type NodeRole,
  PROTOCOL_VERSION,
  type Step,
  type StepSecrets,
  type Welcome,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import type { CredentialMint } from '../auth/credential-mint.js';
import { issueNodeCredential } from '../auth/credentials.js';
import type { VerifiedSecrets } from '../auth/secrets.js';
import type { Clock } from '../host/clock.js';
import type { NodeRow } from '../store/node-store.js';
import type { StepRow } from '../store/run-store.js';
import type { Store } from '../store/store.js';
import { handleClaim } from './enrolment.js';
import type { KubeHooks } from './kube-hooks.js';
import { isUnsettled, type Lifecycle, type Outgoing, UNSETTLED } from './lifecycle.js';
import { type MatchResult, matchNode } from './matcher.js';
import { approveNode, retryNode } from './operator-actions.js';
import { type BootstrapSource, planFor } from './planner.js';
import { decideStepOutcome, type RetryPolicy, stepLabel } from './step-outcome.js';

/** What the provisioner needs from the rest of the controller. */
export interface ProvisionerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  sendCommand(nodeId: string, cmd: Command): void;
  /** Answer a claiming board on its welcome topic. */
  sendWelcome(nodeId: string, welcome: Welcome): void;
  /** Record a security-relevant fact in the audit log (never a secret). */
  audit(entry: {
    action: string;
    target: string;
    result: 'ok' | 'refused';
    detail?: Record<string, unknown>;
  }): void;
  inventory(): Inventory;
  /** Null while the bootstrap repository cannot be resolved; matched nodes then wait. */
  bootstrap(): BootstrapSource | null;
  retry: RetryPolicy;
  /** Extra time past a step's own timeout before the controller gives up waiting for its result. */
  deadlineGraceMs: number;
  newRunId(): string;
  /** Told when a step attempt ends (metrics); `kind` is the step kind, never a script name. */
  onStepFinished?(kind: string, outcome: string, seconds: number): void;
  /** The authenticator's cache of verified secrets: an issued credential is entered at once. */
  verifiedSecrets?: VerifiedSecrets;
  /** Credentials hashed ahead of time off the event loop (the router prepares one per claim). */
  credentialMint?: CredentialMint;
  /** The Kubernetes module; without it plans hold no kubeadm steps. */
  kube?: KubeHooks;
}

/**
 * Drives each node's plan. Its public methods beyond the event handlers (`advance`, `setPhase`,
 * ...) form the {@link Lifecycle} that enrolment and operator actions build on; nothing else
 * should call them.
 * Every decision is read from and written to the store inside one
 * transaction before any message goes out, so a controller killed at any point resumes from the
 * store: re-sent commands carry the same id and the agent de-duplicates them.
 */
export class Provisioner implements Lifecycle {
  constructor(readonly d: ProvisionerDeps) {}

  now(): string {
    return this.d.clock.now().toISOString();
  }

  /** A node said hello: record it, match it, start or resume its plan. */
  onHello(hello: Hello): void {
    const nodeId = hello.identity.nodeId;
    const outbox = this.d.store.tx(() => {
      const now = this.now();
      const { created, rebooted } = this.d.store.nodes.recordHello(hello, now);
      if (created) this.d.store.events.append(nodeId, 'discovered', { identity: hello.identity }, now);
      if (rebooted) this.d.store.events.append(nodeId, 'rebooted', { bootId: hello.identity.bootId }, now);
      return this.advance(nodeId);
    });
    this.flush(outbox);
  }

  /** A board that holds only the claim secret says who it is (see enrolment.ts). */
  onClaim(hello: Hello): void {
    this.flush(this.d.store.tx(() => handleClaim(this, hello)));
  }

  /** Operator approval of a pending node as `hostname` (see operator-actions.ts). */
  approve(nodeId: string, hostname: string, role: NodeRole | undefined): NodeRow {
    return approveNode(this, nodeId, hostname, role);
  }

  /** Operator retry of a failed node, or a new run from the start (see operator-actions.ts). */
  retry(name: string, fromStart: boolean): NodeRow {
    return retryNode(this, name, fromStart);
  }

  /** The agent reported the end of a command. */
  onResult(nodeId: string, result: CommandResult): void {
    if (this.d.kube?.onOwnResult(nodeId, result)) return;
    const outbox = this.d.store.tx(() => {
      const now = this.d.clock.now();
      const step = this.d.store.runs.stepByCmdId(result.id);
      const run = step && this.d.store.runs.get(step.run_id);
      if (!step || !run || run.node_id !== nodeId) {
        this.d.store.events.append(
          nodeId,
          'result-ignored',
          { cmdId: result.id, why: 'unknown command' },
          now.toISOString(),
        );
        return [];
      }
      if (step.state !== 'running' || run.state !== 'running') {
        // A late duplicate of a result we already acted on (re-sent after a reconnect).
        return [];
      }
      this.d.kube?.onStepResult(nodeId, JSON.parse(step.spec) as Step, result);
      this.finishStep(step, run.max_attempts, result, now);
      return this.advance(nodeId);
    });
    this.flush(outbox);
  }

  /** Advance one node now (the Kubernetes module finished preparing its next step). */
  kick(nodeId: string): void {
    this.flush(this.d.store.tx(() => this.advance(nodeId)));
  }

  /** Periodic work: steps past their deadline, retries whose time has come. */
  tick(): void {
    const outbox = this.d.store.tx(() => {
      const now = this.d.clock.now();
      const nodes = new Set<string>();
      for (const step of this.d.store.runs.overdue(now.toISOString())) {
        const run = this.d.store.runs.get(step.run_id);
        if (!run) continue;
        this.finishStep(
          step,
          run.max_attempts,
          {
            outcome: 'timed-out',
            exitCode: null,
            error: 'no result from the node before the deadline',
            outputTail: step.output_tail,
          },
          now,
        );
        nodes.add(run.node_id);
      }
      for (const step of this.d.store.runs.dueRetries(now.toISOString())) {
        const run = this.d.store.runs.get(step.run_id);
        if (run) nodes.add(run.node_id);
      }
      return [...nodes].flatMap((n) => this.advance(n));
    });
    this.flush(outbox);
  }

  /** After the inventory changed, nodes waiting on it get another chance to match. */
  rematchUnsettled(): void {
    const outbox = this.d.store.tx(() =>
      this.d.store.nodes.listInPhase(UNSETTLED).flatMap((n) => this.advance(n.node_id)),
    );
    this.flush(outbox);
  }

  /**
   * Move a node as far as it can go now, returning the commands to send. Called inside a
   * transaction; idempotent, so calling it again (a re-sent hello) re-sends the same command.
   */
  advance(nodeId: string): Outgoing[] {
    const node = this.d.store.nodes.get(nodeId);
    if (!node) return [];
    if (isUnsettled(node.phase)) return this.matchAndPlan(node);
    if (node.phase !== 'provisioning' || !node.current_run_id) return [];

    const runId = node.current_run_id;
    const step = this.d.store.runs.currentStep(runId);
    const now = this.d.clock.now();
    if (!step) {
      this.d.store.runs.finishRun(runId, 'succeeded', now.toISOString());
      this.setPhase(nodeId, 'provisioned', 'plan complete');
      this.d.kube?.onPlanComplete(nodeId);
      return [];
    }
    if (step.state === 'failed') {
      this.d.store.runs.finishRun(runId, 'failed', now.toISOString());
      const spec = JSON.parse(step.spec) as Record<string, unknown>;
      this.setPhase(
        nodeId,
        'failed',
        step.error ?? `step ${step.idx} (${stepLabel(step.kind, spec)}) failed`,
      );
      return [];
    }
    if (step.state === 'running') {
      const secrets = this.d.kube ? this.d.kube.resend(step.cmd_id ?? '') : null;
      // Secrets live in memory only: after a restart the command cannot be re-sent as it was, and
      // its deadline turns it into a retry with fresh ones.
      if (secrets === undefined) return [];
      return [{ nodeId, cmd: this.commandFor(step, runId, secrets ?? undefined) }];
    }
    if (step.not_before && step.not_before > now.toISOString()) return [];
    const spec = JSON.parse(step.spec) as Step;
    let secrets: StepSecrets | undefined;
    if (this.d.kube) {
      const prepared = this.d.kube.prepare(nodeId, node.hostname ?? nodeId, spec, runId, step.idx);
      if (!prepared.ready) {
        this.setPhase(nodeId, 'provisioning', `step ${step.idx} (${step.kind}) waiting: ${prepared.reason}`);
        return [];
      }
      secrets = prepared.secrets;
    }
    const cmd = this.dispatch(step, runId, now, secrets);
    this.d.kube?.dispatched(cmd.id, nodeId, spec, secrets);
    return [{ nodeId, cmd }];
  }

  private matchAndPlan(node: NodeRow): Outgoing[] {
    const inventory = this.d.inventory();
    const approval = this.d.store.approvals.get(node.node_id) ?? null;
    const match: MatchResult = matchNode(
      { nodeId: node.node_id, macs: JSON.parse(node.macs) as string[], serial: node.serial },
      inventory,
      approval,
      (hostname) => this.d.store.nodes.findByHostname(hostname)?.node_id ?? null,
    );
    if (match.kind === 'pending') {
      this.setPhase(node.node_id, 'pending', `${match.reason}: ${match.detail}`);
      return [];
    }
    const { target } = match;
    const ip = target.entry?.ip?.split('/')[0] ?? null;
    this.d.store.nodes.bind(node.node_id, { hostname: target.hostname, role: target.role, ip });
    if (node.credential_hash === null) {
      const welcome = this.issueCredential(node.node_id, this.now());
      this.setPhase(
        node.node_id,
        'matched',
        `matched by ${target.by} as ${target.hostname}; credential issued, waiting for the node to log in with it`,
      );
      return [{ nodeId: node.node_id, welcome }];
    }
    if (node.credential_used_at === null) return [];
    const bootstrap = this.d.bootstrap();
    if (!bootstrap) {
      this.setPhase(node.node_id, 'matched', `matched by ${target.by}; waiting for the bootstrap repository`);
      return [];
    }
    const runId = this.d.newRunId();
    const kube = this.d.kube?.planFor(node.node_id, target.role) ?? null;
    const steps: Step[] = planFor({ runId, nodeId: node.node_id, target, inventory, bootstrap, kube });
    const now = this.now();
    this.d.store.runs.create({
      id: runId,
      nodeId: node.node_id,
      steps,
      maxAttempts: 1 + inventory.defaults.stepRetries,
      now,
    });
    this.d.store.nodes.setCurrentRun(node.node_id, runId);
    this.d.store.events.append(
      node.node_id,
      'matched',
      { hostname: target.hostname, by: target.by, runId },
      now,
    );
    this.setPhase(
      node.node_id,
      'provisioning',
      `matched by ${target.by} as ${target.hostname}; run ${runId} started`,
    );
    return this.advance(node.node_id);
  }

  private dispatch(step: StepRow, runId: string, now: Date, secrets?: StepSecrets): Command {
    const spec = JSON.parse(step.spec) as Step;
    const attempt = step.attempt + 1;
    const deadline = new Date(now.getTime() + spec.timeoutSec * 1000 + this.d.deadlineGraceMs).toISOString();
    const cmdId = `${runId}-${step.idx}-${attempt}`;
    this.d.store.runs.markDispatched({
      runId,
      idx: step.idx,
      attempt,
      cmdId,
      deadline,
      now: now.toISOString(),
    });
    const node = this.d.store.runs.get(runId)?.node_id ?? '';
    this.setPhase(
      node,
      'provisioning',
      `step ${step.idx} (${stepLabel(step.kind, spec)}) attempt ${attempt}`,
    );
    this.d.store.events.append(
      node,
      'step-dispatched',
      { runId, index: step.idx, kind: step.kind, attempt, cmdId },
      now.toISOString(),
    );
    const stored = this.d.store.runs.stepByCmdId(cmdId);
    if (!stored) throw new Error(`step ${cmdId} was not stored`);
    return this.commandFor(stored, runId, secrets);
  }

  private commandFor(step: StepRow, runId: string, secrets?: StepSecrets): Command {
    return {
      v: PROTOCOL_VERSION,
      id: step.cmd_id ?? '',
      deadline: step.deadline ?? this.now(),
      body: {
        type: 'run-step',
        runId,
        index: step.idx,
        attempt: step.attempt,
        step: JSON.parse(step.spec) as Step,
        ...(secrets ? { secrets } : {}),
      },
    };
  }

  private finishStep(
    step: StepRow,
    maxAttempts: number,
    result: Pick<CommandResult, 'outcome' | 'exitCode' | 'error' | 'outputTail'>,
    now: Date,
  ): void {
    const spec = JSON.parse(step.spec) as Record<string, unknown>;
    const decision = decideStepOutcome({
      outcome: result.outcome,
      attempt: step.attempt,
      maxAttempts,
      index: step.idx,
      kind: stepLabel(step.kind, spec),
      exitCode: result.exitCode,
      error: result.error,
      now,
      retry: this.d.retry,
    });
    const state =
      decision.next === 'advance' ? 'succeeded' : decision.next === 'retry' ? 'pending' : 'failed';
    this.d.store.runs.markFinished({
      runId: step.run_id,
      idx: step.idx,
      state,
      notBefore: decision.next === 'retry' ? decision.notBefore.toISOString() : null,
      exitCode: result.exitCode,
      error: decision.next === 'fail' ? decision.reason : result.error,
      outputTail: result.outputTail,
      now: now.toISOString(),
    });
    const nodeId = this.d.store.runs.get(step.run_id)?.node_id ?? null;
    this.d.store.events.append(
      nodeId,
      'step-finished',
      {
        runId: step.run_id,
        index: step.idx,
        kind: step.kind,
        attempt: step.attempt,
        outcome: result.outcome,
        exitCode: result.exitCode,
        decision: decision.next,
      },
      now.toISOString(),
    );
    this.d.logger.info(
      {
        nodeId,
        runId: step.run_id,
        index: step.idx,
        kind: step.kind,
        attempt: step.attempt,
        outcome: result.outcome,
        decision: decision.next,
      },
      'step finished',
    );
    if (step.started_at) {
      this.d.onStepFinished?.(
        step.kind,
        result.outcome,
        (now.getTime() - Date.parse(step.started_at)) / 1000,
      );
    }
  }

  /** Forget the node's run so it is matched and planned afresh. */
  restart(node: NodeRow, reason: string): void {
    const now = this.now();
    if (node.current_run_id && this.d.store.runs.get(node.current_run_id)?.state === 'running') {
      this.d.store.runs.finishRun(node.current_run_id, 'cancelled', now);
    }
    this.d.store.nodes.setCurrentRun(node.node_id, null);
    this.setPhase(node.node_id, 'discovered', reason);
  }

  issueCredential(nodeId: string, now: string): Welcome {
    const welcome = issueNodeCredential(
      this.d.store,
      nodeId,
      now,
      this.d.verifiedSecrets,
      this.d.credentialMint,
    );
    this.d.audit({ action: 'credential.issued', target: nodeId, result: 'ok' });
    return welcome;
  }

  setPhase(nodeId: string, phase: NodeRow['phase'], reason: string): void {
    const before = this.d.store.nodes.get(nodeId);
    const now = this.now();
    this.d.store.nodes.setPhase(nodeId, phase, reason, now);
    if (before?.phase !== phase) {
      this.d.store.events.append(nodeId, 'phase', { from: before?.phase ?? null, to: phase, reason }, now);
      this.d.logger.info({ nodeId, from: before?.phase, to: phase, reason }, 'node phase changed');
    }
  }

  flush(outbox: Outgoing[]): void {
    for (const o of outbox) {
      if ('cmd' in o) this.d.sendCommand(o.nodeId, o.cmd);
      else this.d.sendWelcome(o.nodeId, o.welcome);
    }
  }
}
