import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { eventRowBytesSql, logRowBytesSql } from './row-bytes.js';

/** An open store database. */
export type Db = Database.Database;

// Each entry migrates from version i to i+1; never edit a released migration, append one.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE nodes (
    node_id TEXT PRIMARY KEY,
    hostname TEXT,
    role TEXT,
    ip TEXT,
    mac TEXT,
    serial TEXT,
    macs TEXT NOT NULL DEFAULT '[]',
    model TEXT,
    boot_source TEXT,
    boot_id TEXT,
    boot_seq INTEGER,
    agent_version TEXT,
    image_version TEXT,
    reported_hostname TEXT,
    phase TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    phase_since TEXT NOT NULL,
    online INTEGER NOT NULL DEFAULT 0,
    last_seen TEXT,
    first_seen TEXT NOT NULL,
    current_run_id TEXT
  );
  CREATE UNIQUE INDEX nodes_hostname ON nodes(hostname) WHERE hostname IS NOT NULL;
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL REFERENCES nodes(node_id),
    state TEXT NOT NULL,
    max_attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE TABLE steps (
    run_id TEXT NOT NULL REFERENCES runs(id),
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    cmd_id TEXT,
    deadline TEXT,
    not_before TEXT,
    started_at TEXT,
    finished_at TEXT,
    exit_code INTEGER,
    error TEXT,
    output_tail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, idx)
  );
  CREATE UNIQUE INDEX steps_cmd_id ON steps(cmd_id) WHERE cmd_id IS NOT NULL;
  CREATE TABLE approvals (
    node_id TEXT PRIMARY KEY,
    hostname TEXT NOT NULL,
    role TEXT,
    approved_at TEXT NOT NULL
  );
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    node_id TEXT,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX events_node ON events(node_id, id);
  `,
  // Security: node credentials (hash only), conflicts, claims, users, reprovision windows.
  `
  ALTER TABLE nodes ADD COLUMN credential_hash TEXT;
  ALTER TABLE nodes ADD COLUMN credential_issued_at TEXT;
  ALTER TABLE nodes ADD COLUMN credential_used_at TEXT;
  ALTER TABLE nodes ADD COLUMN conflict_of TEXT;
  CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE reprovision_windows (
    node_id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  `,
  // Telemetry: the latest sample per node (history belongs in Prometheus, not here).
  `
  CREATE TABLE telemetry (
    node_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  `,
  // Operator commands (persistent queue for offline nodes, with a TTL) and node output lines.
  `
  CREATE TABLE commands (
    id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL,
    action TEXT NOT NULL,
    idempotency_key TEXT,
    body TEXT NOT NULL,
    script TEXT,
    args TEXT NOT NULL DEFAULT '[]',
    force INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    timeout_sec INTEGER NOT NULL,
    deadline TEXT,
    sent_at TEXT,
    acked_at TEXT,
    finished_at TEXT,
    boot_id_before TEXT,
    boot_id_after TEXT,
    deliveries INTEGER NOT NULL DEFAULT 0,
    run_id TEXT,
    exit_code INTEGER,
    output_tail TEXT NOT NULL DEFAULT ''
  );
  CREATE UNIQUE INDEX commands_idempotency ON commands(node_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE INDEX commands_state ON commands(state);
  CREATE INDEX commands_node ON commands(node_id, created_at);
  CREATE TABLE node_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    node_id TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    cmd_id TEXT,
    stream TEXT NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX node_logs_node ON node_logs(node_id, id);
  CREATE TABLE node_conditions (
    node_id TEXT NOT NULL,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    reason TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (node_id, type)
  );
  `,
  // Bytes and rows each node holds in node_logs and events, kept by triggers so the per-node quota
  // (node-quota.ts) is one indexed read per insert, whoever inserts or deletes.
  `
  CREATE TABLE node_usage (
    node_id TEXT PRIMARY KEY,
    log_rows INTEGER NOT NULL DEFAULT 0,
    log_bytes INTEGER NOT NULL DEFAULT 0,
    event_rows INTEGER NOT NULL DEFAULT 0,
    event_bytes INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO node_usage (node_id, log_rows, log_bytes)
    SELECT node_id, count(*), sum(${logRowBytesSql('node_logs')}) FROM node_logs GROUP BY node_id;
  INSERT INTO node_usage (node_id, event_rows, event_bytes)
    SELECT node_id, count(*), sum(${eventRowBytesSql('events')}) FROM events WHERE node_id IS NOT NULL
    GROUP BY node_id
    ON CONFLICT(node_id) DO UPDATE SET event_rows = excluded.event_rows, event_bytes = excluded.event_bytes;
  CREATE TRIGGER node_logs_usage_insert AFTER INSERT ON node_logs BEGIN
    INSERT INTO node_usage (node_id, log_rows, log_bytes) VALUES (NEW.node_id, 1, ${logRowBytesSql('NEW')})
    ON CONFLICT(node_id) DO UPDATE SET log_rows = log_rows + 1, log_bytes = log_bytes + excluded.log_bytes;
  END;
  CREATE TRIGGER node_logs_usage_delete AFTER DELETE ON node_logs BEGIN
    UPDATE node_usage SET log_rows = log_rows - 1, log_bytes = log_bytes - ${logRowBytesSql('OLD')}
    WHERE node_id = OLD.node_id;
  END;
  CREATE TRIGGER events_usage_insert AFTER INSERT ON events WHEN NEW.node_id IS NOT NULL BEGIN
    INSERT INTO node_usage (node_id, event_rows, event_bytes) VALUES (NEW.node_id, 1, ${eventRowBytesSql('NEW')})
    ON CONFLICT(node_id) DO UPDATE SET event_rows = event_rows + 1, event_bytes = event_bytes + excluded.event_bytes;
  END;
  CREATE TRIGGER events_usage_delete AFTER DELETE ON events WHEN OLD.node_id IS NOT NULL BEGIN
    UPDATE node_usage SET event_rows = event_rows - 1, event_bytes = event_bytes - ${eventRowBytesSql('OLD')}
    WHERE node_id = OLD.node_id;
  END;
  `,
];

/**
 * Open (creating if needed) the controller database and bring its schema up to date. WAL and
 * synchronous=NORMAL: a SIGKILL loses at most the last transaction, never corrupts the file.
 */
export function openDb(file: string): Db {
  // Create the file 0600 before SQLite does (it would follow the umask); its -wal and -shm files
  // take the database file's mode.
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = cachingStatements(new Database(file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] ?? '');
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

/** Distinct SQL texts kept compiled; far more than the stores use, so the limit only bounds a bug. */
const STATEMENT_CACHE_LIMIT = 1_000;

/**
 * The stores call `db.prepare(sql)` at every use; compiling the same SQL again each time was a
 * visible share of the controller's event-loop time at thousands of nodes (several statements per
 * telemetry message, several per node in every condition pass). Statements are reusable as long as
 * nobody changes their mode (`pluck`, `raw`, `expand`, `bind`) — the stores never do, so this
 * hands out one compiled statement per SQL text. better-sqlite3's own pragma and transaction code
 * compile through the native handle and do not pass through here.
 */
function cachingStatements(db: Db): Db {
  const compile = db.prepare.bind(db);
  const compiled = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let statement = compiled.get(source);
    if (!statement) {
      if (compiled.size >= STATEMENT_CACHE_LIMIT) compiled.clear();
      statement = compile(source);
      compiled.set(source, statement);
    }
    return statement;
  }) as Db['prepare'];
  return db;
}
