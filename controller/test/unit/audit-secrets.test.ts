import { describe, expect, it } from 'vitest';
import { AuditSecretError, assertNoSecrets } from '../../src/audit/secrets-guard.js';

describe('assertNoSecrets', () => {
  it('allows ordinary detail, ids, and non-string or empty values', () => {
    expect(() =>
      assertNoSecrets({
        hostname: 'k8s-w1',
        credentialId: 'cred-123',
        tokenId: 'abcdef',
        keyId: 'k1',
        tokenTtlMinutes: 30,
        hasPassword: true,
        password: '',
        nested: { steps: ['hostname', 'network'] },
      }),
    ).not.toThrow();
  });

  it.each([
    [{ password: 'hunter2' }, 'detail.password'],
    [{ joinToken: 'abcdef.0123456789abcdef' }, 'detail.joinToken'],
    [{ Secret: 's' }, 'detail.Secret'],
    [{ credential: 'c' }, 'detail.credential'],
    [{ apiKey: 'k' }, 'detail.apiKey'],
    [{ certificateKey: 'k' }, 'detail.certificateKey'],
    [{ node: { password: 'p' } }, 'detail.node.password'],
    [{ items: [{ token: 't' }] }, 'detail.items[0].token'],
    [{ credentials: { username: 'u' } }, 'detail.credentials'],
    [{ tokens: ['a'] }, 'detail.tokens'],
  ])('refuses %j at %s', (detail, path) => {
    expect(() => assertNoSecrets(detail)).toThrow(AuditSecretError);
    expect(() => assertNoSecrets(detail)).toThrow(`${path} (`);
  });

  it('never puts the value in the error', () => {
    try {
      assertNoSecrets({ password: 'hunter2' });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).not.toContain('hunter2');
      expect((err as AuditSecretError).path).toBe('detail.password');
    }
  });
});
