/** Columns separated by this many spaces, as kubectl does. */
const GAP = 3;

/**
 * Left-aligned columns under upper-case headers. Cells are single-line (newlines become spaces);
 * the last column is not padded, so lines carry no trailing spaces.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows].map((r) => r.map(oneLine));
  const widths = headers.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all
    .map((r) =>
      headers
        .map((_, c) =>
          c === headers.length - 1 ? (r[c] ?? '') : (r[c] ?? '').padEnd((widths[c] ?? 0) + GAP),
        )
        .join('')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** `Key:   value` lines with the values aligned. */
export function renderKeyValue(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  return pairs
    .map(([k, v]) => `${`${k}:`.padEnd(width + 1)}${oneLine(v)}`.trimEnd())
    .join('\n')
    .concat('\n');
}

/** `-` for missing values, so columns never collapse. */
export function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
