import { type Step, stepSchema } from '@osbuild/shared';
import type { Db } from './db.js';
import { capString, capTailBytes, ERROR_TEXT_MAX, OUTPUT_TAIL_MAX_BYTES } from './input-caps.js';

/** Step states in the store. `pending` with `not_before` set means a retry is scheduled. */
export type StepState = 'pending' | 'running' | 'succeeded' | 'failed';

/** A step of a run as the store returns it: its spec parsed and checked with the shared schema. */
export interface StepRecord {
  run_id: string;
  idx: number;
  kind: Step['kind'];
  spec: Step;
  state: StepState;
  attempt: number;
  cmd_id: string | null;
  deadline: string | null;
  not_before: string | null;
  started_at: string | null;
  finished_at: string | null;
  exit_code: number | null;
  error: string | null;
  output_tail: string;
}

/** The step columns as SQLite holds them (spec is JSON text). */
type StepRow = Omit<StepRecord, 'spec' | 'kind'> & { kind: string; spec: string };

/** Parse at the boundary: a spec the schema refuses is a corrupt row, reported with its key. */
function toStep(row: StepRow): StepRecord {
  const parsed = stepSchema.safeParse(JSON.parse(row.spec));
  if (!parsed.success) {
    throw new Error(`steps row ${row.run_id}/${row.idx}: stored spec is invalid: ${parsed.error.message}`);
  }
  return { ...row, kind: parsed.data.kind, spec: parsed.data };
}

const toStepOrUndefined = (row: unknown): StepRecord | undefined =>
  row === undefined ? undefined : toStep(row as StepRow);

/** A stored run: one execution of a plan for one node. */
export interface RunRecord {
  id: string;
  node_id: string;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  max_attempts: number;
  created_at: string;
  finished_at: string | null;
}

/** Runs and steps table access. */
export class RunStore {
  constructor(private readonly db: Db) {}

  create(run: {
    id: string;
    nodeId: string;
    steps: readonly Step[];
    maxAttempts: number;
    now: string;
  }): void {
    const insertStep = this.db.prepare(
      `INSERT INTO steps (run_id, idx, kind, spec, state) VALUES (?, ?, ?, ?, 'pending')`,
    );
    this.db
      .prepare(
        `INSERT INTO runs (id, node_id, state, max_attempts, created_at) VALUES (?, ?, 'running', ?, ?)`,
      )
      .run(run.id, run.nodeId, run.maxAttempts, run.now);
    run.steps.forEach((s, i) => {
      insertStep.run(run.id, i, s.kind, JSON.stringify(s));
    });
  }

  /** Nodes with a running or succeeded run holding a step of `kind` (e.g. who initialised the cluster). */
  nodesWithStep(kind: string): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT r.node_id FROM steps s JOIN runs r ON r.id = s.run_id
         WHERE s.kind = ? AND r.state IN ('running', 'succeeded')`,
      )
      .all(kind) as Array<{ node_id: string }>;
    return rows.map((r) => r.node_id);
  }

  get(runId: string): RunRecord | undefined {
    return this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRecord | undefined;
  }

  steps(runId: string): StepRecord[] {
    return this.db
      .prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY idx')
      .all(runId)
      .map((r) => toStep(r as StepRow));
  }

  /** The first step that has not succeeded, i.e. the one the run is at. */
  currentStep(runId: string): StepRecord | undefined {
    return toStepOrUndefined(
      this.db
        .prepare(`SELECT * FROM steps WHERE run_id = ? AND state != 'succeeded' ORDER BY idx LIMIT 1`)
        .get(runId),
    );
  }

  stepByCmdId(cmdId: string): StepRecord | undefined {
    return toStepOrUndefined(this.db.prepare('SELECT * FROM steps WHERE cmd_id = ?').get(cmdId));
  }

  lastFailedStep(runId: string): StepRecord | undefined {
    return toStepOrUndefined(
      this.db
        .prepare(`SELECT * FROM steps WHERE run_id = ? AND state = 'failed' ORDER BY idx DESC LIMIT 1`)
        .get(runId),
    );
  }

  markDispatched(s: {
    runId: string;
    idx: number;
    attempt: number;
    cmdId: string;
    deadline: string;
    now: string;
  }): void {
    this.db
      .prepare(
        `UPDATE steps SET state='running', attempt=@attempt, cmd_id=@cmdId, deadline=@deadline, not_before=NULL,
           started_at=@now, finished_at=NULL, exit_code=NULL, error=NULL WHERE run_id=@runId AND idx=@idx`,
      )
      .run(s);
  }

  markFinished(s: {
    runId: string;
    idx: number;
    state: 'succeeded' | 'failed' | 'pending';
    notBefore: string | null;
    exitCode: number | null;
    error: string | null;
    outputTail: string;
    now: string;
  }): void {
    this.db
      .prepare(
        `UPDATE steps SET state=@state, not_before=@notBefore, deadline=NULL, finished_at=@now,
           exit_code=@exitCode, error=@error, output_tail=@outputTail WHERE run_id=@runId AND idx=@idx`,
      )
      // The error and the tail are the node's words: capped (input-caps.ts).
      .run({
        ...s,
        error: s.error === null ? null : capString(s.error, ERROR_TEXT_MAX),
        outputTail: capTailBytes(s.outputTail, OUTPUT_TAIL_MAX_BYTES),
      });
  }

  finishRun(runId: string, state: RunRecord['state'], now: string): void {
    this.db.prepare('UPDATE runs SET state=?, finished_at=? WHERE id=?').run(state, now, runId);
  }

  /** Reopen a failed run at step `idx` with a fresh attempt budget (operator retry). */
  reopen(runId: string, idx: number, maxAttempts: number, now: string): void {
    this.db
      .prepare(`UPDATE runs SET state='running', finished_at=NULL, max_attempts=? WHERE id=?`)
      .run(maxAttempts, runId);
    this.db
      .prepare(`UPDATE steps SET state='pending', not_before=?, deadline=NULL WHERE run_id=? AND idx=?`)
      .run(now, runId, idx);
  }

  /** Running steps whose deadline has passed. */
  overdue(now: string): StepRecord[] {
    return this.db
      .prepare(`SELECT * FROM steps WHERE state='running' AND deadline IS NOT NULL AND deadline < ?`)
      .all(now)
      .map((r) => toStep(r as StepRow));
  }

  /** Pending steps of running runs whose scheduled retry time has come. */
  dueRetries(now: string): StepRecord[] {
    return this.db
      .prepare(
        `SELECT s.* FROM steps s JOIN runs r ON r.id = s.run_id
         WHERE r.state='running' AND s.state='pending' AND s.not_before IS NOT NULL AND s.not_before <= ?`,
      )
      .all(now)
      .map((r) => toStep(r as StepRow));
  }

  /** After a controller restart, give running steps a fresh grace period: the downtime was ours. */
  extendDeadlines(minDeadline: string): number {
    return this.db
      .prepare(`UPDATE steps SET deadline=? WHERE state='running' AND deadline < ?`)
      .run(minDeadline, minDeadline).changes;
  }
}
