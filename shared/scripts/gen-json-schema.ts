// Regenerates every generated contract file (npm run gen:schema): shared/schema/nodes.schema.json,
// the message and RPC JSON Schemas under shared/schema/, and docs/protocol-reference.md.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedContractFiles } from './generated-files.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Stale schemas of removed messages or methods go too: the folders hold only generated files.
for (const dir of ['shared/schema/messages', 'shared/schema/rpc']) {
  rmSync(join(root, dir), { recursive: true, force: true });
}
const files = generatedContractFiles(root);
for (const [path, text] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const count = ['shared/schema/messages', 'shared/schema/rpc'].map((d) => readdirSync(join(root, d)).length);
console.log(`wrote ${files.size} files (${count[0]} message and ${count[1]} rpc schemas)`);
