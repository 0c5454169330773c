import { topics } from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CredentialMint } from '../../src/auth/credential-mint.js';
import type { Provisioner } from '../../src/provisioning/provisioner.js';
import type { Handlers } from '../../src/rpc/handlers.js';
import { makeMessageRouter } from '../../src/server/message-router.js';
import { RejectedMessages } from '../../src/server/rejected-messages.js';
import type { Store } from '../../src/store/store.js';
import { helloFrom } from '../support/provisioner-harness.js';

const hello = helloFrom({ serial: '10000000000000a3', mac: 'dc:a6:32:00:00:0c' });
const claimMessage = {
  topic: topics.node(hello.identity.nodeId, 'claim'),
  payload: Buffer.from(JSON.stringify(hello)),
  retain: false,
};

/** A router whose claim path is all that runs; the rest of its dependencies are never touched. */
function router(onClaim: () => void, mint: CredentialMint) {
  const clock = { now: () => new Date('2026-11-26T06:00:00Z') };
  const logger = pino({ level: 'silent' });
  const rejected = new RejectedMessages({ logger, clock });
  const route = makeMessageRouter({
    store: {} as Store,
    provisioner: { onClaim } as unknown as Provisioner,
    handlers: {} as Handlers,
    respond: () => undefined,
    clock,
    logger,
    rejections: rejected,
    claimWhenReady: (handle) => mint.withPrepared(handle),
    routeReport: () => undefined,
  });
  return { route, rejected };
}

describe('message router: claims wait for their credential to be hashed off the event loop', () => {
  it('handles the claim after the hashing, with the credential waiting', async () => {
    const mint = new CredentialMint();
    const seen: number[] = [];
    const { route } = router(() => seen.push(mint.waiting), mint);
    route(claimMessage);
    // Not yet: the credential is being hashed on the libuv pool.
    expect(seen).toEqual([]);
    await expect.poll(() => seen, { timeout: 5_000 }).toEqual([1]);
  });

  it('counts and logs a claim handler that throws after the wait, like any handler failure', async () => {
    const mint = new CredentialMint();
    const { route, rejected } = router(() => {
      throw new Error('handler bug');
    }, mint);
    route(claimMessage);
    await expect.poll(() => rejected.byKind()['handler-error'], { timeout: 5_000 }).toBe(1);
  });
});
