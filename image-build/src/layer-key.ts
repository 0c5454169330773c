import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One input of a layer's cache key: a name and its bytes (file content or a setting). */
export interface KeyInput {
  name: string;
  data: string | Buffer;
}

/**
 * sha256 over named inputs, order-independent (sorted by name) and unambiguous (each input is
 * framed by its name and length), so the same inputs always give the same key.
 */
export function layerKey(inputs: readonly KeyInput[]): string {
  const hash = createHash('sha256');
  for (const input of [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const data = typeof input.data === 'string' ? Buffer.from(input.data) : input.data;
    hash.update(`${input.name}\0${data.length}\0`);
    hash.update(data);
  }
  return hash.digest('hex');
}

/** Every file below `dir` as key inputs named `<prefix>/<relative path>`. */
export async function dirInputs(dir: string, prefix: string): Promise<KeyInput[]> {
  const out: KeyInput[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(relPath);
      else out.push({ name: `${prefix}/${relPath}`, data: await readFile(path.join(dir, relPath)) });
    }
  };
  await walk('');
  return out;
}

/** The package names of a package list file: one per line, `#` comments and blanks ignored. */
export function parsePackageList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0);
}
