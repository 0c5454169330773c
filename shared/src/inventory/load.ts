import { readFile } from 'node:fs/promises';
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { type Inventory, inventorySchema } from './schema.js';

/** One problem in an inventory file, located precisely enough for an editor to jump to it. */
export interface InventoryIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the offending field, e.g. `nodes[1].role`; empty for syntax errors. */
  field: string;
  message: string;
}

/** Result of parsing an inventory. */
export type InventoryParseResult =
  | { ok: true; inventory: Inventory }
  | { ok: false; issues: InventoryIssue[] };

/** `file:line:column: field: message`, the form compilers use so terminals and editors link it. */
export function formatInventoryIssue(i: InventoryIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.field ? `${i.field}: ` : ''}${i.message}`;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** Where a mapping's key starts (an unknown key is reported at the key, not at its value). */
function keyOffset(map: unknown, key: unknown): number | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
}

/** Parse inventory text; never throws. `file` is only used to label issues. */
export function parseInventory(text: string, file: string): InventoryParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        field: '',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    };
  }
  const parsed = inventorySchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return { ok: true, inventory: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => {
      // Point at the deepest node that exists: a missing field is reported at its parent mapping.
      let path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      // An unrecognised key is reported at the key itself.
      if (issue.code === 'unrecognized_keys' && issue.keys[0]) path = [...path, issue.keys[0]];
      let offset = 0;
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) {
          offset = node.range[0];
          break;
        }
      }
      if (issue.code === 'unrecognized_keys')
        offset = keyOffset(doc.getIn(path.slice(0, -1), true), path.at(-1)) ?? offset;
      const message =
        issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
          ? `required field is missing (${issue.message})`
          : issue.message;
      return { file, ...at(offset), field: fieldPath(path), message };
    }),
  };
}

/** Read and parse an inventory file. I/O errors become a single issue at 1:1. */
export async function loadInventory(file: string): Promise<InventoryParseResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return {
      ok: false,
      issues: [{ file, line: 1, column: 1, field: '', message: `cannot read: ${(err as Error).message}` }],
    };
  }
  return parseInventory(text, file);
}
