// Canonical JSON for hashing: the same value always gives the same bytes, whatever order its keys
// were built in, so a hash can be recomputed from a parsed line.

/** A value that survives JSON.stringify/JSON.parse unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialise `value` with object keys sorted (by UTF-16 code units, recursively) and no whitespace.
 * Object properties whose value is `undefined` are left out, as JSON.stringify does. Anything JSON
 * cannot carry back unchanged (NaN, Infinity, bigint, functions, Dates, Maps, `undefined` in an
 * array) throws a TypeError naming its path, rather than being silently turned into `null` or `{}`.
 */
export function canonicalJson(value: unknown, path = '$'): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not representable in JSON`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value
          .map((v, i) => {
            if (v === undefined) throw new TypeError(`${path}[${i}]: undefined in an array`);
            return canonicalJson(v, `${path}[${i}]`);
          })
          .join(',')}]`;
      }
      if (!isPlainObject(value)) {
        throw new TypeError(`${path}: only plain objects, arrays and primitives are allowed`);
      }
      const parts: string[] = [];
      for (const key of Object.keys(value).sort()) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(v, `${path}.${key}`)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`${path}: a ${typeof value} is not representable in JSON`);
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
