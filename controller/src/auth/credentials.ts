import { PROTOCOL_VERSION, type Welcome } from '@osbuild/shared';
import type { Store } from '../store/store.js';
import type { CredentialMint } from './credential-mint.js';
import { hashSecret, newSecret, type VerifiedSecrets } from './secrets.js';

/**
 * Mint a node's own MQTT credential: random and high entropy, returned once (for the welcome
 * message) and stored only as a scrypt hash. Any earlier credential of the node stops working.
 * `verified` (the authenticator's cache) learns it, so the node's first login costs no scrypt.
 * With a `mint`, the credential was hashed beforehand off the event loop (auth/credential-mint.ts).
 */
export function issueNodeCredential(
  store: Store,
  nodeId: string,
  now: string,
  verified?: VerifiedSecrets,
  mint?: CredentialMint,
): Welcome {
  const { password, hash } = mint ? mint.take() : fresh();
  store.nodes.setCredential(nodeId, hash, now);
  verified?.remember(password, hash);
  store.events.append(nodeId, 'credential-issued', {}, now);
  return { v: PROTOCOL_VERSION, at: now, outcome: 'credential', credential: { username: nodeId, password } };
}

/** The welcome that tells a claiming board why it must wait. */
export function pendingWelcome(reason: string, now: string): Welcome {
  return { v: PROTOCOL_VERSION, at: now, outcome: 'pending', reason };
}

function fresh(): { password: string; hash: string } {
  const password = newSecret();
  return { password, hash: hashSecret(password) };
}
