import { NODE_TOPIC_KINDS, topics } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import {
  CONTROLLER_CLIENT_ID,
  mayPublish,
  maySubscribe,
  principalFor,
} from '../../src/broker/access-policy.js';

const SECRET = 's3cret';
const node = principalFor('agent-pi-10000000000000a1', undefined, undefined, SECRET)!;
const other = 'pi-10000000000000a2';
const operator = principalFor('cli-abc123', undefined, undefined, SECRET)!;
const monitor = principalFor('monitor-grafana', undefined, undefined, SECRET)!;

describe('principalFor', () => {
  it('only lets the controller in with the start-up secret', () => {
    expect(principalFor(CONTROLLER_CLIENT_ID, CONTROLLER_CLIENT_ID, SECRET, SECRET)).toEqual({
      kind: 'controller',
    });
    expect(principalFor(CONTROLLER_CLIENT_ID, CONTROLLER_CLIENT_ID, 'guess', SECRET)).toBeNull();
    expect(principalFor(CONTROLLER_CLIENT_ID, undefined, undefined, SECRET)).toBeNull();
    expect(principalFor('cli-x', CONTROLLER_CLIENT_ID, SECRET, SECRET)).toBeNull();
  });

  it('refuses clients it cannot classify', () => {
    for (const id of ['', 'mqttjs_1234', 'agent-', 'agent-UPPER', 'agent-a/b', 'cli-', 'cli-a+b']) {
      expect(principalFor(id, undefined, undefined, SECRET)).toBeNull();
    }
  });
});

describe('access matrix', () => {
  it('lets a node publish only its own upstream topics', () => {
    for (const kind of NODE_TOPIC_KINDS) {
      expect(mayPublish(node, topics.node('pi-10000000000000a1', kind))).toBe(kind !== 'cmd');
      expect(mayPublish(node, topics.node(other, kind))).toBe(false);
    }
    expect(mayPublish(node, topics.controllerStatus())).toBe(false);
    expect(mayPublish(node, topics.rpcRequest())).toBe(false);
  });

  it('lets a node subscribe only to its own commands and controller presence, without wildcards', () => {
    expect(maySubscribe(node, topics.node('pi-10000000000000a1', 'cmd'))).toBe(true);
    expect(maySubscribe(node, topics.controllerStatus())).toBe(true);
    expect(maySubscribe(node, topics.node(other, 'cmd'))).toBe(false);
    expect(maySubscribe(node, topics.allNodes('cmd'))).toBe(false);
    expect(maySubscribe(node, 'osbuild/v1/#')).toBe(false);
    expect(maySubscribe(node, '#')).toBe(false);
  });

  it('confines operators to the rpc exchange of their own client id', () => {
    expect(mayPublish(operator, topics.rpcRequest())).toBe(true);
    expect(mayPublish(operator, topics.node(other, 'cmd'))).toBe(false);
    expect(maySubscribe(operator, topics.rpcResponse('cli-abc123'))).toBe(true);
    expect(maySubscribe(operator, topics.rpcResponse('cli-other'))).toBe(false);
    expect(maySubscribe(operator, 'osbuild/v1/rpc/response/+')).toBe(false);
  });

  it('gives monitors read-only access to status, events and telemetry', () => {
    for (const kind of NODE_TOPIC_KINDS) {
      expect(mayPublish(monitor, topics.node(other, kind))).toBe(false);
      expect(maySubscribe(monitor, topics.allNodes(kind))).toBe(
        ['status', 'events', 'telemetry'].includes(kind),
      );
    }
    expect(maySubscribe(monitor, 'osbuild/v1/#')).toBe(false);
  });

  it('keeps the controller inside the osbuild tree', () => {
    const c = { kind: 'controller' as const };
    expect(mayPublish(c, topics.node(other, 'cmd'))).toBe(true);
    expect(mayPublish(c, '$SYS/x')).toBe(false);
    expect(maySubscribe(c, topics.allNodes('hello'))).toBe(true);
  });
});
