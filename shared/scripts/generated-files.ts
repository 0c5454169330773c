// What `npm run gen:schema` writes, path (from the repository root) -> content. The staleness test
// compares the committed files with this, so nothing generated can drift from the zod schemas.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaText, protocolJsonSchemas } from '../src/contract/json-schemas.js';
import { parseLimits, protocolReference } from '../src/contract/reference-doc.js';
import { inventoryJsonSchemaText } from '../src/inventory/json-schema.js';
import * as limits from '../src/protocol/limits.js';

/** Every generated file, keyed by its path from the repository root. */
export function generatedContractFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  files.set('shared/schema/nodes.schema.json', inventoryJsonSchemaText());
  for (const [path, schema] of protocolJsonSchemas())
    files.set(`shared/schema/${path}`, jsonSchemaText(schema));
  const source = readFileSync(join(root, 'shared/src/protocol/limits.ts'), 'utf8');
  files.set('docs/protocol-reference.md', protocolReference(parseLimits(source, limits)));
  return files;
}
