import type { OutputStream } from '../host/exec.js';

/** Flush after this long, or sooner when a buffer reaches {@link COALESCE_BYTES}. */
export const COALESCE_MS = 200;
/** Largest chunk of output sent in one event. */
export const COALESCE_BYTES = 8 * 1024;

/**
 * Batches a command's output into few events: a chatty script (apt, kubeadm) would otherwise send
 * one MQTT message per line, which at fleet scale is what loads the broker.
 */
export class OutputCoalescer {
  #buf: { stream: OutputStream; text: string } | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly emit: (stream: OutputStream, text: string) => void,
    private readonly delayMs = COALESCE_MS,
    private readonly maxBytes = COALESCE_BYTES,
  ) {}

  push(stream: OutputStream, text: string): void {
    // Keep stdout and stderr in order: a switch of stream flushes what came before.
    if (this.#buf && this.#buf.stream !== stream) this.flush();
    if (this.#buf) this.#buf.text += text;
    else this.#buf = { stream, text };
    if (Buffer.byteLength(this.#buf.text) >= this.maxBytes) this.flush();
    else if (!this.#timer) this.#timer = setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const buf = this.#buf;
    this.#buf = null;
    if (buf?.text) this.emit(buf.stream, buf.text);
  }
}
