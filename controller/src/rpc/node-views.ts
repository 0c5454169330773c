import type { NodeCondition, NodeDetail, NodeSummary, NodeWhy, StepView } from '@osbuild/shared';
import type { NodeRecord } from '../store/node-store.js';
import type { StepRecord } from '../store/run-store.js';
import type { Store } from '../store/store.js';

/** A node as `nodes ls` shows it, with the health conditions that hold now. */
export function toSummary(n: NodeRecord, conditions: NodeCondition[] = []): NodeSummary {
  return {
    name: n.hostname ?? n.node_id,
    nodeId: n.node_id,
    hostname: n.hostname,
    mac: n.mac,
    serial: n.serial,
    role: n.role,
    ip: n.ip,
    phase: n.phase,
    reason: n.reason,
    online: n.online,
    lastSeen: n.last_seen,
    phaseSince: n.phase_since,
    conditions,
  };
}

/** A stored step as operators see it. */
export function toStepView(s: StepRecord): StepView {
  return {
    index: s.idx,
    kind: s.kind,
    state: s.state,
    attempt: s.attempt,
    startedAt: s.started_at,
    finishedAt: s.finished_at,
    exitCode: s.exit_code,
    error: s.error,
    outputTail: s.output_tail,
  };
}

/** A node with its identity and current run. */
export function toDetail(store: Store, n: NodeRecord, conditions: NodeCondition[] = []): NodeDetail {
  const run = n.current_run_id ? store.runs.get(n.current_run_id) : undefined;
  return {
    ...toSummary(n, conditions),
    model: n.model,
    bootSource: (n.boot_source as NodeDetail['bootSource']) ?? null,
    bootId: n.boot_id,
    agentVersion: n.agent_version,
    imageVersion: n.image_version,
    macs: n.macs,
    firstSeen: n.first_seen,
    run: run
      ? {
          id: run.id,
          state: run.state,
          createdAt: run.created_at,
          steps: store.runs.steps(run.id).map(toStepView),
        }
      : null,
    telemetry: store.telemetry.latest(n.node_id),
  };
}

/** What a node is waiting for, in one sentence an operator can act on. */
export function toWhy(
  store: Store,
  n: NodeRecord,
  conditions: NodeCondition[] = [],
  /** Why its Kubernetes Node is not Ready (from the Node's conditions), when it has joined. */
  kubeNotReady: string | null = null,
): NodeWhy {
  const current = n.current_run_id ? store.runs.currentStep(n.current_run_id) : undefined;
  const failed = n.current_run_id ? store.runs.lastFailedStep(n.current_run_id) : undefined;
  const last = store.commands.list({ nodeId: n.node_id, limit: 1 })[0];
  return {
    name: n.hostname ?? n.node_id,
    nodeId: n.node_id,
    phase: n.phase,
    reason: n.reason,
    online: n.online,
    waitingFor: waitingFor(n, current, kubeNotReady),
    currentStep: current && n.phase === 'provisioning' ? toStepView(current) : null,
    failedStep: failed ? toStepView(failed) : null,
    conditions,
    lastCommand: last
      ? {
          id: last.id,
          action: last.action,
          state: last.state,
          reason: last.reason,
          createdAt: last.created_at,
        }
      : null,
  };
}

function waitingFor(n: NodeRecord, current: StepRecord | undefined, kubeNotReady: string | null): string {
  const offline = n.online ? '' : ' (the node is offline)';
  switch (n.phase) {
    case 'discovered':
      return 'matching against the inventory';
    case 'pending':
      return n.reason.startsWith('unknown')
        ? `an operator: add it to the inventory or run \`osbuild nodes approve ${n.node_id} --as HOSTNAME\``
        : `an operator: resolve the identity problem, then \`osbuild nodes approve ${n.node_id} --as HOSTNAME\``;
    case 'matched':
      return `the bootstrap repository to become available${offline}`;
    case 'provisioning':
      if (!current) return `the plan to finish${offline}`;
      if (current.state === 'running')
        return `step ${current.idx} (${current.kind}) to report a result${offline}`;
      // A kubeadm step held back by the controller says why in the node's reason.
      if (current.state === 'pending' && !current.not_before && n.reason.includes(' waiting: '))
        return n.reason.slice(n.reason.indexOf(' waiting: ') + ' waiting: '.length);
      return `a retry of step ${current.idx} (${current.kind}) at ${current.not_before ?? 'once the node is back'}${offline}`;
    case 'provisioned':
      return `nothing: provisioning is complete (\`osbuild nodes retry ${n.hostname ?? n.node_id} --from-start\` runs it again)`;
    case 'failed':
      return `an operator: fix the cause of the failing step (see below), then \`osbuild nodes retry ${n.hostname ?? n.node_id}\``;
    case 'joined':
      return kubeNotReady
        ? `kubelet to report Ready. ${kubeNotReady}`
        : 'its Kubernetes Node to become Ready';
    case 'ready':
      return 'nothing';
    case 'reprovisioning':
      return `the node to come back for reprovisioning${offline}`;
  }
}
