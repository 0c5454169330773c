import type { NodeRole } from '@osbuild/shared';
import type { Db } from './db.js';

/** An operator's decision that a pending node is a given host. */
export interface Approval {
  nodeId: string;
  hostname: string;
  role: NodeRole | null;
  approvedAt: string;
}

/** Approvals table access. */
export class ApprovalStore {
  constructor(private readonly db: Db) {}

  get(nodeId: string): Approval | undefined {
    const row = this.db.prepare('SELECT * FROM approvals WHERE node_id = ?').get(nodeId) as
      | { node_id: string; hostname: string; role: NodeRole | null; approved_at: string }
      | undefined;
    return (
      row && { nodeId: row.node_id, hostname: row.hostname, role: row.role, approvedAt: row.approved_at }
    );
  }

  put(a: Approval): void {
    this.db
      .prepare(
        `INSERT INTO approvals (node_id, hostname, role, approved_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(node_id) DO UPDATE SET hostname=excluded.hostname, role=excluded.role, approved_at=excluded.approved_at`,
      )
      .run(a.nodeId, a.hostname, a.role, a.approvedAt);
  }
}
