/** Format a value as YAML: JSON-quoted scalars are valid YAML, so no YAML library is needed. */
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]\n';
    return value
      .map((item) => {
        const body = toYaml(item, `${indent}  `);
        return isBlock(item) ? `${indent}- ${body.trimStart()}` : `${indent}- ${body}`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}\n';
    return entries
      .map(([k, v]) =>
        isBlock(v) ? `${indent}${k}:\n${toYaml(v, `${indent}  `)}` : `${indent}${k}: ${toYaml(v)}`,
      )
      .join('');
  }
  return `${value === undefined ? 'null' : JSON.stringify(value)}\n`;
}

function isBlock(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}
