// The only place that touches process.argv, signals and process.exit. No top-level await: the
// single executable bundles this file as CommonJS (scripts/build-sea.ts).
import { main } from './cli.js';

const stop = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());

void main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stopSignal: stop.signal,
}).then((code) => process.exit(code));
