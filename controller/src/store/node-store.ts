import { type BootSource, bootSource, type Hello, type NodePhase, type NodeRole } from '@osbuild/shared';
import { z } from 'zod';
import type { Db } from './db.js';
import { capString, ERROR_TEXT_MAX } from './input-caps.js';

/** A node as the store returns it: booleans and lists, not SQLite's 0/1 and JSON text. Times are ISO strings. */
export interface NodeRecord {
  node_id: string;
  hostname: string | null;
  role: NodeRole | null;
  ip: string | null;
  mac: string | null;
  serial: string | null;
  macs: string[];
  model: string | null;
  boot_source: BootSource | null;
  boot_id: string | null;
  boot_seq: number | null;
  agent_version: string | null;
  image_version: string | null;
  reported_hostname: string | null;
  phase: NodePhase;
  reason: string;
  phase_since: string;
  online: boolean;
  last_seen: string | null;
  first_seen: string;
  current_run_id: string | null;
  credential_hash: string | null;
  credential_issued_at: string | null;
  /** First successful login with the current credential; null while it may not have arrived. */
  credential_used_at: string | null;
  /** Set on the entry that records a board which claimed another node's identity. */
  conflict_of: string | null;
}

/** The columns a pass over every node needs (metrics, condition checks): cheaper than whole rows. */
export type NodeBrief = Pick<
  NodeRecord,
  'node_id' | 'hostname' | 'role' | 'phase' | 'online' | 'conflict_of'
>;

/** The node columns as SQLite holds them. */
type NodeRow = Omit<NodeRecord, 'macs' | 'online' | 'boot_source'> & {
  macs: string;
  online: number;
  boot_source: string | null;
};

const macList = z.array(z.string());
const storedBootSource = bootSource.nullable().catch(null);

/** Parse at the boundary: the rest of the controller never sees 0/1 or JSON text. */
function toNode(row: unknown): NodeRecord | undefined {
  if (row === undefined) return undefined;
  const r = row as NodeRow;
  return {
    ...r,
    macs: macList.parse(JSON.parse(r.macs)),
    online: r.online === 1,
    boot_source: storedBootSource.parse(r.boot_source),
  };
}

const toNodes = (rows: unknown[]): NodeRecord[] => rows.map((r) => toNode(r) as NodeRecord);

/** Binding of a node to an inventory entry (or an operator approval). */
export interface NodeBinding {
  hostname: string;
  role: NodeRole;
  ip: string | null;
}

/** Nodes table access. */
export class NodeStore {
  constructor(private readonly db: Db) {}

  get(nodeId: string): NodeRecord | undefined {
    return toNode(this.db.prepare('SELECT * FROM nodes WHERE node_id = ?').get(nodeId));
  }

  /** Look a node up the way operators name it: bound hostname first, then nodeId. */
  findByName(name: string): NodeRecord | undefined {
    return this.findByHostname(name) ?? this.get(name);
  }

  findByHostname(hostname: string): NodeRecord | undefined {
    return toNode(this.db.prepare('SELECT * FROM nodes WHERE hostname = ?').get(hostname));
  }

  list(): NodeRecord[] {
    return toNodes(this.db.prepare('SELECT * FROM nodes ORDER BY COALESCE(hostname, node_id)').all());
  }

  /** Every node, in the order of {@link list}, with only the columns of {@link NodeBrief}. */
  listBrief(): NodeBrief[] {
    return this.db
      .prepare(
        'SELECT node_id, hostname, role, phase, online, conflict_of FROM nodes ORDER BY COALESCE(hostname, node_id)',
      )
      .all()
      .map((r) => {
        const b = r as Omit<NodeBrief, 'online'> & { online: number };
        return { ...b, online: b.online === 1 };
      });
  }

  /** Nodes in one of `phases`, leaving out conflict records (they never match anything). */
  listInPhase(phases: readonly NodePhase[]): NodeRecord[] {
    const marks = phases.map(() => '?').join(',');
    return toNodes(
      this.db.prepare(`SELECT * FROM nodes WHERE phase IN (${marks}) AND conflict_of IS NULL`).all(...phases),
    );
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM nodes').get() as { n: number }).n;
  }

  /** Record what a hello says; returns whether the node is new and whether it rebooted. */
  recordHello(hello: Hello, now: string): { created: boolean; rebooted: boolean } {
    const id = hello.identity;
    const existing = this.get(id.nodeId);
    const fields = {
      node_id: id.nodeId,
      mac: id.nics[0]?.mac ?? null,
      serial: id.serial,
      macs: JSON.stringify(id.nics.map((n) => n.mac)),
      model: id.model,
      boot_source: id.bootSource,
      boot_id: id.bootId,
      boot_seq: hello.bootSeq,
      agent_version: id.agentVersion,
      image_version: id.imageVersion,
      reported_hostname: id.hostname,
      now,
    };
    if (!existing) {
      this.db
        .prepare(
          `INSERT INTO nodes (node_id, mac, serial, macs, model, boot_source, boot_id, boot_seq, agent_version,
             image_version, reported_hostname, phase, reason, phase_since, online, last_seen, first_seen)
           VALUES (@node_id, @mac, @serial, @macs, @model, @boot_source, @boot_id, @boot_seq, @agent_version,
             @image_version, @reported_hostname, 'discovered', 'hello received', @now, 1, @now, @now)`,
        )
        .run(fields);
      return { created: true, rebooted: false };
    }
    this.db
      .prepare(
        `UPDATE nodes SET mac=@mac, serial=@serial, macs=@macs, model=@model, boot_source=@boot_source,
           boot_id=@boot_id, boot_seq=@boot_seq, agent_version=@agent_version, image_version=@image_version,
           reported_hostname=@reported_hostname, online=1, last_seen=@now WHERE node_id=@node_id`,
      )
      .run(fields);
    return { created: false, rebooted: existing.boot_id !== null && existing.boot_id !== id.bootId };
  }

  setPhase(nodeId: string, phase: NodePhase, reason: string, now: string): void {
    this.db
      .prepare(
        `UPDATE nodes SET reason=@reason,
           phase_since = CASE WHEN phase = @phase THEN phase_since ELSE @now END, phase=@phase
         WHERE node_id=@nodeId`,
      )
      // A reason may quote a step's error, which the node wrote.
      .run({ nodeId, phase, reason: capString(reason, 2 * ERROR_TEXT_MAX), now });
  }

  bind(nodeId: string, binding: NodeBinding | null): void {
    this.db.prepare('UPDATE nodes SET hostname=@hostname, role=@role, ip=@ip WHERE node_id=@nodeId').run({
      nodeId,
      hostname: binding?.hostname ?? null,
      role: binding?.role ?? null,
      ip: binding?.ip ?? null,
    });
  }

  setCredential(nodeId: string, hash: string | null, now: string | null): void {
    this.db
      .prepare(
        'UPDATE nodes SET credential_hash=?, credential_issued_at=?, credential_used_at=NULL WHERE node_id=?',
      )
      .run(hash, now, nodeId);
  }

  /** Note the first login with the current credential: from then on a claim for this node is a conflict. */
  markCredentialUsed(nodeId: string, now: string): void {
    this.db
      .prepare('UPDATE nodes SET credential_used_at=? WHERE node_id=? AND credential_used_at IS NULL')
      .run(now, nodeId);
  }

  /** Record (or refresh) the entry of a board that claimed `nodeId`'s identity without its credential. */
  recordConflict(conflictId: string, nodeId: string, hello: Hello, reason: string, now: string): void {
    this.db
      .prepare(
        `INSERT INTO nodes (node_id, mac, serial, macs, model, boot_source, boot_id, agent_version, reported_hostname,
           phase, reason, phase_since, online, last_seen, first_seen, conflict_of)
         VALUES (@id, @mac, @serial, @macs, @model, @boot_source, @boot_id, @agent_version, @hostname,
           'pending', @reason, @now, 0, @now, @now, @nodeId)
         ON CONFLICT(node_id) DO UPDATE SET last_seen=@now, reason=@reason, boot_id=@boot_id`,
      )
      .run({
        id: conflictId,
        nodeId,
        mac: hello.identity.nics[0]?.mac ?? null,
        serial: hello.identity.serial,
        macs: JSON.stringify(hello.identity.nics.map((n) => n.mac)),
        model: hello.identity.model,
        boot_source: hello.identity.bootSource,
        boot_id: hello.identity.bootId,
        agent_version: hello.identity.agentVersion,
        hostname: hello.identity.hostname,
        reason,
        now,
      });
  }

  remove(nodeId: string): void {
    this.db.prepare('DELETE FROM nodes WHERE node_id = ?').run(nodeId);
  }

  setCurrentRun(nodeId: string, runId: string | null): void {
    this.db.prepare('UPDATE nodes SET current_run_id=? WHERE node_id=?').run(runId, nodeId);
  }

  setOnline(nodeId: string, online: boolean, now: string): void {
    this.db
      .prepare('UPDATE nodes SET online=?, last_seen=CASE WHEN ? THEN ? ELSE last_seen END WHERE node_id=?')
      .run(online ? 1 : 0, online ? 1 : 0, now, nodeId);
  }

  touch(nodeId: string, now: string): void {
    this.db.prepare('UPDATE nodes SET last_seen=? WHERE node_id=?').run(now, nodeId);
  }
}
