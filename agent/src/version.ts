// A JSON import (not a runtime read of package.json) so the version survives esbuild bundling
// into the single executable, where no package.json sits next to the code.
import pkg from '../package.json' with { type: 'json' };

/**
 * Replaced by esbuild `define` in the single executable (scripts/build-sea.ts) with the short
 * commit of the build; absent when the sources run through tsx.
 */
declare const __OSBUILD_COMMIT__: string | undefined;

/** Version of this agent build. */
export const AGENT_VERSION: string = pkg.version;

/** Git commit the executable was built from; `dev` when running from sources. */
export const AGENT_COMMIT: string = typeof __OSBUILD_COMMIT__ === 'string' ? __OSBUILD_COMMIT__ : 'dev';

/** What `osbuild-agent --version` prints, e.g. `osbuild-agent 0.1.0 (commit abc1234, node v24.21.0)`. */
export function versionLine(nodeVersion: string = process.version): string {
  return `osbuild-agent ${AGENT_VERSION} (commit ${AGENT_COMMIT}, node ${nodeVersion})`;
}
