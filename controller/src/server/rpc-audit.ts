import type { RpcRequest } from '@osbuild/shared';
import { capField, capFields } from '../logging/cap-fields.js';

/**
 * The audit entry of one operator request: the actor is the principal behind the requesting
 * client, the target the first of the params that name what it acts on (node name, node id,
 * command id). The params are the request's own, not yet validated (a refused request is audited
 * too), so the target is capped here (logging/cap-fields.ts) rather than trusted to a schema.
 */
export function rpcAuditEntry(
  req: RpcRequest,
  actor: string | undefined,
  result: 'ok' | 'refused' | 'error',
  detail: Record<string, unknown>,
) {
  const params = (req.params ?? {}) as Record<string, unknown>;
  const target = [params.name, params.nodeId, params.id].find((x) => typeof x === 'string') as
    | string
    | undefined;
  return {
    actor: capField(actor ?? `unknown:${req.replyTo}`),
    action: `rpc.${req.method}`,
    ...(target ? { target: capField(target) } : {}),
    result,
    detail: capFields(detail),
  };
}
