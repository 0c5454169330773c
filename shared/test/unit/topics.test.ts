import { describe, expect, it } from 'vitest';
import { NODE_TOPIC_KINDS, parseTopic, topics } from '../../src/protocol/topics.js';

describe('topic builders', () => {
  it('builds every node topic under osbuild/v1/nodes/<id>/ and parses it back', () => {
    for (const kind of NODE_TOPIC_KINDS) {
      const t = topics.node('pi-10000000000000a1', kind);
      expect(t).toBe(`osbuild/v1/nodes/pi-10000000000000a1/${kind}`);
      expect(parseTopic(t)).toEqual({ scope: 'node', nodeId: 'pi-10000000000000a1', kind });
    }
  });

  it('refuses node ids that would break the topic tree', () => {
    for (const bad of ['a/b', '+', '#', 'UPPER', '', 'x'])
      expect(() => topics.node(bad, 'hello')).toThrow(/invalid nodeId/);
  });

  it('classifies controller and rpc topics and rejects foreign ones', () => {
    expect(parseTopic(topics.controllerStatus())).toEqual({ scope: 'controller-status' });
    expect(parseTopic(topics.rpcRequest())).toEqual({ scope: 'rpc-request' });
    expect(parseTopic(topics.rpcResponse('cli-abc'))).toEqual({ scope: 'rpc-response', clientId: 'cli-abc' });
    expect(parseTopic('osbuild/v2/nodes/pi-1234/hello')).toBeNull();
    expect(parseTopic('osbuild/v1/nodes/pi-1234/unknown')).toBeNull();
    expect(parseTopic('other/topic')).toBeNull();
  });
});
