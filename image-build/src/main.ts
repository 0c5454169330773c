// `npm run image -- --profile qemu`: the image build driver (see --help and docs/image.md).
import path from 'node:path';
import { buildImage } from './build.js';
import { HELP, parseOptions, UsageError } from './options.js';
import { BuildError } from './run.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

async function main(): Promise<number> {
  try {
    const opts = parseOptions(process.argv.slice(2), REPO_ROOT, process.env);
    if (opts === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    // Progress on stderr with -o json, so stdout stays one JSON document.
    const progress = (line: string) =>
      (opts.output === 'json' ? process.stderr : process.stdout).write(`image: ${line}\n`);
    const { manifest } = await buildImage(opts, REPO_ROOT, progress);
    if (opts.output === 'json') process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`image: error: ${(err as Error).message}\n`);
    if (err instanceof UsageError) return 2;
    if (!(err instanceof BuildError)) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return 1;
  }
}

process.exitCode = await main();
