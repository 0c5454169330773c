import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bootstrapTokenSecret,
  caCertHash,
  newBootstrapToken,
  tokenDescription,
} from '../../src/kubernetes/bootstrap-token.js';

const CA = fileURLToPath(new URL('../../../test/fixtures/tls/ca.pem', import.meta.url));

describe('bootstrap tokens and the discovery CA hash', () => {
  it('makes tokens kubeadm accepts, different each time', () => {
    const a = newBootstrapToken();
    const b = newBootstrapToken();
    expect(a.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(a.token).toBe(`${a.id}.${a.secret}`);
    expect(a.token).not.toBe(b.token);
  });

  it('builds the Secret in the documented format, expiring after the TTL', () => {
    const s = bootstrapTokenSecret(
      { id: 'abcdef', secret: '0123456789abcdef' },
      'w-01',
      15,
      new Date('2026-11-26T01:00:00.123Z'),
    );
    expect(s).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      stringData: {
        'token-id': 'abcdef',
        'token-secret': '0123456789abcdef',
        description: tokenDescription('w-01'),
        expiration: '2026-11-26T01:15:00Z',
        'usage-bootstrap-authentication': 'true',
        'usage-bootstrap-signing': 'true',
        'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
      },
    });
  });

  it('computes the CA hash exactly as the kubeadm docs openssl recipe does', () => {
    const pubkey = execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', CA]);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pubkey });
    const hex = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: der })
      .toString()
      .trim()
      .split(' ')
      .pop();
    expect(caCertHash(readFileSync(CA, 'utf8'))).toBe(`sha256:${hex}`);
  });
});
