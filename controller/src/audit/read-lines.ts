// Newline-delimited reading of the audit log as raw bytes: `verify` compares each line byte for
// byte, and must see whether the last line ends with a newline (a truncated write does not).
import { type FileHandle, open } from 'node:fs/promises';

const CHUNK = 64 * 1024;

/** One line of a file, without its newline. */
export interface RawLine {
  /** 1-based. */
  line: number;
  bytes: Buffer;
  /** False only for a last line with no newline after it. */
  terminated: boolean;
}

/** Every line of `file`, streamed in constant memory (apart from the longest line). */
export async function* readLines(file: string): AsyncGenerator<RawLine> {
  const handle = await open(file, 'r');
  try {
    let pending: Buffer[] = [];
    let line = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a, start)) {
        pending.push(data.subarray(start, nl));
        line += 1;
        yield { line, bytes: Buffer.concat(pending), terminated: true };
        pending = [];
        start = nl + 1;
      }
      if (start < bytesRead) pending.push(data.subarray(start));
    }
    if (pending.length > 0) yield { line: line + 1, bytes: Buffer.concat(pending), terminated: false };
  } finally {
    await handle.close();
  }
}

/**
 * The last line of an open file, reading backwards from its end; undefined for an empty file. The
 * line number is unknown without reading everything, so it is not returned.
 */
export async function readLastLine(handle: FileHandle): Promise<Omit<RawLine, 'line'> | undefined> {
  const { size } = await handle.stat();
  if (size === 0) return undefined;
  let tail = Buffer.alloc(0);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const piece = Buffer.alloc(end - start);
    await readFully(handle, piece, start);
    tail = Buffer.concat([piece, tail]);
    end = start;
    const terminated = tail[tail.length - 1] === 0x0a;
    const body = terminated ? tail.subarray(0, -1) : tail;
    const nl = body.lastIndexOf(0x0a);
    if (nl !== -1) return { bytes: body.subarray(nl + 1), terminated };
    if (end === 0) return { bytes: body, terminated };
  }
  return undefined;
}

async function readFully(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error('file shrank while reading it');
    done += bytesRead;
  }
}
