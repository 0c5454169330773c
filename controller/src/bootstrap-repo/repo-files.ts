// Which files of the bare repository the HTTP listener hands out: exactly what git's dumb HTTP
// client asks for, nothing else (not `config`, hooks, the staging index, nor a symlink out).
import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { isWithin } from '../host/real-paths.js';

const HEX_ID = '(?:[0-9a-f]{38}|[0-9a-f]{62})'; // the rest of a SHA-1 or SHA-256 object id
const PACK = '(?:[0-9a-f]{40}|[0-9a-f]{64})';

/**
 * Paths git's dumb HTTP fetch requests, relative to the repository. [git http-fetch, dumb
 * protocol: info/refs, HEAD, objects/info/packs, loose objects, pack and index files] Matched on
 * the raw URL path, so no `%`, `..` or second slash can reach the filesystem.
 */
const DUMB_HTTP_FILES = [
  /^HEAD$/,
  /^info\/refs$/,
  /^objects\/info\/packs$/,
  new RegExp(`^objects/[0-9a-f]{2}/${HEX_ID}$`),
  new RegExp(`^objects/pack/pack-${PACK}\\.(?:pack|idx)$`),
];

/** The repository-relative path a URL path asks for, or null when it is not a git file we serve. */
export function repoFileFor(pathname: string, prefix: string): string | null {
  if (!pathname.startsWith(prefix)) return null;
  const rel = pathname.slice(prefix.length);
  return DUMB_HTTP_FILES.some((re) => re.test(rel)) ? rel : null;
}

/**
 * The file to send for `rel` under `root`, with its size: a regular file whose real path is inside
 * the repository (no symlink, not through a symlinked folder). Null otherwise.
 */
export async function openableRepoFile(
  root: string,
  rel: string,
): Promise<{ path: string; size: number } | null> {
  const path = join(root, rel);
  const info = await lstat(path).catch(() => null);
  if (!info?.isFile()) return null;
  const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]).catch(() => [null, null]);
  if (realRoot === null || real === null || !isWithin(realRoot, real)) return null;
  return { path: real, size: info.size };
}
