// Regenerates shared/schema/nodes.schema.json from the zod schema (npm run gen:schema).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inventoryJsonSchemaText } from '../src/inventory/json-schema.js';

const target = fileURLToPath(new URL('../schema/nodes.schema.json', import.meta.url));
writeFileSync(target, inventoryJsonSchemaText());
console.log(`wrote ${target}`);
