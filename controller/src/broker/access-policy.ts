import { NODE_ID_PATTERN, parseTopic, TOPIC_ROOT, topics } from '@osbuild/shared';

/**
 * Who is on the other end of an MQTT connection. Until per-principal credentials land (security
 * issue), agents and CLIs are recognised by client id; only the controller's own client proves
 * itself with a secret made at start-up. This module is the single place that decides access:
 * the broker hooks call nothing else.
 */
export type Principal =
  | { kind: 'controller' }
  | { kind: 'node'; nodeId: string }
  | { kind: 'operator'; clientId: string }
  | { kind: 'monitor'; clientId: string };

/** Client id the controller's own MQTT client uses. */
export const CONTROLLER_CLIENT_ID = 'osbuild-controller';

/** Classify a connecting client; null refuses the connection. */
export function principalFor(
  clientId: string,
  username: string | undefined,
  password: string | undefined,
  controllerSecret: string,
): Principal | null {
  if (clientId === CONTROLLER_CLIENT_ID || username === CONTROLLER_CLIENT_ID) {
    return username === CONTROLLER_CLIENT_ID &&
      password === controllerSecret &&
      clientId === CONTROLLER_CLIENT_ID
      ? { kind: 'controller' }
      : null;
  }
  const agent = /^agent-(.+)$/.exec(clientId);
  if (agent?.[1] && NODE_ID_PATTERN.test(agent[1])) return { kind: 'node', nodeId: agent[1] };
  if (/^cli-[A-Za-z0-9_-]{1,60}$/.test(clientId)) return { kind: 'operator', clientId };
  if (/^monitor-[A-Za-z0-9_-]{1,56}$/.test(clientId)) return { kind: 'monitor', clientId };
  return null;
}

const NODE_PUBLISHES = new Set(['hello', 'status', 'events', 'cmd-result', 'telemetry']);
const MONITOR_READS = new Set(['status', 'events', 'telemetry']);

/** May `p` publish to `topic`? Topics outside our tree are refused for everyone but the controller. */
export function mayPublish(p: Principal, topic: string): boolean {
  if (p.kind === 'controller') return topic.startsWith(`${TOPIC_ROOT}/`);
  const t = parseTopic(topic);
  if (!t) return false;
  switch (p.kind) {
    case 'node':
      return t.scope === 'node' && t.nodeId === p.nodeId && NODE_PUBLISHES.has(t.kind);
    case 'operator':
      return t.scope === 'rpc-request';
    case 'monitor':
      return false;
  }
}

/**
 * May `p` subscribe to `filter`? Wildcards are allowed only where every topic they could match is
 * allowed, which for nodes and operators means: no wildcards at all.
 */
export function maySubscribe(p: Principal, filter: string): boolean {
  if (p.kind === 'controller') return filter.startsWith(`${TOPIC_ROOT}/`);
  if (p.kind === 'monitor') {
    const m = /^osbuild\/v1\/nodes\/([^/]+)\/([^/]+)$/.exec(filter);
    if (!m?.[1] || !m[2]) return filter === topics.controllerStatus();
    return (m[1] === '+' || NODE_ID_PATTERN.test(m[1])) && MONITOR_READS.has(m[2]);
  }
  if (filter.includes('+') || filter.includes('#')) return false;
  if (filter === topics.controllerStatus()) return true;
  const t = parseTopic(filter);
  if (!t) return false;
  if (p.kind === 'node') return t.scope === 'node' && t.nodeId === p.nodeId && t.kind === 'cmd';
  return t.scope === 'rpc-response' && t.clientId === p.clientId;
}
