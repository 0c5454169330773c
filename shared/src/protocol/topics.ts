/**
 * Every MQTT topic OSBuild uses is built here and only here, so the ACLs (security issue) and the
 * docs have one list to follow. Node topics live under `osbuild/v1/nodes/<nodeId>/`.
 */
export const TOPIC_ROOT = 'osbuild/v1' as const;

/**
 * Kinds of per-node topics. `cmd` and `welcome` flow controller -> agent, all others agent ->
 * controller. `claim` and `welcome` are the enrolment exchange of a board that holds only the
 * image's claim secret; everything else needs the node's own credential (see access-policy).
 */
export const NODE_TOPIC_KINDS = [
  'hello',
  'status',
  'events',
  'cmd',
  'cmd-result',
  'telemetry',
  'claim',
  'welcome',
] as const;
/** One of {@link NODE_TOPIC_KINDS}. */
export type NodeTopicKind = (typeof NODE_TOPIC_KINDS)[number];

/** A nodeId is lowercase letters, digits and dashes: safe as a single MQTT topic level. */
export const NODE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

/** Topic builders. */
export const topics = {
  /** `osbuild/v1/nodes/<nodeId>/<kind>` for one node. */
  node(nodeId: string, kind: NodeTopicKind): string {
    if (!NODE_ID_PATTERN.test(nodeId))
      throw new Error(`invalid nodeId for a topic: ${JSON.stringify(nodeId)}`);
    return `${TOPIC_ROOT}/nodes/${nodeId}/${kind}`;
  },
  /** Subscription filter for one kind across all nodes (`osbuild/v1/nodes/+/<kind>`). */
  allNodes(kind: NodeTopicKind): string {
    return `${TOPIC_ROOT}/nodes/+/${kind}`;
  },
  /** Retained controller presence, so agents know whether to wait. */
  controllerStatus(): string {
    return `${TOPIC_ROOT}/controller/status`;
  },
  /** Operator requests (CLI -> controller). */
  rpcRequest(): string {
    return `${TOPIC_ROOT}/rpc/request`;
  },
  /** Responses for one requesting client (controller -> CLI). */
  rpcResponse(clientId: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) throw new Error(`invalid rpc client id: ${clientId}`);
    return `${TOPIC_ROOT}/rpc/response/${clientId}`;
  },
} as const;

/** What a concrete topic refers to, or null when it is not one of ours. */
export type ParsedTopic =
  | { scope: 'node'; nodeId: string; kind: NodeTopicKind }
  | { scope: 'controller-status' }
  | { scope: 'rpc-request' }
  | { scope: 'rpc-response'; clientId: string };

/** Inverse of {@link topics}: classify a concrete (wildcard-free) topic. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== 'osbuild' || parts[1] !== 'v1') return null;
  const rest = parts.slice(2);
  if (rest[0] === 'nodes' && rest.length === 3) {
    const nodeId = rest[1] ?? '';
    const kind = rest[2] as NodeTopicKind;
    if (!NODE_ID_PATTERN.test(nodeId) || !NODE_TOPIC_KINDS.includes(kind)) return null;
    return { scope: 'node', nodeId, kind };
  }
  if (rest.length === 2 && rest[0] === 'controller' && rest[1] === 'status')
    return { scope: 'controller-status' };
  if (rest.length === 2 && rest[0] === 'rpc' && rest[1] === 'request') return { scope: 'rpc-request' };
  if (rest.length === 3 && rest[0] === 'rpc' && rest[1] === 'response' && rest[2]) {
    return { scope: 'rpc-response', clientId: rest[2] };
  }
  return null;
}
