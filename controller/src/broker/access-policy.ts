import { NODE_ID_PATTERN, parseTopic, TOPIC_ROOT, topics } from '@osbuild/shared';

/**
 * Who is on the other end of an MQTT connection, as established by the authenticator at CONNECT.
 * This module is the single place that decides what each may publish and subscribe to: the broker
 * hooks call nothing else.
 */
export type Principal =
  | { kind: 'controller' }
  | { kind: 'node'; nodeId: string }
  | { kind: 'claim'; nodeId: string; claimId: string }
  | { kind: 'operator'; name: string; clientId: string }
  | { kind: 'monitor'; name: string; clientId: string };

/** Client id the controller's own MQTT client uses. */
export const CONTROLLER_CLIENT_ID = 'osbuild-controller';
/** Username a board uses while it holds only the image's claim secret. */
export const CLAIM_USERNAME = 'claim';

/** The nodeId an agent's client id names (`agent-<nodeId>`), or null. */
export function agentNodeId(clientId: string): string | null {
  const m = /^agent-(.+)$/.exec(clientId);
  return m?.[1] && NODE_ID_PATTERN.test(m[1]) ? m[1] : null;
}

/** Client ids operators must use: the rpc response topic is named after it. */
export const OPERATOR_CLIENT_ID = /^cli-[A-Za-z0-9_-]{1,60}$/;
/** Client ids monitors may use. */
export const MONITOR_CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

const NODE_PUBLISHES = new Set(['hello', 'status', 'events', 'cmd-result', 'telemetry']);
// A claim-only board may only say who it is. Not even its status: anyone holding an image could
// otherwise make an offline node look online.
const CLAIM_PUBLISHES = new Set(['claim']);
const MONITOR_READS = new Set(['status', 'events', 'telemetry']);

/** May `p` publish to `topic`? Topics outside our tree are refused for everyone but the controller. */
export function mayPublish(p: Principal, topic: string): boolean {
  if (p.kind === 'controller') return topic.startsWith(`${TOPIC_ROOT}/`);
  const t = parseTopic(topic);
  if (!t) return false;
  switch (p.kind) {
    case 'node':
      return t.scope === 'node' && t.nodeId === p.nodeId && NODE_PUBLISHES.has(t.kind);
    case 'claim':
      return t.scope === 'node' && t.nodeId === p.nodeId && CLAIM_PUBLISHES.has(t.kind);
    case 'operator':
      return t.scope === 'rpc-request';
    case 'monitor':
      return false;
  }
}

/**
 * May `p` subscribe to `filter`? Wildcards are allowed only where every topic they could match is
 * allowed: nodes and claims get no wildcards at all; monitors and operators may use `+` for the node
 * level of the read-only views (status, events, telemetry).
 */
export function maySubscribe(p: Principal, filter: string): boolean {
  if (p.kind === 'controller') return filter.startsWith(`${TOPIC_ROOT}/`);
  // Operators read what monitors read (`osbuild watch`), plus their own rpc responses below.
  if ((p.kind === 'monitor' || p.kind === 'operator') && monitorReadable(filter)) return true;
  if (p.kind === 'monitor') return false;
  if (filter.includes('+') || filter.includes('#')) return false;
  if (filter === topics.controllerStatus()) return true;
  const t = parseTopic(filter);
  if (!t) return false;
  switch (p.kind) {
    case 'node':
      return t.scope === 'node' && t.nodeId === p.nodeId && t.kind === 'cmd';
    case 'claim':
      return t.scope === 'node' && t.nodeId === p.nodeId && t.kind === 'welcome';
    case 'operator':
      return t.scope === 'rpc-response' && t.clientId === p.clientId;
  }
}

/** Status, events and telemetry of one node or all (`+`), and controller presence: read-only views. */
function monitorReadable(filter: string): boolean {
  if (filter === topics.controllerStatus()) return true;
  const m = /^osbuild\/v1\/nodes\/([^/]+)\/([^/]+)$/.exec(filter);
  return !!m?.[1] && !!m[2] && (m[1] === '+' || NODE_ID_PATTERN.test(m[1])) && MONITOR_READS.has(m[2]);
}

/** Name of a principal for logs and the audit log (never a secret). */
export function principalName(p: Principal): string {
  switch (p.kind) {
    case 'controller':
      return 'controller';
    case 'node':
      return `node:${p.nodeId}`;
    case 'claim':
      return `claim:${p.nodeId}`;
    case 'operator':
    case 'monitor':
      return `${p.kind}:${p.name}`;
  }
}
