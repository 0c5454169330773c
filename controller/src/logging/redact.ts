// What `--log-level trace` may show of a message. Trace logs every packet and request, and logs
// are copied around more freely than the audit log, so the rule is the audit guard's (a key that
// names a secret never shows its value) plus whole topics that exist to carry secrets.
import { parseTopic } from '@osbuild/shared';
import { capFields } from './cap-fields.js';

/** Key names that suggest a secret (also the audit log's guard, audit/secrets-guard.ts). */
export const SECRET_KEY_PATTERN = /password|secret|token|credential|key/i;

/** Whether `key` names a secret. Keys ending in `Id` (`credentialId`, `tokenId`) name an id. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key) && !key.endsWith('Id');
}

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/** Payloads larger than this are not parsed for the trace, only measured. */
const TRACE_PARSE_MAX_BYTES = 64 * 1024;
/** Bytes kept of each string of a traced payload or request. */
const TRACE_STRING_MAX_BYTES = 256;

/**
 * A copy of `value` in which every value under a secret-naming key (at any depth) is
 * {@link REDACTED}, then capped ({@link capFields}).
 */
export function redactSecrets(value: unknown): unknown {
  return capFields(strip(value), { maxString: TRACE_STRING_MAX_BYTES, maxItems: 16, maxKeys: 32 });
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      isSecretKey(k) && v !== null && v !== undefined ? REDACTED : strip(v),
    ]),
  );
}

/**
 * The payload of an MQTT message as the trace shows it: {@link REDACTED} for the enrolment topics
 * (`welcome` carries the node's credential; `claim` is sent by whoever holds the image's secret),
 * else the JSON with secret-named values redacted (`cmd.secrets` of kubeadm steps, `cmd-result
 * .secret`, the `password` of `users.add` and the `secret` of `claims.add` in rpc responses).
 * A payload that is not JSON, or too large to parse, is described, not shown.
 */
export function tracePayload(topic: string, payload: Buffer | string): unknown {
  const t = parseTopic(topic);
  if (t?.scope === 'node' && (t.kind === 'welcome' || t.kind === 'claim')) return REDACTED;
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (bytes === 0) return undefined;
  if (bytes > TRACE_PARSE_MAX_BYTES) return '[not shown: too large]';
  try {
    return redactSecrets(JSON.parse(payload.toString()));
  } catch {
    return '[not shown: not JSON]';
  }
}
