import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { copyHostFixture } from '../../../test/support/host-root.js';
import { type AgentHandle, startAgent } from '../../src/index.js';
import { writeCredential } from '../../src/journal/credential.js';

/**
 * These tests run against a bare broker that checks no credentials: give the agent a credential
 * of its own, so it speaks as an enrolled node (hello, cmd) rather than enrolling (claim, welcome).
 */
export async function giveCredential(stateDir: string): Promise<void> {
  await writeCredential(stateDir, { username: 'enrolled-node', password: 'p'.repeat(43) });
}

/** An agent on a copied fixture root (fixture seam: host actions are emulated). */
export async function startFixtureAgent(
  url: string,
  fixture = 'pi5-a',
  extra: { hostRoot?: string; stateDir?: string } = {},
): Promise<{ agent: AgentHandle; hostRoot: string; stateDir: string }> {
  const hostRoot = extra.hostRoot ?? (await copyHostFixture(fixture));
  const stateDir = extra.stateDir ?? (await mkdtemp(path.join(tmpdir(), 'osbuild-state-')));
  await giveCredential(stateDir);
  const agent = await startAgent({
    controllerUrl: url,
    hostRoot,
    stateDir,
    logger: pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' }),
    reconnect: { baseMs: 50, capMs: 400 },
    keepaliveSec: 5,
  });
  return { agent, hostRoot, stateDir };
}
