// Stands in for optional native modules of dependencies (ws: bufferutil, utf-8-validate; debug:
// supports-color; systeminformation: osx-/macos-temperature-sensor) in the single executable.
// Each caller requires them inside try/catch and falls back to pure JS, so the stub fails the
// same way a missing package would. Without it the bundle keeps a bare require(), and the SEA's
// require (built-in modules only) prints a warning at every start.
const err = new Error('optional native module not bundled into osbuild-agent');
err.code = 'MODULE_NOT_FOUND';
throw err;
