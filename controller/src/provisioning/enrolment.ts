import type { Hello } from '@osbuild/shared';
import { pendingWelcome } from '../auth/credentials.js';
import { inPhaseGroup } from '../lifecycle/node-phase.js';
import type { Outgoing } from './plan-port.js';
import type { ProvisioningCore } from './provisioning-core.js';

/**
 * A board that holds only the claim secret says who it is. MAC and serial are not secrets: if the
 * node already logged in with its own credential, this is a second board (or a re-flashed one) and
 * gets nothing unless an operator opened a window for it (reprovision, rotation). Runs inside the
 * caller's transaction; returns what to send.
 */
export function handleClaim(core: ProvisioningCore, hello: Hello): Outgoing[] {
  const nodeId = hello.identity.nodeId;
  const now = core.now();
  const node = core.deps.store.nodes.get(nodeId);
  if (node && node.conflict_of === null) {
    const holdsCredential = node.credential_hash !== null && node.credential_used_at !== null;
    if (holdsCredential || (!inPhaseGroup('unsettled', node.phase) && node.credential_hash === null)) {
      const window = core.deps.store.principals.window(nodeId, now);
      if (!window) return conflict(core, nodeId, hello, now);
      core.deps.store.principals.closeWindow(nodeId);
      core.deps.store.nodes.setCredential(nodeId, null, null);
      core.deps.store.nodes.remove(`${nodeId}-conflict`);
      core.deps.audit({
        action: `window.used`,
        target: nodeId,
        result: 'ok',
        detail: { purpose: window.purpose },
      });
      if (window.purpose === 'reprovision')
        core.forget(node, 'reprovisioning: the board claimed its identity in the open window');
    } else if (node.credential_hash !== null) {
      // Issued but never used: the welcome was lost (controller or agent died); issue again.
      core.deps.store.nodes.setCredential(nodeId, null, null);
    }
  }
  const { created } = core.deps.store.nodes.recordHello(hello, now);
  if (created) core.deps.store.events.append(nodeId, 'discovered', { identity: hello.identity }, now);
  const out = core.advance(nodeId);
  const after = core.deps.store.nodes.get(nodeId);
  if (!after || out.some((o) => 'welcome' in o)) return out;
  if (after.credential_hash === null && !inPhaseGroup('unsettled', after.phase)) {
    out.push({ nodeId, welcome: core.issueCredential(nodeId, now) });
  } else if (after.credential_hash === null) {
    out.push({ nodeId, welcome: pendingWelcome(`${after.phase}: ${after.reason}`, now) });
  }
  return out;
}

/** Record a board that presented an identity already holding a credential; it gets nothing. */
function conflict(core: ProvisioningCore, nodeId: string, hello: Hello, now: string): Outgoing[] {
  const reason = `conflict: this board presented the identity of ${nodeId}, which already holds a credential`;
  core.deps.store.nodes.recordConflict(`${nodeId}-conflict`, nodeId, hello, reason, now);
  core.deps.store.events.append(nodeId, 'identity-conflict', { bootId: hello.identity.bootId }, now);
  core.deps.audit({
    action: 'identity.conflict',
    target: nodeId,
    result: 'refused',
    detail: { bootId: hello.identity.bootId },
  });
  core.deps.logger.warn({ nodeId }, 'identity conflict: claim for a node that holds a credential');
  return [{ nodeId, welcome: pendingWelcome(reason, now) }];
}
