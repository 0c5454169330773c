import { writeCredential } from '../../src/journal/credential.js';

/**
 * Tests run against bare brokers and fake connections that check no credentials: give the agent
 * a credential of its own, so it speaks as an enrolled node (hello, cmd) rather than enrolling
 * (claim, welcome).
 */
export async function giveCredential(stateDir: string): Promise<void> {
  await writeCredential(stateDir, { username: 'enrolled-node', password: 'p'.repeat(43) });
}
