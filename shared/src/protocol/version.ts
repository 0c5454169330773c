import { z } from 'zod';

/** Wire protocol version carried in every message as `v`; bumped only on breaking changes. */
export const PROTOCOL_VERSION = 1 as const;

/** The `v` field every message carries; a peer refuses versions it does not speak. */
export const protocolVersion = z
  .literal(PROTOCOL_VERSION)
  .describe('Protocol version, always 1 in osbuild/v1; a receiver refuses any other value.');
