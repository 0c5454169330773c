import { topics } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, tracePayload } from '../../src/logging/redact.js';

const N = 'pi-10000000000000a1';
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('what the trace shows of a payload', () => {
  it('shows nothing of the enrolment topics', () => {
    const welcome = { v: 1, outcome: 'credential', credential: { username: N, password: 'p'.repeat(43) } };
    expect(tracePayload(topics.node(N, 'welcome'), json(welcome))).toBe(REDACTED);
    expect(tracePayload(topics.node(N, 'claim'), json({ v: 1 }))).toBe(REDACTED);
  });

  it('redacts every secret-named value of other messages and keeps the rest', () => {
    const cmd = {
      v: 1,
      id: 'run-1',
      secrets: { token: 'abcdef.0123456789abcdef', certificateKey: 'k'.repeat(64) },
    };
    expect(tracePayload(topics.node(N, 'cmd'), json(cmd))).toEqual({ v: 1, id: 'run-1', secrets: REDACTED });
    const result = { v: 1, id: 'run-2', outcome: 'succeeded', secret: 'kubeconfig text' };
    expect(tracePayload(topics.node(N, 'cmd-result'), json(result))).toMatchObject({
      id: 'run-2',
      secret: REDACTED,
    });
    const users = { v: 1, id: 'r1', ok: true, data: { name: 'alice', role: 'operator', password: 'pw' } };
    expect(tracePayload(topics.rpcResponse('cli-1'), json(users))).toEqual({
      ...users,
      data: { name: 'alice', role: 'operator', password: REDACTED },
    });
    const claim = { v: 1, id: 'r2', ok: true, data: { id: 'claim-1', secret: 's', createdAt: 'now' } };
    expect(JSON.stringify(tracePayload(topics.rpcResponse('cli-1'), json(claim)))).not.toContain('"s"');
  });

  it('keeps ids named like secrets', () => {
    expect(redactSecrets({ credentialId: 'c-1', tokenId: 'abcdef' })).toEqual({
      credentialId: 'c-1',
      tokenId: 'abcdef',
    });
  });

  it('describes, not shows, a payload that is not JSON or too large, and caps what it shows', () => {
    expect(tracePayload(topics.node(N, 'hello'), Buffer.from('not json'))).toBe('[not shown: not JSON]');
    expect(tracePayload(topics.node(N, 'hello'), Buffer.alloc(100_000, 0x20))).toBe('[not shown: too large]');
    const shown = tracePayload(topics.node(N, 'events'), json({ msg: 'm'.repeat(10_000) })) as {
      msg: string;
    };
    expect(shown.msg).toMatch(/^m{256}…\[\+9744 bytes\]$/);
  });
});
