import type { Hello } from '@osbuild/shared';
import { pendingWelcome } from '../auth/credentials.js';
import { isUnsettled, type Lifecycle, type Outgoing } from './lifecycle.js';

/**
 * A board that holds only the claim secret says who it is. MAC and serial are not secrets: if the
 * node already logged in with its own credential, this is a second board (or a re-flashed one) and
 * gets nothing unless an operator opened a window for it (reprovision, rotation). Runs inside the
 * caller's transaction; returns what to send.
 */
export function handleClaim(l: Lifecycle, hello: Hello): Outgoing[] {
  const nodeId = hello.identity.nodeId;
  const now = l.now();
  const node = l.d.store.nodes.get(nodeId);
  if (node && node.conflict_of === null) {
    const holdsCredential = node.credential_hash !== null && node.credential_used_at !== null;
    if (holdsCredential || (!isUnsettled(node.phase) && node.credential_hash === null)) {
      const window = l.d.store.principals.window(nodeId, now);
      if (!window) return conflict(l, nodeId, hello, now);
      l.d.store.principals.closeWindow(nodeId);
      l.d.store.nodes.setCredential(nodeId, null, null);
      l.d.store.nodes.remove(`${nodeId}-conflict`);
      l.d.audit({
        action: `window.used`,
        target: nodeId,
        result: 'ok',
        detail: { purpose: window.purpose },
      });
      if (window.purpose === 'reprovision')
        l.restart(node, 'reprovisioning: the board claimed its identity in the open window');
    } else if (node.credential_hash !== null) {
      // Issued but never used: the welcome was lost (controller or agent died); issue again.
      l.d.store.nodes.setCredential(nodeId, null, null);
    }
  }
  const { created } = l.d.store.nodes.recordHello(hello, now);
  if (created) l.d.store.events.append(nodeId, 'discovered', { identity: hello.identity }, now);
  const out = l.advance(nodeId);
  const after = l.d.store.nodes.get(nodeId);
  if (!after || out.some((o) => 'welcome' in o)) return out;
  if (after.credential_hash === null && !isUnsettled(after.phase)) {
    out.push({ nodeId, welcome: l.issueCredential(nodeId, now) });
  } else if (after.credential_hash === null) {
    out.push({ nodeId, welcome: pendingWelcome(`${after.phase}: ${after.reason}`, now) });
  }
  return out;
}

/** Record a board that presented an identity already holding a credential; it gets nothing. */
function conflict(l: Lifecycle, nodeId: string, hello: Hello, now: string): Outgoing[] {
  const reason = `conflict: this board presented the identity of ${nodeId}, which already holds a credential`;
  l.d.store.nodes.recordConflict(`${nodeId}-conflict`, nodeId, hello, reason, now);
  l.d.store.events.append(nodeId, 'identity-conflict', { bootId: hello.identity.bootId }, now);
  l.d.audit({
    action: 'identity.conflict',
    target: nodeId,
    result: 'refused',
    detail: { bootId: hello.identity.bootId },
  });
  l.d.logger.warn({ nodeId }, 'identity conflict: claim for a node that holds a credential');
  return [{ nodeId, welcome: pendingWelcome(reason, now) }];
}
