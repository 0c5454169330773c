// Enrolment: a board without a credential of its own logs in with the image's claim secret, says
// hello on its `claim` topic and waits on `welcome` until an operator (or the inventory) accepts it
// and the controller hands out the node's own credential. The connection loop then reconnects
// with that credential, in node mode.
import { parsePayload, welcomeSchema } from '@osbuild/shared';
import type { Logger } from 'pino';
import { readCredential, writeCredential } from '../journal/credential.js';
import type { MqttConnection } from '../transport/mqtt-connection.js';
import type { Backoff } from './backoff.js';
import type { Greeter } from './hello.js';
import type { NodeTopics } from './node-topics.js';

/** `claim` while enrolling with the image's claim secret, `node` with the node's own credential. */
export type LoginMode = 'node' | 'claim';

/** How the agent logs in: as an enrolled node, or with the claim secret while enrolling. */
export interface Login {
  mode: LoginMode;
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

/** What {@link Enrolment} needs. */
export interface EnrolmentDeps {
  topics: NodeTopics;
  stateDir: string;
  /** How often a waiting board repeats its claim (default 30 s). */
  reclaimMs?: number | undefined;
  backoff: Backoff;
  greeter: Greeter;
  /** The live connection, or null (the claim timer stops claiming on a stale one). */
  currentConnection: () => MqttConnection | null;
  reject: (what: string, error: string) => void;
  logger: Logger;
}

/** A claim session's side of enrolment: claim, claim again while waiting, take the welcome. */
export class Enrolment {
  readonly #deps: EnrolmentDeps;

  constructor(deps: EnrolmentDeps) {
    this.#deps = deps;
  }

  /** On a claim connection: say who we are on the claim topic and wait for our credential on welcome. */
  async begin(conn: MqttConnection): Promise<void> {
    const { topics, greeter, logger } = this.#deps;
    await conn.subscribe([topics.welcome, topics.controllerStatus], 1);
    await greeter.sayHello(conn, topics.claim);
    // Claim again now and then: an operator may approve the board or open a reprovision window
    // at any time, and the controller only answers claims. Stops when this connection ends.
    const timer = setInterval(() => {
      if (this.#deps.currentConnection() !== conn) return;
      greeter.sayHello(conn, topics.claim).catch((err) => logger.debug({ err }, 'claim failed'));
    }, this.#deps.reclaimMs ?? 30_000);
    void conn.closed.then(() => clearInterval(timer));
  }

  /** A message on `welcome`: keep the credential and end the claim session to reconnect with it. */
  async onWelcome(payload: Buffer): Promise<void> {
    const outcome = await acceptWelcome(payload, this.#deps.stateDir, this.#deps.logger);
    if (outcome.kind === 'invalid') return this.#deps.reject('welcome', outcome.error);
    if (outcome.kind !== 'stored') return;
    // Ending the claim session makes the connection loop reconnect, now with the credential.
    this.#deps.backoff.reset();
    await this.#deps.currentConnection()?.end();
  }
}
