import { describe, expect, it } from 'vitest';
import { commandSchema } from '../../src/protocol/command.js';
import { helloSchema } from '../../src/protocol/hello.js';
import { deriveNodeId } from '../../src/protocol/identity.js';
import { MAX_PAYLOAD_BYTES, parsePayload } from '../../src/protocol/parse.js';
import { STEP_KINDS, stepSchema } from '../../src/protocol/steps.js';

const identity = {
  nodeId: 'pi-10000000000000a1',
  nics: [{ name: 'eth0', mac: 'DC:A6:32:00:00:0A' }],
  serial: '10000000000000a1',
  model: 'Raspberry Pi 5 Model B Rev 1.0',
  bootSource: 'nvme',
  bootId: 'b1',
  agentVersion: '0.1.0',
  imageVersion: null,
  hostname: 'raspberrypi',
};

describe('message schemas', () => {
  it('parses a hello and normalises MACs to lowercase', () => {
    const r = parsePayload(
      helloSchema,
      JSON.stringify({ v: 1, seq: 0, bootSeq: 1, at: 'now', identity, provisioned: null }),
    );
    expect(r.ok && r.value.identity.nics[0]?.mac).toBe('dc:a6:32:00:00:0a');
  });

  it('rejects a wrong protocol version, bad JSON and oversize payloads with a reason', () => {
    const wrongV = parsePayload(
      helloSchema,
      JSON.stringify({ v: 2, seq: 0, bootSeq: 1, at: 'now', identity, provisioned: null }),
    );
    expect(wrongV).toMatchObject({ ok: false, error: expect.stringMatching(/^v:/) });
    expect(parsePayload(helloSchema, '{not json')).toMatchObject({
      ok: false,
      error: 'payload is not valid JSON',
    });
    expect(parsePayload(helloSchema, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 32))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/too large/),
    });
  });

  it('applies step defaults and refuses scripts outside the repository', () => {
    const s = stepSchema.parse({ kind: 'set-hostname', hostname: 'k8s-worker-01' });
    expect(s.timeoutSec).toBe(30);
    const base = { kind: 'run-script', repo: 'file:///r', commit: 'a'.repeat(40) };
    expect(stepSchema.safeParse({ ...base, script: '../etc/passwd' }).success).toBe(false);
    expect(stepSchema.safeParse({ ...base, script: '/bin/sh' }).success).toBe(false);
    expect(stepSchema.safeParse({ ...base, script: 'setup.sh', commit: 'main' }).success).toBe(false);
    expect(stepSchema.safeParse({ kind: 'write-file', path: '/etc/../x', content: '' }).success).toBe(false);
    expect(STEP_KINDS).toEqual([
      'set-hostname',
      'write-file',
      'configure-network',
      'run-script',
      'reboot',
      'mark-provisioned',
      'reset-node',
      'kube-prereqs',
      'kubeadm-init',
      'kubeadm-join',
      'kubeadm-upload-certs',
      'etcd-member-remove',
    ]);
  });

  it('parses a run-step command', () => {
    const cmd = commandSchema.parse({
      v: 1,
      id: 'run-1-0-1',
      deadline: '2026-01-01T00:00:00Z',
      body: { type: 'run-step', runId: 'run-1', index: 0, attempt: 1, step: { kind: 'reboot' } },
    });
    expect(cmd.body).toMatchObject({ step: { kind: 'reboot', timeoutSec: 600 } });
  });

  it('derives node ids from the serial first, then the primary MAC', () => {
    expect(deriveNodeId('10000000ABCDEF01', 'dc:a6:32:00:00:0a')).toBe('pi-10000000abcdef01');
    expect(deriveNodeId(null, 'DC:A6:32:00:00:0A')).toBe('mac-dca63200000a');
    expect(() => deriveNodeId(null, null)).toThrow(/cannot derive/);
  });
});
