import type { Inventory, InventoryNode, NodeRole } from '@osbuild/shared';

/** The hardware facts matching needs. MACs are lowercase, primary first. */
export interface MatchIdentity {
  nodeId: string;
  macs: readonly string[];
  serial: string | null;
}

/** An operator approval binding a nodeId to a hostname (and, for hosts not in the inventory, a role). */
export interface MatchApproval {
  hostname: string;
  role: NodeRole | null;
}

/** What the node should become: an inventory entry, or an approved host outside the inventory. */
export interface MatchTarget {
  hostname: string;
  role: NodeRole;
  entry: InventoryNode | null;
  by: 'mac' | 'serial' | 'approval';
}

/** Outcome of matching one node. */
export type MatchResult =
  | { kind: 'matched'; target: MatchTarget }
  | { kind: 'pending'; reason: 'unknown' | 'identity-mismatch' | 'conflict'; detail: string };

/**
 * Decide which inventory entry a board is. MAC first, serial as fallback (DESIGN.md section 1).
 * A board whose MAC and serial point at different entries is never guessed at: it waits for an
 * operator. `boundElsewhere(hostname)` says whether another node already holds that entry.
 */
export function matchNode(
  id: MatchIdentity,
  inventory: Inventory,
  approval: MatchApproval | null,
  boundElsewhere: (hostname: string) => string | null,
): MatchResult {
  const target = approval ? fromApproval(approval, inventory) : fromHardware(id, inventory);
  if (target.kind === 'pending') return target;
  const holder = boundElsewhere(target.target.hostname);
  if (holder !== null && holder !== id.nodeId) {
    return {
      kind: 'pending',
      reason: 'conflict',
      detail: `${target.target.hostname} is already held by node ${holder}`,
    };
  }
  return target;
}

function fromApproval(approval: MatchApproval, inventory: Inventory): MatchResult {
  const entry = inventory.nodes.find((n) => n.hostname === approval.hostname) ?? null;
  const role = entry?.role ?? approval.role;
  if (!role) {
    return {
      kind: 'pending',
      reason: 'unknown',
      detail: `approved as ${approval.hostname}, which is not in the inventory and has no role`,
    };
  }
  return { kind: 'matched', target: { hostname: approval.hostname, role, entry, by: 'approval' } };
}

function fromHardware(id: MatchIdentity, inventory: Inventory): MatchResult {
  const byMac = id.macs
    .map((mac) => inventory.nodes.find((n) => n.mac === mac))
    .find((n): n is InventoryNode => n !== undefined);
  const bySerial = id.serial ? inventory.nodes.find((n) => n.serial === id.serial) : undefined;

  if (byMac && bySerial && byMac !== bySerial) {
    return {
      kind: 'pending',
      reason: 'identity-mismatch',
      detail: `MAC ${byMac.mac} is ${byMac.hostname} but serial ${id.serial} is ${bySerial.hostname}`,
    };
  }
  if (byMac?.serial && id.serial && byMac.serial !== id.serial) {
    return {
      kind: 'pending',
      reason: 'identity-mismatch',
      detail: `MAC ${byMac.mac} is ${byMac.hostname}, whose serial is ${byMac.serial}, but this board's serial is ${id.serial}`,
    };
  }
  const entry = byMac ?? bySerial;
  if (!entry) {
    const macs = id.macs.length > 0 ? id.macs.join(', ') : 'none';
    return {
      kind: 'pending',
      reason: 'unknown',
      detail: `no inventory entry has MAC ${macs} or serial ${id.serial ?? 'none'}`,
    };
  }
  return {
    kind: 'matched',
    target: { hostname: entry.hostname, role: entry.role, entry, by: byMac ? 'mac' : 'serial' },
  };
}
