import { ApprovalStore } from './approval-store.js';
import { CommandStore } from './command-store.js';
import { ConditionStore } from './condition-store.js';
import { type Db, openDb } from './db.js';
import { EventStore } from './event-store.js';
import { LogStore } from './log-store.js';
import { DEFAULT_NODE_QUOTA, type NodeQuota, NodeQuotaEnforcer } from './node-quota.js';
import { NodeStore } from './node-store.js';
import { PrincipalStore } from './principal-store.js';
import { RetentionStore } from './retention-store.js';
import { RunStore } from './run-store.js';
import { TelemetryStore } from './telemetry-store.js';

/** Everything the controller knows, in one SQLite file. */
export interface Store {
  readonly db: Db;
  readonly nodes: NodeStore;
  readonly runs: RunStore;
  readonly events: EventStore;
  readonly approvals: ApprovalStore;
  readonly principals: PrincipalStore;
  readonly telemetry: TelemetryStore;
  readonly commands: CommandStore;
  readonly logs: LogStore;
  readonly conditions: ConditionStore;
  /** What each node holds of logs and events, and the quota that bounds it. */
  readonly quota: NodeQuotaEnforcer;
  readonly retention: RetentionStore;
  /** Run `fn` in one transaction: either all its writes land or none. */
  tx<T>(fn: () => T): T;
  close(): void;
}

/** Open the store at `file`; each node's logs and events are kept within `opts.quota`. */
export function openStore(file: string, opts: { quota?: NodeQuota } = {}): Store {
  const db = openDb(file);
  const quota = new NodeQuotaEnforcer(db, opts.quota ?? DEFAULT_NODE_QUOTA);
  return {
    db,
    nodes: new NodeStore(db),
    runs: new RunStore(db),
    events: new EventStore(db, quota),
    approvals: new ApprovalStore(db),
    principals: new PrincipalStore(db),
    telemetry: new TelemetryStore(db),
    commands: new CommandStore(db),
    logs: new LogStore(db, quota),
    conditions: new ConditionStore(db),
    quota,
    retention: new RetentionStore(db),
    tx: (fn) => db.transaction(fn)(),
    close: () => db.close(),
  };
}
