// A JSON import (not a runtime read of package.json) so the version survives esbuild bundling
// into the single executable, where no package.json sits next to the code.
import pkg from '../package.json' with { type: 'json' };

/** Version of this agent build. */
export const AGENT_VERSION: string = pkg.version;
