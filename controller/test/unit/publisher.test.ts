import { parseTopic } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { publisherOf } from '../../src/server/publisher.js';

const from = (topic: string, payload: string, callerOf?: (id: string) => string | undefined) =>
  publisherOf({ topic, payload: Buffer.from(payload) }, parseTopic(topic), callerOf);

describe('publisherOf: the one principal the access policy lets publish on a topic', () => {
  it('names the node on its own topics and the claim on its claim topic', () => {
    expect(from('osbuild/v1/nodes/pi-a1b2c3/cmd-result', '{}')).toBe('node:pi-a1b2c3');
    expect(from('osbuild/v1/nodes/pi-a1b2c3/hello', 'x')).toBe('node:pi-a1b2c3');
    expect(from('osbuild/v1/nodes/pi-a1b2c3/claim', 'x')).toBe('claim:pi-a1b2c3');
    // Only the controller publishes on cmd and welcome.
    expect(from('osbuild/v1/nodes/pi-a1b2c3/cmd', 'x')).toBe('controller');
  });

  it('names the operator an rpc request replies to, whatever else is wrong with it', () => {
    const callerOf = (id: string) => (id === 'cli-alice' ? 'operator:alice' : undefined);
    expect(from('osbuild/v1/rpc/request', '{"replyTo":"cli-alice","method":1}', callerOf)).toBe(
      'operator:alice',
    );
    expect(from('osbuild/v1/rpc/request', '{"replyTo":"cli-gone"}', callerOf)).toBe('unknown:cli-gone');
    expect(from('osbuild/v1/rpc/request', 'garbage', callerOf)).toBe('operator:unknown');
    expect(from('osbuild/v1/rpc/request', 'null', callerOf)).toBe('operator:unknown');
  });

  it('says unknown for a topic that is not ours', () => {
    expect(from('elsewhere/x', '{}')).toBe('unknown');
  });
});
