import type { OutputStream } from '../../host/exec.js';

/** Token-shaped and key-shaped strings kubeadm prints (`kubeadm join ... --token x --certificate-key y`). */
const SECRET_PATTERNS = [/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, /\b[0-9a-f]{64}\b/g];

/** `text` with every known secret and anything shaped like a token or key replaced. */
export function redactText(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const s of known) if (s) out = out.split(s).join('<redacted>');
  for (const re of SECRET_PATTERNS) out = out.replace(re, '<redacted>');
  return out;
}

/**
 * An output sink that passes kubeadm's output on redacted, whole lines at a time: a token split
 * across two chunks of a pipe would otherwise slip past the patterns. Call `flush` at the end.
 */
export function redactingOutput(
  sink: (stream: OutputStream, text: string) => void,
  known: readonly string[] = [],
): { push(stream: OutputStream, text: string): void; flush(): void } {
  const partial: Record<OutputStream, string> = { stdout: '', stderr: '' };
  return {
    push(stream, text) {
      const all = partial[stream] + text;
      const cut = all.lastIndexOf('\n') + 1;
      partial[stream] = all.slice(cut);
      if (cut > 0) sink(stream, redactText(all.slice(0, cut), known));
    },
    flush() {
      for (const stream of ['stdout', 'stderr'] as const) {
        if (partial[stream]) sink(stream, redactText(partial[stream], known));
        partial[stream] = '';
      }
    },
  };
}
