import type { Identity, Telemetry } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Journal } from '../journal/journal.js';
import type { Scheduler } from '../telemetry/schedule.js';
import type { ConnectMqtt } from '../transport/mqtt-connection.js';
import type { Backoff } from './backoff.js';
import type { StepRunner } from './ports.js';

/** Counters shared by every session of one agent. */
export interface AgentCounters {
  rejectedMessages: number;
  commandsRun: number;
  reconnects: number;
  connects: number;
}

/** Everything one session needs; a new session is made after an (emulated) reboot. */
export interface SessionDeps {
  controllerUrl: string;
  keepaliveSec: number;
  connect: ConnectMqtt;
  backoff: Backoff;
  journal: Journal;
  stateDir: string;
  identity: Identity;
  bootSeq: number;
  /** Re-read the identity for hello (the hostname may have changed since start). */
  rereadIdentity: () => Promise<Identity>;
  /** Used while the node holds no credential of its own. */
  claimSecret?: string | undefined;
  /** How often a waiting board repeats its claim (default 30 s). */
  reclaimMs?: number | undefined;
  runner: StepRunner;
  counters: AgentCounters;
  logger: Logger;
  now: () => Date;
  /** Periodic telemetry; published only while enrolled (own credential) and connected. */
  telemetry?: TelemetryDeps | undefined;
}

/** How a session samples and schedules telemetry. */
export interface TelemetryDeps {
  intervalSec: number;
  collect: (seq: number, identity: Identity) => Promise<Telemetry>;
  schedule: Scheduler;
}
