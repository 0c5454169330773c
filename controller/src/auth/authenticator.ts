import { timingSafeEqual } from 'node:crypto';
import {
  agentNodeId,
  CLAIM_USERNAME,
  CONTROLLER_CLIENT_ID,
  MONITOR_CLIENT_ID,
  OPERATOR_CLIENT_ID,
  type Principal,
} from '../broker/access-policy.js';
import type { Store } from '../store/store.js';
import { VerifiedSecrets } from './secrets.js';

/** Why a connection was refused; never contains the secret. */
export type Refusal = { code: 'bad-credentials' | 'not-authorized'; why: string };

/** Decides who a connecting client is, from client id, username and password. */
export type Authenticate = (
  clientId: string,
  username: string | undefined,
  password: string | undefined,
) => Promise<{ ok: true; principal: Principal } | ({ ok: false } & Refusal)>;

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The authenticator over the store: the controller by its start-up secret, nodes by their own
 * credential (username = nodeId), boards being enrolled by a claim secret, operators and monitors
 * by user name. No anonymous client gets in [MQTT-3.1.4-2 permits refusing any CONNECT].
 */
export function makeAuthenticator(
  store: Store,
  controllerSecret: string,
  now: () => Date,
  cache: VerifiedSecrets = new VerifiedSecrets(),
): Authenticate {
  const refuse = (code: Refusal['code'], why: string) => ({ ok: false as const, code, why });
  return async (clientId, username, password) => {
    if (username === undefined || password === undefined || password === '') {
      return refuse('not-authorized', 'no username or password (anonymous clients are not accepted)');
    }
    if (username === CONTROLLER_CLIENT_ID || clientId === CONTROLLER_CLIENT_ID) {
      return username === CONTROLLER_CLIENT_ID &&
        clientId === CONTROLLER_CLIENT_ID &&
        equal(password, controllerSecret)
        ? { ok: true, principal: { kind: 'controller' } }
        : refuse('bad-credentials', 'wrong controller secret');
    }
    const nodeId = agentNodeId(clientId);
    if (username === CLAIM_USERNAME) {
      if (!nodeId)
        return refuse('not-authorized', 'a claim must come from an agent client id (agent-<nodeId>)');
      for (const claim of store.principals.activeClaims()) {
        if (await cache.verify(password, claim.hash)) {
          return { ok: true, principal: { kind: 'claim', nodeId, claimId: claim.id } };
        }
      }
      return refuse('bad-credentials', 'unknown or revoked claim secret');
    }
    if (nodeId !== null) {
      if (username !== nodeId)
        return refuse('not-authorized', 'node username must equal the nodeId of its client id');
      const hash = store.nodes.get(nodeId)?.credential_hash;
      if (hash && (await cache.verify(password, hash))) {
        store.nodes.markCredentialUsed(nodeId, now().toISOString());
        return { ok: true, principal: { kind: 'node', nodeId } };
      }
      return refuse('bad-credentials', 'wrong or revoked node credential');
    }
    const user = store.principals.user(username);
    if (!user || !(await cache.verify(password, user.hash)))
      return refuse('bad-credentials', 'unknown user or wrong password');
    if (user.role === 'operator') {
      if (!OPERATOR_CLIENT_ID.test(clientId))
        return refuse('not-authorized', 'operators must use a cli-<id> client id');
      return { ok: true, principal: { kind: 'operator', name: user.name, clientId } };
    }
    if (!MONITOR_CLIENT_ID.test(clientId)) return refuse('not-authorized', 'invalid monitor client id');
    return { ok: true, principal: { kind: 'monitor', name: user.name, clientId } };
  };
}
