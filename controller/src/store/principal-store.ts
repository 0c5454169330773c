import type { PrincipalRole } from '@osbuild/shared';
import type { Db } from './db.js';

/** A stored claim secret (hash only). */
export interface ClaimRow {
  id: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

/** A stored operator or monitor (hash only). */
export interface UserRow {
  name: string;
  role: PrincipalRole;
  hash: string;
  created_at: string;
}

/** A window in which a claim for a node that holds a credential is accepted once. */
export interface WindowRow {
  node_id: string;
  purpose: 'reprovision' | 'rotate-credential';
  opened_at: string;
  expires_at: string;
}

/** Claims, users and reprovision windows. Secrets never reach this table: only their hashes. */
export class PrincipalStore {
  constructor(private readonly db: Db) {}

  addClaim(id: string, hash: string, now: string): void {
    this.db.prepare('INSERT INTO claims (id, hash, created_at) VALUES (?, ?, ?)').run(id, hash, now);
  }

  activeClaims(): ClaimRow[] {
    return this.db
      .prepare('SELECT * FROM claims WHERE revoked_at IS NULL ORDER BY created_at')
      .all() as ClaimRow[];
  }

  claims(): ClaimRow[] {
    return this.db.prepare('SELECT * FROM claims ORDER BY created_at').all() as ClaimRow[];
  }

  revokeClaim(id: string, now: string): boolean {
    return (
      this.db.prepare('UPDATE claims SET revoked_at=? WHERE id=? AND revoked_at IS NULL').run(now, id)
        .changes > 0
    );
  }

  addUser(name: string, role: PrincipalRole, hash: string, now: string): void {
    this.db
      .prepare('INSERT INTO users (name, role, hash, created_at) VALUES (?, ?, ?, ?)')
      .run(name, role, hash, now);
  }

  user(name: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }

  users(): UserRow[] {
    return this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[];
  }

  removeUser(name: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0;
  }

  openWindow(w: WindowRow): void {
    this.db
      .prepare(
        `INSERT INTO reprovision_windows (node_id, purpose, opened_at, expires_at) VALUES (@node_id, @purpose, @opened_at, @expires_at)
         ON CONFLICT(node_id) DO UPDATE SET purpose=excluded.purpose, opened_at=excluded.opened_at, expires_at=excluded.expires_at`,
      )
      .run(w);
  }

  /** The open (unexpired) window of a node, if any. */
  window(nodeId: string, now: string): WindowRow | undefined {
    return this.db
      .prepare('SELECT * FROM reprovision_windows WHERE node_id = ? AND expires_at > ?')
      .get(nodeId, now) as WindowRow | undefined;
  }

  closeWindow(nodeId: string): void {
    this.db.prepare('DELETE FROM reprovision_windows WHERE node_id = ?').run(nodeId);
  }
}
