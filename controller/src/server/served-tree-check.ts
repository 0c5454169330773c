// The start-up refusal: nothing the controller keeps private may sit in a tree it serves to nodes
// without authentication (the bootstrap directory over HTTP, the netboot directory over TFTP and
// NFS), and no file it would serve may resolve to somewhere outside its tree or to a private file.
import { existsSync } from 'node:fs';
import { UserError } from '@osbuild/shared';
import { describeUnsafe } from '../bootstrap-repo/bootstrap-repo.js';
import { listServedFiles } from '../bootstrap-repo/served-files.js';
import type { Exec } from '../host/exec.js';
import { isWithin, resolveLoosely } from '../host/real-paths.js';
import type { PrivatePath } from './private-paths.js';

/** The error code `serve` maps to its "refused" exit code. */
export const PRIVATE_FILE_SERVED = 'private-file-served';

/** A tree served to nodes, and how, for error messages. */
export interface ServedTree {
  what: string;
  path: string;
}

/**
 * Refuse (a {@link UserError} with code {@link PRIVATE_FILE_SERVED}, naming both paths) when a
 * private path is inside a served tree, or a file the bootstrap snapshot would serve resolves
 * outside the bootstrap directory or into a private path. Paths are compared by their real paths,
 * so a symlinked data dir or bootstrap dir is seen for what it is. Creates nothing.
 */
export async function checkServedTrees(opts: {
  exec: Exec;
  bootstrapDir: string;
  inventoryPath: string;
  /** `dir` of netboot.yaml, when the controller runs beside a netboot server. */
  netbootDir?: string;
  privatePaths: readonly PrivatePath[];
}): Promise<void> {
  const trees: ServedTree[] = [
    { what: 'the bootstrap directory (served to nodes over HTTP)', path: opts.bootstrapDir },
    ...(opts.netbootDir
      ? [{ what: 'the netboot directory (served over TFTP and NFS)', path: opts.netbootDir }]
      : []),
  ];
  const privates = await Promise.all(
    opts.privatePaths.map(async (p) => ({ ...p, real: await resolveLoosely(p.path) })),
  );
  for (const tree of trees) {
    const realTree = await resolveLoosely(tree.path);
    const inside = privates.find((p) => isWithin(realTree, p.real));
    if (inside) {
      throw new UserError(
        PRIVATE_FILE_SERVED,
        `refusing to start: ${inside.what} ${inside.path}${shownReal(inside.path, inside.real)} is inside ` +
          `${tree.what} ${tree.path}${shownReal(tree.path, realTree)}; anyone on the network could ` +
          'fetch it. Put the data directory outside the served tree (--data-dir).',
      );
    }
  }
  if (!existsSync(opts.bootstrapDir)) return; // nothing to serve from it (an external repository)
  const served = await listServedFiles(opts.exec, opts.bootstrapDir, {
    exclude: [opts.inventoryPath],
    privateRoots: opts.privatePaths.map((p) => p.path),
  });
  const bad = served.unsafe[0];
  if (bad) {
    throw new UserError(
      PRIVATE_FILE_SERVED,
      `refusing to start: in the bootstrap directory ${opts.bootstrapDir} (served to nodes over HTTP), ` +
        `${describeUnsafe(bad)}. Remove the link or point it inside the directory.`,
    );
  }
}

function shownReal(path: string, real: string): string {
  return path === real ? '' : ` (${real})`;
}
