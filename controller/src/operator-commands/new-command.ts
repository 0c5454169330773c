import { type CommandAction, type CommandBody, type RpcParams, UserError } from '@osbuild/shared';
import { COMMAND_ID_PREFIXES } from '../lifecycle/command-ids.js';
import { inPhaseGroup } from '../lifecycle/node-phase.js';
import type { NewCommandRecord } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';
import type { CommandServiceDeps } from './command-context.js';
import { offlineQueueReason } from './power-cycle.js';

type CreateParams = RpcParams<'commands.create'>;

/** Default seconds the node has once a command is sent, per action. */
export const DEFAULT_COMMAND_TIMEOUT_SEC: Record<CommandAction, number> = {
  reboot: 600,
  run: 900,
  reprovision: 3600,
};
/** Default seconds a command for an offline node stays queued. */
export const DEFAULT_COMMAND_TTL_SEC = 3600;

type NewCommandDeps = Pick<
  CommandServiceDeps,
  'store' | 'clock' | 'bootstrap' | 'netbootReset' | 'powerHooks' | 'newId' | 'defaultTtlSec'
>;

/** Builds the agent body of one action, or throws a UserError saying why the request cannot be met. */
type BodyBuilder = (
  node: NodeRecord,
  p: CreateParams,
  timeoutSec: number,
  deps: NewCommandDeps,
  name: string,
) => CommandBody;

/** The agent's reboot and reset bodies carry at most an hour (the protocol's limit). */
const agentTimeout = (timeoutSec: number) => Math.min(timeoutSec, 3600);

/** One builder per action, so a new action without a body does not compile. */
const BODY_BUILDERS: { readonly [A in CommandAction]: BodyBuilder } = {
  reboot: (_node, _p, timeoutSec) => ({ type: 'reboot', timeoutSec: agentTimeout(timeoutSec) }),
  run: (_node, p, timeoutSec, deps) => {
    if (!p.script) throw new UserError('bad-request', 'run needs a script path in the bootstrap repo');
    if (p.script.startsWith('/') || p.script.split('/').includes('..')) {
      throw new UserError('bad-request', `script must be a relative path inside the repo: ${p.script}`);
    }
    const b = deps.bootstrap();
    if (!b) throw new UserError('unavailable', 'the bootstrap repository is not available right now');
    return {
      type: 'run-script',
      repo: b.repo,
      commit: b.commit,
      script: p.script,
      args: p.args ?? [],
      timeoutSec,
    };
  },
  reprovision: (node, _p, timeoutSec, deps, name) => {
    if (!inPhaseGroup('reprovisionable', node.phase)) {
      throw new UserError(
        'invalid-state',
        `${name} is ${node.phase}; only provisioned, joined, ready or failed nodes can be reprovisioned`,
      );
    }
    if (node.boot_source !== 'netboot') return { type: 'reset-node', timeoutSec: agentTimeout(timeoutSec) };
    if (!deps.netbootReset) {
      throw new UserError(
        'invalid-state',
        `${name} boots from the network: reprovisioning it needs the netboot root reset, which this controller is not configured with`,
      );
    }
    return { type: 'reboot', timeoutSec: agentTimeout(timeoutSec) };
  },
};

/** Refuse a second reboot or reprovision while one is live for the node (runs queue on the agent). */
function refuseSecondDisruption(node: NodeRecord, p: CreateParams, deps: NewCommandDeps, name: string): void {
  if (p.action === 'run') return;
  const live = deps.store.commands
    .live(node.node_id)
    .find((c) => c.action === 'reboot' || c.action === 'reprovision');
  if (live) {
    throw new UserError(
      'conflict',
      `${name} already has ${live.action} command ${live.id} (${live.state}); wait for it or let it expire`,
    );
  }
}

/**
 * Check a command request against the node and build its record (state `queued`): the agent body,
 * the TTL and the timeout. Throws a UserError the operator can act on when the request cannot be met.
 */
export function newCommandRecord(
  node: NodeRecord,
  p: CreateParams,
  actor: string,
  deps: NewCommandDeps,
): NewCommandRecord {
  const name = node.hostname ?? node.node_id;
  if (node.credential_hash === null) {
    throw new UserError('invalid-state', `${name} has not enrolled yet; it cannot take commands`);
  }
  refuseSecondDisruption(node, p, deps, name);
  const timeoutSec = p.timeoutSec ?? DEFAULT_COMMAND_TIMEOUT_SEC[p.action];
  const body = BODY_BUILDERS[p.action](node, p, timeoutSec, deps, name);
  const now = deps.clock.now();
  const ttlSec = p.ttlSec ?? deps.defaultTtlSec ?? DEFAULT_COMMAND_TTL_SEC;
  const expires = new Date(now.getTime() + ttlSec * 1000).toISOString();
  return {
    id: `${COMMAND_ID_PREFIXES.operator}${deps.newId()}`,
    node_id: node.node_id,
    action: p.action,
    idempotency_key: p.idempotencyKey ?? null,
    body,
    script: p.action === 'run' ? (p.script ?? null) : null,
    args: p.action === 'run' ? (p.args ?? []) : [],
    force: p.force === true,
    state: 'queued',
    reason: node.online
      ? 'about to be sent'
      : offlineQueueReason(name, p.action, node, deps.powerHooks, expires),
    created_by: actor,
    created_at: now.toISOString(),
    expires_at: expires,
    timeout_sec: timeoutSec,
    deadline: null,
    sent_at: null,
    acked_at: null,
    finished_at: null,
    boot_id_before: null,
    boot_id_after: null,
    run_id: null,
    exit_code: null,
  };
}
