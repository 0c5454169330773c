import {
  type CommandAction,
  type CommandBody,
  type CommandState,
  type RpcParams,
  UserError,
} from '@osbuild/shared';
import type { CommandRow } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';
import type { CommandServiceDeps } from './command-service.js';
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

const REPROVISIONABLE = new Set(['provisioned', 'joined', 'ready', 'failed']);

/**
 * Check a command request against the node and build its row (state `queued`): the agent body, the
 * TTL and the timeout. Throws a UserError the operator can act on when the request cannot be met.
 */
export function newCommandRow(
  node: NodeRecord,
  p: CreateParams,
  actor: string,
  d: Pick<
    CommandServiceDeps,
    'store' | 'clock' | 'bootstrap' | 'netbootReset' | 'powerHooks' | 'newId' | 'defaultTtlSec'
  >,
): Omit<CommandRow, 'deliveries' | 'output_tail'> {
  const name = node.hostname ?? node.node_id;
  if (node.credential_hash === null) {
    throw new UserError('invalid-state', `${name} has not enrolled yet; it cannot take commands`);
  }
  const live = d.store.commands
    .live(node.node_id)
    .find((c) => c.action === 'reboot' || c.action === 'reprovision');
  if (live && p.action !== 'run') {
    throw new UserError(
      'conflict',
      `${name} already has ${live.action} command ${live.id} (${live.state}); wait for it or let it expire`,
    );
  }
  const timeoutSec = p.timeoutSec ?? DEFAULT_COMMAND_TIMEOUT_SEC[p.action];
  let body: CommandBody;
  switch (p.action) {
    case 'reboot':
      body = { type: 'reboot', timeoutSec: Math.min(timeoutSec, 3600) };
      break;
    case 'run': {
      if (!p.script) throw new UserError('bad-request', 'run needs a script path in the bootstrap repo');
      if (p.script.startsWith('/') || p.script.split('/').includes('..')) {
        throw new UserError('bad-request', `script must be a relative path inside the repo: ${p.script}`);
      }
      const b = d.bootstrap();
      if (!b) throw new UserError('unavailable', 'the bootstrap repository is not available right now');
      body = {
        type: 'run-script',
        repo: b.repo,
        commit: b.commit,
        script: p.script,
        args: p.args ?? [],
        timeoutSec,
      };
      break;
    }
    case 'reprovision': {
      if (!REPROVISIONABLE.has(node.phase)) {
        throw new UserError(
          'invalid-state',
          `${name} is ${node.phase}; only provisioned, joined, ready or failed nodes can be reprovisioned`,
        );
      }
      if (node.boot_source === 'netboot') {
        if (!d.netbootReset) {
          throw new UserError(
            'invalid-state',
            `${name} boots from the network: reprovisioning it needs the netboot root reset, which this controller is not configured with`,
          );
        }
        body = { type: 'reboot', timeoutSec: Math.min(timeoutSec, 3600) };
      } else {
        body = { type: 'reset-node', timeoutSec: Math.min(timeoutSec, 3600) };
      }
      break;
    }
  }
  const now = d.clock.now();
  const ttlSec = p.ttlSec ?? d.defaultTtlSec ?? DEFAULT_COMMAND_TTL_SEC;
  const expires = new Date(now.getTime() + ttlSec * 1000).toISOString();
  return {
    id: `cmd-${d.newId()}`,
    node_id: node.node_id,
    action: p.action,
    idempotency_key: p.idempotencyKey ?? null,
    body: JSON.stringify(body),
    script: p.action === 'run' ? (p.script ?? null) : null,
    args: JSON.stringify(p.action === 'run' ? (p.args ?? []) : []),
    force: p.force ? 1 : 0,
    state: 'queued',
    reason: node.online
      ? 'about to be sent'
      : offlineQueueReason(name, p.action, node, d.powerHooks, expires),
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

/** Why a live command timed out, by the state it was stuck in. */
export function commandTimeoutReason(state: CommandState, name: string, seconds: number): string {
  switch (state) {
    case 'sent':
      return `${name} never acknowledged the command within ${seconds} s`;
    case 'rebooting':
      return `${name} did not come back with a new boot id within ${seconds} s`;
    case 'provisioning':
      return `${name} was reset but its plan did not finish within ${seconds} s`;
    default:
      return `${name} did not report a result within ${seconds} s`;
  }
}
