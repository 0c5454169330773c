import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's shared fixtures (`test/fixtures/`). Tests never modify them: copy first. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Path of a fixture below `test/fixtures/`, e.g. `fixturePath('tls', 'ca.pem')`. */
export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}
