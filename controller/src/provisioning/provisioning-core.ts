import type { Welcome } from '@osbuild/shared';
import type { PlanPort } from './plan-port.js';
import type { ProvisionerDeps } from './provisioner-deps.js';

/**
 * The provisioner's own operations that enrolment and operator actions build on (they live in
 * files of their own but are part of the provisioner). All run inside a store transaction and
 * return (or queue) messages instead of sending them.
 */
export interface ProvisioningCore extends PlanPort {
  readonly deps: ProvisionerDeps;
  /** The current time as an ISO string. */
  now(): string;
  /** Mint the node's credential and return the welcome carrying it. */
  issueCredential(nodeId: string, now: string): Welcome;
}
