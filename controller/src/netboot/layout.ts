// Where everything lives under the netboot directory; the one place that builds these paths.
import { join } from 'node:path';

/** Paths under the netboot directory `dir`. */
export function netbootLayout(dir: string) {
  return {
    dir,
    /** Imported, read-only image versions. */
    images: join(dir, 'images'),
    image: (version: string) => join(dir, 'images', version),
    imageRootfs: (version: string) => join(dir, 'images', version, 'rootfs'),
    imageBoot: (version: string) => join(dir, 'images', version, 'boot'),
    /** Per-node NFS roots (the export paths). */
    roots: join(dir, 'roots'),
    root: (name: string) => join(dir, 'roots', name),
    /** Which image a root was made from: roots/.meta/<name>.json, outside the exported tree. */
    rootMeta: (name: string) => join(dir, 'roots', '.meta', `${name}.json`),
    /** Rendered generations, each complete before `current` points at it. */
    rendered: join(dir, 'rendered'),
    generation: (id: string) => join(dir, 'rendered', id),
    /** Symlink to the generation being served; the daemons only ever read through it. */
    current: join(dir, 'current'),
    tftpRoot: join(dir, 'current', 'tftp'),
  };
}
/** {@link netbootLayout}'s result. */
export type NetbootLayout = ReturnType<typeof netbootLayout>;
