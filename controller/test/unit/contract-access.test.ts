import { MESSAGE_KINDS, type PrincipalKind } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe, type Principal } from '../../src/broker/access-policy.js';

// The reference (docs/protocol-reference.md) says who may publish and subscribe on each topic,
// from shared/src/contract/catalog.ts; this holds that table to the broker's access policy.
const nodeId = 'pi-10000000000000a1';
const clientId = 'cli-3kq9x';
const principals: Record<PrincipalKind, Principal> = {
  controller: { kind: 'controller' },
  node: { kind: 'node', nodeId },
  claim: { kind: 'claim', nodeId, claimId: 'claim-1' },
  operator: { kind: 'operator', name: 'admin', clientId },
  monitor: { kind: 'monitor', name: 'grafana', clientId: 'grafana-1' },
};
const concrete = (topic: string) => topic.replace('<nodeId>', nodeId).replace('<clientId>', clientId);

describe('the documented publishers and subscribers of every topic', () => {
  it.each(MESSAGE_KINDS.map((k) => [k.name, k] as const))('%s matches the access policy', (_name, kind) => {
    const topic = concrete(kind.topic);
    for (const [name, p] of Object.entries(principals) as [PrincipalKind, Principal][]) {
      // The controller may use every topic; the reference lists it only where it does.
      if (name === 'controller') {
        expect(mayPublish(p, topic) && maySubscribe(p, topic)).toBe(true);
        continue;
      }
      expect(mayPublish(p, topic), `${name} publish ${topic}`).toBe(kind.publishers.includes(name));
      expect(maySubscribe(p, topic), `${name} subscribe ${topic}`).toBe(kind.subscribers.includes(name));
    }
  });
});
