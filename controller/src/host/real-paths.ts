// Comparing paths by where they really lead: a symlinked directory or file is judged by its
// target, so "inside" means inside on disk, not only in the spelling.
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

/** True when `child` is `parent` or below it (compare resolved paths). */
export function isWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The real path of `path`, also when it does not exist yet (a data dir before the first start):
 * the nearest existing ancestor resolved, the rest appended.
 */
export async function resolveLoosely(path: string): Promise<string> {
  const rest: string[] = [];
  let at = path;
  for (;;) {
    const real = await realpath(at).catch(() => null);
    if (real !== null) return join(real, ...rest.reverse());
    const parent = join(at, '..');
    if (parent === at) return path;
    rest.push(relative(parent, at));
    at = parent;
  }
}
