import type { ParsedTopic } from '@osbuild/shared';
import { mayPublish } from '../broker/access-policy.js';

/** Longest client id quoted for an rpc request whose operator is gone (topics allow 64). */
const MAX_CLIENT_ID = 64;

/**
 * Who published an inbound message. MQTT 3.1.1 does not tell a subscriber who published, but the
 * broker's access policy leaves one possibility per topic: a node topic is published by that node
 * (its claim topic by a board holding the claim secret for that nodeId), and an rpc request names
 * its sender in `replyTo`, which the broker checks against the client id when the payload is JSON
 * (broker/embedded-broker.ts). Never throws; `unknown` where nothing is certain.
 */
export function publisherOf(
  msg: { topic: string; payload: Buffer },
  t: ParsedTopic | null,
  callerOf?: (clientId: string) => string | undefined,
): string {
  if (t?.scope === 'node') {
    for (const p of [
      { kind: 'node', nodeId: t.nodeId },
      { kind: 'claim', nodeId: t.nodeId, claimId: '' },
    ] as const) {
      if (mayPublish(p, msg.topic)) return `${p.kind}:${t.nodeId}`;
    }
    return 'controller';
  }
  if (t?.scope === 'rpc-request') {
    const clientId = replyToOf(msg.payload);
    if (clientId === undefined) return 'operator:unknown';
    return callerOf?.(clientId) ?? `unknown:${clientId.slice(0, MAX_CLIENT_ID)}`;
  }
  return 'unknown';
}

function replyToOf(payload: Buffer): string | undefined {
  try {
    const replyTo = (JSON.parse(payload.toString()) as { replyTo?: unknown } | null)?.replyTo;
    return typeof replyTo === 'string' ? replyTo : undefined;
  } catch {
    return undefined;
  }
}
