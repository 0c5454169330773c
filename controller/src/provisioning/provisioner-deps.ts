import type { Command, Inventory, Welcome } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { CredentialMint } from '../auth/credential-mint.js';
import type { VerifiedSecrets } from '../auth/secrets.js';
import type { Clock } from '../host/clock.js';
import type { NodePhases } from '../lifecycle/node-phase.js';
import type { Store } from '../store/store.js';
import type { KubeHooks } from './kube-hooks.js';
import type { BootstrapSource } from './planner.js';
import type { RetryPolicy } from './step-outcome.js';

/** What the provisioner needs from the rest of the controller. */
export interface ProvisionerDeps {
  store: Store;
  /** The owner of node phases: every phase the provisioner sets goes through it. */
  phases: Pick<NodePhases, 'move'>;
  clock: Clock;
  logger: Logger;
  sendCommand(nodeId: string, cmd: Command): void;
  /** Answer a claiming board on its welcome topic. */
  sendWelcome(nodeId: string, welcome: Welcome): void;
  /** Record a security-relevant fact in the audit log (never a secret). */
  audit(entry: {
    action: string;
    target: string;
    result: 'ok' | 'refused';
    detail?: Record<string, unknown>;
  }): void;
  inventory(): Inventory;
  /** Null while the bootstrap repository cannot be resolved; matched nodes then wait. */
  bootstrap(): BootstrapSource | null;
  retry: RetryPolicy;
  /** Extra time past a step's own timeout before the controller gives up waiting for its result. */
  deadlineGraceMs: number;
  newRunId(): string;
  /** Told when a step attempt ends (metrics); `kind` is the step kind, never a script name. */
  onStepFinished?(kind: string, outcome: string, seconds: number): void;
  /** The authenticator's cache of verified secrets: an issued credential is entered at once. */
  verifiedSecrets?: VerifiedSecrets;
  /** Credentials hashed ahead of time off the event loop (the router prepares one per claim). */
  credentialMint?: CredentialMint;
  /** The Kubernetes module; without it plans hold no kubeadm steps. */
  kube?: KubeHooks;
}
