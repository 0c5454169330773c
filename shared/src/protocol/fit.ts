import type { CommandResult } from './command-result.js';
import { ERROR_TEXT_MAX, OUTPUT_TAIL_MAX } from './limits.js';

const ELLIPSIS = '…';

/** True when `s[i]` is the second half of a surrogate pair, so cutting before it splits a character. */
function isLowSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}

/** `text` cut to at most `max` characters, keeping the start and marking the cut with `…`. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  if (isLowSurrogate(text, end)) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/** `text` cut to at most its last `max` characters (an output tail keeps the end). */
export function clipTail(text: string, max: number): string {
  if (text.length <= max) return text;
  let start = text.length - max;
  if (isLowSurrogate(text, start)) start += 1;
  return text.slice(start);
}

/** `text` in consecutive pieces of at most `max` characters, never splitting a surrogate pair. */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + max, text.length);
    if (end < text.length && isLowSurrogate(text, end) && end - 1 > start) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** A result whose free-text fields fit the schema's bounds, so the receiver never drops it for size. */
export function fitResult(result: CommandResult): CommandResult {
  const error = result.error === null ? null : clipText(result.error, ERROR_TEXT_MAX);
  const outputTail = clipTail(result.outputTail, OUTPUT_TAIL_MAX);
  if (error === result.error && outputTail === result.outputTail) return result;
  return { ...result, error, outputTail };
}
