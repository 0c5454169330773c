import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Read a text file, or null when it does not exist. */
export async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** True for ENOENT / ENOTDIR errors. */
export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** True when `file` exists (file, directory or symlink target). */
export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Write via a temporary file and rename, so a crash or power loss leaves either the old or the new
 * content, never a torn file (rename is atomic within one filesystem).
 */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(tmp, data, { mode });
    // writeFile's mode is filtered by the umask; chmod makes 0600 keyfiles exactly 0600.
    await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Make `file` hold exactly `data` with `mode`; returns whether anything changed. Idempotent, so a
 * retried step reports `changed: false`.
 */
export async function ensureFile(file: string, data: string | Buffer, mode = 0o644): Promise<boolean> {
  const want = typeof data === 'string' ? Buffer.from(data) : data;
  try {
    const [current, st] = await Promise.all([readFile(file), stat(file)]);
    if (current.equals(want)) {
      if ((st.mode & 0o7777) === mode) return false;
      await chmod(file, mode);
      return true;
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await writeFileAtomic(file, want, mode);
  return true;
}
