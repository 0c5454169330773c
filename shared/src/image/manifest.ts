import { z } from 'zod';

/**
 * `out/<version>/manifest.json`, written by image-build and read by whoever consumes an image
 * version (netboot import, the e2e test, CI). One schema so both sides agree on the shape.
 * Artefact paths are relative to the version folder and use `/` (e.g. `rootfs.tar.gz`,
 * `disk.img`, `boot/vmlinuz`); the same paths and hashes appear in `SHA256SUMS`
 * (`sha256sum` format: `<hex>  <path>`), so `sha256sum -c SHA256SUMS` verifies a folder.
 */
export const imageManifestSchema = z.object({
  schema: z.literal(1),
  /** Image version, also the folder name under `out/`. */
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/),
  profile: z.enum(['qemu', 'rpi5']),
  arch: z.literal('arm64'),
  /** ISO time taken from SOURCE_DATE_EPOCH, so two builds of the same inputs agree. */
  builtAt: z.string(),
  suite: z.string(),
  agent: z.object({ version: z.string(), commit: z.string(), node: z.string() }),
  kernel: z.object({ package: z.string(), version: z.string() }).optional(),
  packages: z.array(z.object({ name: z.string(), version: z.string(), arch: z.string() })),
  /** Layer name -> cache key (sha256 of the layer's inputs). */
  layers: z.array(z.object({ name: z.string(), key: z.string() })),
  artefacts: z.array(
    z.object({
      path: z.string().regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9._/+-]+$/),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      size: z.number().int().nonnegative(),
    }),
  ),
});
/** Inferred {@link imageManifestSchema}. */
export type ImageManifest = z.infer<typeof imageManifestSchema>;
