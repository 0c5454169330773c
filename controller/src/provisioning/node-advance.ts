// How far a node can go now: match an unsettled node and start its plan, or take a provisioning
// node's run to its next step. Idempotent, so a re-sent hello re-sends the same command.
import type { Step, StepSecrets } from '@osbuild/shared';
import { inPhaseGroup } from '../lifecycle/node-phase.js';
import type { NodeRecord } from '../store/node-store.js';
import type { StepRecord } from '../store/run-store.js';
import { type MatchResult, matchNode } from './matcher.js';
import type { Outgoing } from './plan-port.js';
import { planFor } from './planner.js';
import type { ProvisioningCore } from './provisioning-core.js';
import { dispatchStep, stepCommand } from './step-dispatch.js';
import { stepLabel } from './step-outcome.js';

/** What a provisioning node's run does next, from the step it is at (none: the plan is done). */
export type RunMove = 'complete' | 'fail' | 'resend' | 'wait-for-retry' | 'dispatch';

/** Pure: the run's next move at `now` (ISO), from its current step. */
export function nextRunMove(
  step: Pick<StepRecord, 'state' | 'not_before'> | undefined,
  now: string,
): RunMove {
  if (!step) return 'complete';
  if (step.state === 'failed') return 'fail';
  if (step.state === 'running') return 'resend';
  if (step.not_before && step.not_before > now) return 'wait-for-retry';
  return 'dispatch';
}

/** Move a node as far as it can go now; returns the messages to send. Inside a transaction. */
export function advanceNode(core: ProvisioningCore, nodeId: string): Outgoing[] {
  const { store, phases, kube, clock } = core.deps;
  const node = store.nodes.get(nodeId);
  if (!node) return [];
  if (inPhaseGroup('unsettled', node.phase)) return matchAndPlan(core, node);
  if (node.phase !== 'provisioning' || !node.current_run_id) return [];

  const runId = node.current_run_id;
  const step = store.runs.currentStep(runId);
  const now = clock.now();
  const move = nextRunMove(step, now.toISOString());
  if (!step || move === 'complete') {
    store.runs.finishRun(runId, 'succeeded', now.toISOString());
    phases.move(nodeId, 'provisioned', 'plan complete');
    kube?.onPlanComplete(nodeId);
    return [];
  }
  if (move === 'fail') {
    store.runs.finishRun(runId, 'failed', now.toISOString());
    phases.move(
      nodeId,
      'failed',
      step.error ?? `step ${step.idx} (${stepLabel(step.kind, step.spec)}) failed`,
    );
    return [];
  }
  if (move === 'resend') {
    const secrets = kube ? kube.resend(step.cmd_id ?? '') : null;
    // Secrets live in memory only: after a restart the command cannot be re-sent as it was, and
    // its deadline turns it into a retry with fresh ones.
    if (secrets === undefined) return [];
    return [{ nodeId, cmd: stepCommand(step, runId, core.now(), secrets ?? undefined) }];
  }
  if (move === 'wait-for-retry') return [];
  let secrets: StepSecrets | undefined;
  if (kube) {
    const prepared = kube.prepare(nodeId, node.hostname ?? nodeId, step.spec, runId, step.idx);
    if (!prepared.ready) {
      phases.move(nodeId, 'provisioning', `step ${step.idx} (${step.kind}) waiting: ${prepared.reason}`);
      return [];
    }
    secrets = prepared.secrets;
  }
  const cmd = dispatchStep(core.deps, step, runId, now, secrets);
  kube?.dispatched(cmd.id, nodeId, step.spec, secrets);
  return [{ nodeId, cmd }];
}

/** Match against the inventory; a matched node gets its credential, then (logged in) a plan. */
function matchAndPlan(core: ProvisioningCore, node: NodeRecord): Outgoing[] {
  const { store, phases } = core.deps;
  const inventory = core.deps.inventory();
  const approval = store.approvals.get(node.node_id) ?? null;
  const match: MatchResult = matchNode(
    { nodeId: node.node_id, macs: node.macs, serial: node.serial },
    inventory,
    approval,
    (hostname) => store.nodes.findByHostname(hostname)?.node_id ?? null,
  );
  if (match.kind === 'pending') {
    phases.move(node.node_id, 'pending', `${match.reason}: ${match.detail}`);
    return [];
  }
  const { target } = match;
  const ip = target.entry?.ip?.split('/')[0] ?? null;
  store.nodes.bind(node.node_id, { hostname: target.hostname, role: target.role, ip });
  if (node.credential_hash === null) {
    const welcome = core.issueCredential(node.node_id, core.now());
    phases.move(
      node.node_id,
      'matched',
      `matched by ${target.by} as ${target.hostname}; credential issued, waiting for the node to log in with it`,
    );
    return [{ nodeId: node.node_id, welcome }];
  }
  if (node.credential_used_at === null) return [];
  const bootstrap = core.deps.bootstrap();
  if (!bootstrap) {
    phases.move(node.node_id, 'matched', `matched by ${target.by}; waiting for the bootstrap repository`);
    return [];
  }
  const runId = core.deps.newRunId();
  const kube = core.deps.kube?.planFor(node.node_id, target.role) ?? null;
  const steps: Step[] = planFor({ runId, nodeId: node.node_id, target, inventory, bootstrap, kube });
  const now = core.now();
  store.runs.create({
    id: runId,
    nodeId: node.node_id,
    steps,
    maxAttempts: 1 + inventory.defaults.stepRetries,
    now,
  });
  store.nodes.setCurrentRun(node.node_id, runId);
  store.events.append(node.node_id, 'matched', { hostname: target.hostname, by: target.by, runId }, now);
  phases.move(
    node.node_id,
    'provisioning',
    `matched by ${target.by} as ${target.hostname}; run ${runId} started`,
  );
  return advanceNode(core, node.node_id);
}
