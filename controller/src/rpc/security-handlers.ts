import { type RpcMethod, type RpcParams, type RpcResult, UserError } from '@osbuild/shared';
import { hashSecret, newId, newSecret } from '../auth/secrets.js';
import type { Principal } from '../broker/access-policy.js';
import type { Clock } from '../host/clock.js';
import type { NodeRecord } from '../store/node-store.js';
import type { Store } from '../store/store.js';

type SecurityMethod =
  | 'nodes.rotate-credential'
  | 'nodes.reprovision'
  | 'users.add'
  | 'users.list'
  | 'users.remove'
  | 'claims.add'
  | 'claims.list'
  | 'claims.revoke';

/** Handlers of the methods that manage principals and secrets. */
export type SecurityHandlers = { [M in SecurityMethod & RpcMethod]: (params: RpcParams<M>) => RpcResult<M> };

/** How long a board may take to claim after `rotate-credential` / `reprovision` (seconds). */
export const ROTATION_WINDOW_SEC = 600;
export const REPROVISION_WINDOW_SEC = 900;

/**
 * Principal management. Every secret made here is returned exactly once in the response and
 * stored only as a scrypt hash; the audit log records the action, never the secret.
 */
export function makeSecurityHandlers(deps: {
  store: Store;
  clock: Clock;
  /** Drop a node's live connection after its credential was revoked. */
  disconnect(clientId: string): void;
  /** Drop every live connection whose principal matches (removed users, revoked claims). */
  disconnectWhere(match: (p: Principal) => boolean): number;
}): SecurityHandlers {
  const now = () => deps.clock.now();
  const node = (name: string): NodeRecord => {
    const n = deps.store.nodes.findByName(name);
    if (!n || n.conflict_of !== null) throw new UserError('not-found', `no node named ${name}`);
    return n;
  };
  const openWindow = (n: NodeRecord, purpose: 'reprovision' | 'rotate-credential', seconds: number) => {
    const at = now();
    const expires = new Date(at.getTime() + seconds * 1000).toISOString();
    deps.store.principals.openWindow({
      node_id: n.node_id,
      purpose,
      opened_at: at.toISOString(),
      expires_at: expires,
    });
    return expires;
  };
  return {
    'nodes.rotate-credential': ({ name }) =>
      deps.store.tx(() => {
        const n = node(name);
        if (n.credential_hash === null) throw new UserError('invalid-state', `${name} holds no credential`);
        const revokedAt = now().toISOString();
        deps.store.nodes.setCredential(n.node_id, null, null);
        deps.store.events.append(n.node_id, 'credential-revoked', {}, revokedAt);
        const windowExpiresAt = openWindow(n, 'rotate-credential', ROTATION_WINDOW_SEC);
        deps.disconnect(`agent-${n.node_id}`);
        return { name: n.hostname ?? n.node_id, nodeId: n.node_id, revokedAt, windowExpiresAt };
      }),
    'nodes.reprovision': ({ name, windowSec }) =>
      deps.store.tx(() => {
        const n = node(name);
        const windowExpiresAt = openWindow(n, 'reprovision', windowSec ?? REPROVISION_WINDOW_SEC);
        deps.store.events.append(n.node_id, 'reprovision-window', { windowExpiresAt }, now().toISOString());
        return { name: n.hostname ?? n.node_id, nodeId: n.node_id, windowExpiresAt };
      }),
    'users.add': ({ name, role }) => {
      if (deps.store.principals.user(name)) throw new UserError('conflict', `user ${name} already exists`);
      const password = newSecret();
      deps.store.principals.addUser(name, role, hashSecret(password), now().toISOString());
      return { name, role, password };
    },
    'users.list': () =>
      deps.store.principals.users().map((u) => ({ name: u.name, role: u.role, createdAt: u.created_at })),
    'users.remove': ({ name }) =>
      deps.store.tx(() => {
        const user = deps.store.principals.user(name);
        if (!user) throw new UserError('not-found', `no user named ${name}`);
        const operators = deps.store.principals.users().filter((u) => u.role === 'operator');
        if (user.role === 'operator' && operators.length === 1) {
          throw new UserError('invalid-state', `${name} is the last operator; add another one first`);
        }
        const removed = deps.store.principals.removeUser(name);
        // A removed user's open sessions end now, not at their next reconnect.
        deps.disconnectWhere((p) => (p.kind === 'operator' || p.kind === 'monitor') && p.name === name);
        return { name, removed };
      }),
    'claims.add': () => {
      const id = newId('claim');
      const secret = newSecret();
      const createdAt = now().toISOString();
      deps.store.principals.addClaim(id, hashSecret(secret), createdAt);
      return { id, secret, createdAt };
    },
    'claims.list': () =>
      deps.store.principals
        .claims()
        .map((c) => ({ id: c.id, createdAt: c.created_at, revokedAt: c.revoked_at })),
    'claims.revoke': ({ id }) => {
      const revokedAt = now().toISOString();
      if (!deps.store.principals.revokeClaim(id, revokedAt))
        throw new UserError('not-found', `no active claim ${id}`);
      // Boards waiting with a claim log in again; only those holding a claim still valid get back in.
      deps.disconnectWhere((p) => p.kind === 'claim');
      return { id, revokedAt };
    },
  };
}
