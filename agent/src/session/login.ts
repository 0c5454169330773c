import { parsePayload, welcomeSchema } from '@osbuild/shared';
import type { Logger } from 'pino';
import { readCredential, writeCredential } from '../journal/credential.js';

/** How the agent logs in: as an enrolled node, or with the claim secret while enrolling. */
export interface Login {
  mode: 'node' | 'claim';
  auth: { username?: string; password?: string };
}

/** The node's own credential when it has one, else the image's claim secret. */
export async function chooseLogin(
  stateDir: string,
  claimSecret: string | undefined,
  logger: Logger,
): Promise<Login> {
  const own = await readCredential(stateDir).catch(() => null);
  if (own) return { mode: 'node', auth: { username: own.username, password: own.password } };
  if (claimSecret === undefined) {
    logger.error('no credential and no claim secret: the controller will refuse this node');
    return { mode: 'claim', auth: {} };
  }
  return { mode: 'claim', auth: { username: 'claim', password: claimSecret } };
}

/** What a welcome message led to. */
export type WelcomeOutcome = { kind: 'stored' } | { kind: 'pending' } | { kind: 'invalid'; error: string };

/** Handle the controller's answer to a claim: store a credential (0600) or note why we wait. */
export async function acceptWelcome(
  payload: Buffer,
  stateDir: string,
  logger: Logger,
): Promise<WelcomeOutcome> {
  const parsed = parsePayload(welcomeSchema, payload);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const welcome = parsed.value;
  if (welcome.outcome === 'pending') {
    logger.info({ reason: welcome.reason }, 'the controller has not accepted this node yet');
    return { kind: 'pending' };
  }
  await writeCredential(stateDir, welcome.credential);
  logger.info('received our own credential; reconnecting with it');
  return { kind: 'stored' };
}
