/** Bytes of output kept for a result's `outputTail`. */
export const TAIL_BYTES = 4096;

/** Keeps the last few KiB of a command's output. */
export class OutputTail {
  #text = '';
  constructor(private readonly max = TAIL_BYTES) {}

  push(text: string): void {
    this.#text += text;
    // Trim in characters with headroom, then exactly in bytes once at read time.
    if (this.#text.length > this.max * 2) this.#text = this.#text.slice(-this.max);
  }

  toString(): string {
    const buf = Buffer.from(this.#text);
    if (buf.length <= this.max) return this.#text;
    // Cutting at a byte offset can split a UTF-8 sequence; drop the partial character.
    return buf
      .subarray(buf.length - this.max)
      .toString('utf8')
      .replace(/^\uFFFD+/, '');
  }
}
