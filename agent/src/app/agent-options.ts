import type { Identity } from '@osbuild/shared';
import { UserError } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Exec } from '../host/exec.js';
import type { ExecutorTable } from '../steps/types.js';

/** Options of {@link startAgent} (start-agent.ts); their defaults are the constants below. */
export interface StartAgentOptions {
  /** e.g. `mqtt://127.0.0.1:1883`. */
  controllerUrl: string;
  /** `/` on a real node; any other directory is a fixture root (host actions are emulated). */
  hostRoot: string;
  /** Default: `/var/lib/osbuild` below the host root. */
  stateDir?: string;
  logger?: Logger;
  random?: () => number;
  reconnect?: { baseMs: number; capMs: number };
  /** MQTT keepalive; default {@link DEFAULT_KEEPALIVE_SEC}. */
  keepaliveSec?: number;
  /**
   * The image's claim secret: lets a board without its own credential enrol (claim -> welcome).
   * Passed as a value, read from a file by the CLI: secrets never travel in argv.
   */
  claimSecret?: string;
  /** How often a board waiting for acceptance repeats its claim (default 30 s). */
  reclaimMs?: number;
  /** Allow plain `mqtt://` to a controller that is not on loopback (development only). */
  insecure?: boolean;
  /**
   * How to trust an `mqtts://` controller (transport/tls-trust.ts): its CA file, or the CA's
   * SHA-256 pin. Either one also forbids plain `mqtt://` to anything but loopback.
   */
  tls?: { caFile?: string; caFingerprint?: string };
  /** Seconds between telemetry samples (default {@link DEFAULT_TELEMETRY_INTERVAL_SEC}; 1 to 3600). */
  telemetryIntervalSec?: number;
  /**
   * The executor port: the table that runs each step kind. Default: the real executors. The fleet
   * simulator swaps in simulated ones; the session, journal and command loop stay the real ones.
   */
  executors?: ExecutorTable;
  /** Fixture roots only: how long an emulated reboot keeps the node away before it comes back. */
  rebootDelayMs?: number;
  /** How steps start processes (default: the real one); tests put stand-in tools on its PATH. */
  exec?: Exec;
}

/** A running agent. */
export interface AgentHandle {
  readonly nodeId: string;
  readonly identity: Identity;
  stats(): { rejectedMessages: number; commandsRun: number; reconnects: number };
  /** Clean stop: offline status, DISCONNECT. */
  stop(): Promise<void>;
}

/** Reconnect backoff: full jitter from 1 s, capped at a minute. */
export const DEFAULT_RECONNECT = { baseMs: 1000, capMs: 60_000 };
/** The broker declares a silent node gone after 1.5 x keepalive [MQTT-3.1.2-24]: 15 s. */
export const DEFAULT_KEEPALIVE_SEC = 10;
/**
 * How long a step left running by a killed agent gets between SIGTERM and SIGKILL when the next
 * agent starts: well inside the unit's TimeoutStopSec, so a clean shutdown is never slower.
 */
export const LEFTOVER_STEP_GRACE_MS = 10_000;
/** Default seconds between telemetry samples. */
export const DEFAULT_TELEMETRY_INTERVAL_SEC = 15;

/** The telemetry interval to use; a value outside 1-3600 s is a configuration error. */
export function telemetryIntervalSec(opts: StartAgentOptions): number {
  const sec = opts.telemetryIntervalSec ?? DEFAULT_TELEMETRY_INTERVAL_SEC;
  if (!Number.isInteger(sec) || sec < 1 || sec > 3600) {
    throw new UserError('config', `telemetry interval must be 1 to 3600 seconds, not ${sec}`);
  }
  return sec;
}
