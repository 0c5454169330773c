import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedContractFiles } from '../../scripts/generated-files.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const generated = generatedContractFiles(root);

describe('committed contract files (run `npm run gen:schema` after changing a schema, example or limit)', () => {
  it.each([...generated.keys()])('%s matches what the zod schemas generate', (path) => {
    const committed = readFileSync(`${root}/${path}`, 'utf8');
    expect(committed).toBe(generated.get(path));
  });

  it('keeps no schema file that nothing generates any more', () => {
    for (const dir of ['shared/schema/messages', 'shared/schema/rpc']) {
      for (const file of readdirSync(`${root}/${dir}`))
        expect(generated.has(`${dir}/${file}`), file).toBe(true);
    }
  });

  it('is linked from docs/protocol.md', () => {
    expect(readFileSync(`${root}/docs/protocol.md`, 'utf8')).toContain('(protocol-reference.md)');
  });
});
