import { NODE_TOPIC_KINDS, type NodeTopicKind, topics } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { agentNodeId, mayPublish, maySubscribe, type Principal } from '../../src/broker/access-policy.js';

const A = 'pi-10000000000000a1';
const B = 'pi-10000000000000a2';
const node: Principal = { kind: 'node', nodeId: A };
const claim: Principal = { kind: 'claim', nodeId: A, claimId: 'claim-1' };
const operator: Principal = { kind: 'operator', name: 'alice', clientId: 'cli-abc123' };
const monitor: Principal = { kind: 'monitor', name: 'grafana', clientId: 'grafana-1' };
const controller: Principal = { kind: 'controller' };

// The whole matrix: what each principal may publish and subscribe to, per topic kind, for its own
// node (A) and another (B). Anything not listed is refused.
const PUBLISH: Record<string, { own: NodeTopicKind[]; other: NodeTopicKind[] }> = {
  node: { own: ['hello', 'status', 'events', 'cmd-result', 'telemetry'], other: [] },
  claim: { own: ['claim'], other: [] },
  operator: { own: [], other: [] },
  monitor: { own: [], other: [] },
  controller: { own: [...NODE_TOPIC_KINDS], other: [...NODE_TOPIC_KINDS] },
};
const SUBSCRIBE: typeof PUBLISH = {
  node: { own: ['cmd'], other: [] },
  claim: { own: ['welcome'], other: [] },
  // Operators read what monitors read (osbuild watch); neither ever reads cmd, welcome or hello.
  operator: { own: ['status', 'events', 'telemetry'], other: ['status', 'events', 'telemetry'] },
  monitor: { own: ['status', 'events', 'telemetry'], other: ['status', 'events', 'telemetry'] },
  controller: { own: [...NODE_TOPIC_KINDS], other: [...NODE_TOPIC_KINDS] },
};
const ALL = { node, claim, operator, monitor, controller };

describe('access matrix: every principal x every node topic kind x publish/subscribe', () => {
  for (const [name, p] of Object.entries(ALL)) {
    for (const kind of NODE_TOPIC_KINDS) {
      it(`${name} ${kind}`, () => {
        expect(mayPublish(p, topics.node(A, kind))).toBe(PUBLISH[name]!.own.includes(kind));
        expect(mayPublish(p, topics.node(B, kind))).toBe(PUBLISH[name]!.other.includes(kind));
        expect(maySubscribe(p, topics.node(A, kind))).toBe(SUBSCRIBE[name]!.own.includes(kind));
        expect(maySubscribe(p, topics.node(B, kind))).toBe(SUBSCRIBE[name]!.other.includes(kind));
      });
    }
  }
});

describe('access beyond node topics', () => {
  it("refuses wildcards that would cross a principal's lines", () => {
    for (const p of [node, claim, operator]) {
      for (const f of [
        '#',
        'osbuild/v1/#',
        topics.allNodes('cmd'),
        topics.allNodes('welcome'),
        'osbuild/v1/rpc/response/+',
      ]) {
        expect(maySubscribe(p, f)).toBe(false);
      }
    }
    expect(maySubscribe(monitor, 'osbuild/v1/#')).toBe(false);
    expect(maySubscribe(operator, topics.allNodes('telemetry'))).toBe(true);
    expect(maySubscribe(operator, topics.allNodes('cmd-result'))).toBe(false);
    expect(maySubscribe(monitor, topics.allNodes('cmd'))).toBe(false);
    expect(maySubscribe(monitor, topics.allNodes('status'))).toBe(true);
  });

  it('confines operators to the rpc exchange of their own client id', () => {
    expect(mayPublish(operator, topics.rpcRequest())).toBe(true);
    expect(maySubscribe(operator, topics.rpcResponse('cli-abc123'))).toBe(true);
    expect(maySubscribe(operator, topics.rpcResponse('cli-other'))).toBe(false);
    for (const p of [node, claim, monitor]) {
      expect(mayPublish(p, topics.rpcRequest())).toBe(false);
      expect(maySubscribe(p, topics.rpcResponse('cli-abc123'))).toBe(false);
    }
  });

  it('lets everyone read controller presence, and only the controller write it', () => {
    for (const p of [node, claim, operator, monitor]) {
      expect(maySubscribe(p, topics.controllerStatus())).toBe(true);
      expect(mayPublish(p, topics.controllerStatus())).toBe(false);
    }
    expect(mayPublish(controller, topics.controllerStatus())).toBe(true);
  });

  it('keeps everyone, the controller included, out of topics outside the osbuild tree', () => {
    for (const p of Object.values(ALL)) {
      expect(mayPublish(p, '$SYS/broker/clients')).toBe(false);
      expect(mayPublish(p, 'other/topic')).toBe(false);
    }
  });

  it('derives the node id only from well-formed agent client ids', () => {
    expect(agentNodeId(`agent-${A}`)).toBe(A);
    for (const bad of ['agent-', 'agent-UPPER', 'agent-a/b', 'cli-x', A]) expect(agentNodeId(bad)).toBeNull();
  });
});
