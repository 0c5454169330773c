// One control-plane operation at a time (etcd quorum), over a hand-written records port.
import { describe, expect, it } from 'vitest';
import { ControlPlaneLock } from '../../src/kubernetes/control-plane-lock.js';
import type { KubeRecords, KubeStepRecord } from '../../src/kubernetes/node-records.js';

function records(steps: Map<string, KubeStepRecord>): Pick<KubeRecords, 'node' | 'stepOfCommand'> {
  return {
    node: (nodeId) =>
      nodeId === 'n-cp1'
        ? { nodeId, hostname: 'cp-01', phase: 'provisioning', reason: '', online: true }
        : undefined,
    stepOfCommand: (cmdId) => steps.get(cmdId),
  };
}

const init = { kind: 'kubeadm-init' } as const;

describe('ControlPlaneLock', () => {
  it('blocks other nodes while one holds it, naming the holder; the holder itself is not blocked', () => {
    const lock = new ControlPlaneLock(records(new Map()));
    expect(lock.blockedFor('n-cp1')).toBeNull();
    lock.take('n-cp1', 'run-1/5');
    expect(lock.blockedFor('n-cp1')).toBeNull();
    expect(lock.blockedFor('n-cp2')).toBe(
      'another control-plane operation is running on cp-01 (one at a time for etcd quorum)',
    );
    expect(lock.describe()).toBe('n-cp1 (run-1/5)');
  });

  it('is released by the step result, by a failed preparation of its key, or once its command stopped running', () => {
    const steps = new Map<string, KubeStepRecord>();
    const lock = new ControlPlaneLock(records(steps));
    lock.take('n-cp1', 'run-1/5');
    lock.finished('n-cp1', init);
    expect(lock.describe()).toBeNull();

    lock.take('n-cp1', 'run-1/5');
    lock.releaseKey('run-2/5');
    expect(lock.describe()).not.toBeNull();
    lock.releaseKey('run-1/5');
    expect(lock.describe()).toBeNull();

    lock.take('n-cp1', 'run-1/5');
    lock.dispatched('n-cp1', init, 'c-1');
    steps.set('c-1', { kind: 'kubeadm-init', state: 'running' });
    expect(lock.blockedFor('n-cp2')).not.toBeNull();
    steps.set('c-1', { kind: 'kubeadm-init', state: 'failed' });
    expect(lock.blockedFor('n-cp2')).toBeNull();
    expect(lock.describe()).toBeNull();
  });
});
