import { createHash, randomInt, X509Certificate } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh kubeadm token, `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}), from the CSPRNG. */
export function newBootstrapToken(random: (max: number) => number = randomInt): {
  id: string;
  secret: string;
  token: string;
} {
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[random(ALPHABET.length)]).join('');
  const id = pick(6);
  const secret = pick(16);
  return { id, secret, token: `${id}.${secret}` };
}

/** Description the controller writes on its tokens; also how it finds them again after a restart. */
export function tokenDescription(nodeName: string): string {
  return `osbuild: join token for node ${nodeName}`;
}

/**
 * The Secret that makes a bootstrap token valid
 * (https://kubernetes.io/docs/reference/access-authn-authz/bootstrap-tokens/#bootstrap-token-secret-format).
 */
export function bootstrapTokenSecret(
  token: { id: string; secret: string },
  nodeName: string,
  ttlMinutes: number,
  now: Date,
): Record<string, unknown> {
  const expiration = new Date(now.getTime() + ttlMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${token.id}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData: {
      'token-id': token.id,
      'token-secret': token.secret,
      description: tokenDescription(nodeName),
      expiration,
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
    },
  };
}

/** kubeadm's discovery pin: `sha256:` + hex SHA-256 of the CA certificate's SubjectPublicKeyInfo (DER). */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
