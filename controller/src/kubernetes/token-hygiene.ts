import { tokenDescription } from './bootstrap-token.js';
import type { KubeApi } from './kube-api.js';
import { KubeApiError } from './kube-api.js';
import type { KubeAudit } from './ports.js';

const secretName = (tokenId: string) => `bootstrap-token-${tokenId}`;

/**
 * Bootstrap tokens live no longer than they are needed: a node's tokens are deleted once its Node
 * object appears, after a failed join (the retry gets a fresh one) and before a new one is made;
 * the default token kubeadm init always creates is deleted at once. Anything missed still expires
 * after `tokenTtlMinutes` (the expiration written when the token was issued, join-secrets.ts).
 */
export class TokenHygiene {
  constructor(private readonly audit: KubeAudit) {}

  /** Delete every token the controller made for `hostname` (found by its description); how many. */
  async revokeFor(api: KubeApi, hostname: string): Promise<number> {
    const mine = (await api.listBootstrapTokens()).filter(
      (t) => t.description === tokenDescription(hostname),
    );
    for (const t of mine) {
      await api.deleteSecret('kube-system', secretName(t.tokenId)).catch((err: Error) => {
        if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      });
      this.audit({
        action: 'secret.revoked',
        target: hostname,
        result: 'ok',
        detail: { kind: 'bootstrap-token', tokenId: t.tokenId },
      });
    }
    return mine.length;
  }

  /** kubeadm init always makes a default token; only just-in-time ones should exist. */
  async deleteUnmanaged(api: KubeApi): Promise<void> {
    for (const t of await api.listBootstrapTokens())
      if (!t.description.startsWith('osbuild:')) await api.deleteSecret('kube-system', secretName(t.tokenId));
  }
}
