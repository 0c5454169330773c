// Entry point of `osbuild`: the only place that touches process.argv, signals and process exit.
import { main } from './cli/program.js';

/** Resolve on the first SIGINT or SIGTERM (a second one then kills the process as usual). */
function waitForShutdown(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

const code = await main(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  waitForShutdown,
});
process.exitCode = code;
// Once main() resolves the command is over: exit after the output is flushed instead of waiting
// for handles a library may have left open (e.g. a controller core that failed half-way through
// starting).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
