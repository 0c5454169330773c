// The audit log is copied off-host and read by people who must never see a secret in it. The guard
// refuses by key name, before anything is written: cheap, and it fails loudly in tests of the
// caller rather than leaking quietly in production.
import { InternalError } from '@osbuild/shared';
import { isSecretKey, SECRET_KEY_PATTERN } from '../logging/redact.js';

/** Key names that suggest a secret (one pattern for the audit guard and the trace redaction). */
export { SECRET_KEY_PATTERN };

/** A caller tried to put something that looks like a secret into an audit `detail` (a bug). */
export class AuditSecretError extends InternalError {
  constructor(readonly path: string) {
    super('audit-secret', `audit detail must not carry secrets: ${path} (name it ...Id if it is an id)`);
  }
}

/**
 * Throw {@link AuditSecretError} when any key of `detail`, at any depth, matches
 * {@link SECRET_KEY_PATTERN} and holds a non-empty string (directly or anywhere inside it). Keys
 * ending in `Id` (`credentialId`, `tokenId`) name an identifier, not the secret, and are allowed.
 * The error names the key path, never the value.
 */
export function assertNoSecrets(detail: unknown, path = 'detail'): void {
  if (Array.isArray(detail)) {
    detail.forEach((v, i) => {
      assertNoSecrets(v, `${path}[${i}]`);
    });
    return;
  }
  if (detail === null || typeof detail !== 'object') return;
  for (const [key, value] of Object.entries(detail)) {
    const at = `${path}.${key}`;
    if (isSecretKey(key) && containsText(value)) {
      throw new AuditSecretError(at);
    }
    assertNoSecrets(value, at);
  }
}

function containsText(value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(containsText);
}
