// Where a JSON Schema leaves a string or an array without an upper bound: the places a sender could
// make a message as large as the transport allows. Used by the bounds test over every message a node
// or a client sends.
import type { JsonSchemaNode } from './schema-mutations.js';

/** JSON paths (`properties.identity.properties.model`) of strings without maxLength and arrays without maxItems. */
export function unboundedPlaces(root: JsonSchemaNode): string[] {
  const out: string[] = [];
  const seen = new Set<JsonSchemaNode>();
  const walk = (s: JsonSchemaNode | boolean | undefined, where: string) => {
    if (!s || typeof s === 'boolean' || seen.has(s)) return;
    seen.add(s);
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    const closed = s.enum !== undefined || s.const !== undefined;
    if (types.includes('string') && !closed && s.maxLength === undefined) out.push(where);
    if (types.includes('array') && s.maxItems === undefined && !s.prefixItems) out.push(where);
    if (types.includes('object') && s.additionalProperties && typeof s.additionalProperties === 'object') {
      // A record: its values are walked below; the number of keys is bounded by the payload limit only.
      walk(s.additionalProperties, `${where}.additionalProperties`);
    }
    for (const [k, p] of Object.entries(s.properties ?? {})) walk(p, `${where}.${k}`);
    walk(s.items, `${where}[]`);
    for (const [i, p] of (s.prefixItems ?? []).entries()) walk(p, `${where}[${i}]`);
    for (const [i, b] of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])].entries())
      walk(b, `${where}|${i}`);
    for (const [k, d] of Object.entries(s.$defs ?? {})) walk(d, `$defs.${k}`);
  };
  walk(root, '(root)');
  return out;
}
