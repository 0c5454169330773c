import { isAbsolute, resolve } from 'node:path';
import { isUserError } from '@osbuild/shared';
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { CliError } from '../cli-error.js';
import type { CliContext, ServeOptions } from '../context.js';
import { resolveDataDir } from '../controller-address.js';
import { EXIT } from '../exit-codes.js';
import { addLimitOptions, limitOptions, type ServeLimitFlags } from './serve-limits.js';

/** Defaults of `serve`, each overridable by an environment variable. */
export const SERVE_DEFAULTS = {
  inventory: 'bootstrap/config/nodes.yaml',
  listen: 'mqtts://127.0.0.1:8883',
  httpListen: 'http://127.0.0.1:8080',
  bootstrapDir: 'bootstrap',
  logLevel: 'info',
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface ServeFlags extends ServeLimitFlags {
  inventory?: string;
  dataDir?: string;
  listen?: string;
  httpListen?: string;
  publicHttpUrl?: string;
  bootstrapDir?: string;
  logLevel?: string;
  insecureListen?: boolean;
  tlsSan?: string[];
  netbootConfig?: string;
  kubeconfig?: string;
}

/** A commander parser accepting `<scheme>://HOST:PORT` (port 0 = pick one). */
function listenUrl(schemes: readonly string[]) {
  return (value: string): string => {
    checkListenUrl(value, schemes);
    return value;
  };
}

function checkListenUrl(value: string, schemes: readonly string[]): void {
  const usage = `expected ${schemes[0]}://HOST:PORT`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(usage);
  }
  // The port must be explicit (`new URL` drops default ports, so look at the text).
  if (!schemes.includes(url.protocol.slice(0, -1)) || url.hostname === '' || !/:\d+\/?$/.test(value)) {
    throw new InvalidArgumentError(usage);
  }
}

/** Turn flags, environment and cwd into the controller core's options. Exported for tests. */
export function serveOptions(ctx: CliContext, flags: ServeFlags): Omit<ServeOptions, 'logger'> {
  const { env, cwd } = ctx.io;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const pick = (flag: string | undefined, envName: string, fallback: string) =>
    flag ?? (env[envName] || undefined) ?? fallback;
  const listen = pick(flags.listen, 'OSBUILD_LISTEN', SERVE_DEFAULTS.listen);
  const httpListen = pick(flags.httpListen, 'OSBUILD_HTTP_LISTEN', SERVE_DEFAULTS.httpListen);
  // Environment values bypass commander's parsers, so check them here too.
  for (const [value, schemes, name] of [
    [listen, ['mqtts', 'mqtt'], 'listen'],
    [httpListen, ['http'], 'http-listen'],
  ] as const) {
    try {
      checkListenUrl(value, schemes);
    } catch (err) {
      throw new CliError(EXIT.usage, `invalid --${name} ${JSON.stringify(value)}: ${(err as Error).message}`);
    }
  }
  return {
    inventoryPath: abs(pick(flags.inventory, 'OSBUILD_INVENTORY', SERVE_DEFAULTS.inventory)),
    dataDir: resolveDataDir(flags.dataDir, env, cwd),
    listen,
    httpListen,
    ...(flags.publicHttpUrl ? { publicHttpUrl: flags.publicHttpUrl } : {}),
    ...(flags.insecureListen ? { insecureListen: true } : {}),
    ...(flags.tlsSan ? { tlsSans: flags.tlsSan } : {}),
    ...netbootConfig(flags.netbootConfig ?? (env.OSBUILD_NETBOOT_CONFIG || undefined), abs),
    bootstrapDir: abs(pick(flags.bootstrapDir, 'OSBUILD_BOOTSTRAP_DIR', SERVE_DEFAULTS.bootstrapDir)),
    ...limitOptions(flags),
  };
}

function netbootConfig(file: string | undefined, abs: (p: string) => string): { netbootConfigPath?: string } {
  return file ? { netbootConfigPath: abs(file) } : {};
}

/** `osbuild serve`: run the controller until SIGINT/SIGTERM. */
export function serveCommand(ctx: CliContext): Command {
  const cmd = new Command('serve')
    .description('run the controller: embedded MQTT broker, inventory, provisioning and HTTP endpoints')
    .option(
      '--inventory <file>',
      `inventory file (env OSBUILD_INVENTORY, default ${SERVE_DEFAULTS.inventory})`,
    )
    .option('--data-dir <dir>', 'state directory (env OSBUILD_DATA_DIR, default ./.osbuild)')
    .option(
      '--listen <url>',
      `MQTT listener mqtts://HOST:PORT (TLS) or mqtt://HOST:PORT (plain, loopback only unless --insecure-listen); port 0 = random (env OSBUILD_LISTEN, default ${SERVE_DEFAULTS.listen})`,
      listenUrl(['mqtts', 'mqtt']),
    )
    .option('--insecure-listen', 'allow plain mqtt:// on a non-loopback address (logged as a warning)')
    .option(
      '--tls-san <name-or-ip>',
      'extra name or IP for the server certificate (repeatable): what nodes use to reach the controller',
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option(
      '--http-listen <url>',
      `HTTP listener http://HOST:PORT (env OSBUILD_HTTP_LISTEN, default ${SERVE_DEFAULTS.httpListen})`,
      listenUrl(['http']),
    )
    .option(
      '--public-http-url <url>',
      'HTTP URL nodes use to reach the controller, if not the listen address',
    )
    .option(
      '--bootstrap-dir <dir>',
      `bootstrap repository (env OSBUILD_BOOTSTRAP_DIR, default ${SERVE_DEFAULTS.bootstrapDir})`,
    )
    .option(
      '--netboot-config <file>',
      'netboot.yaml of the netboot server on this host: reprovision of a netboot node resets its root (env OSBUILD_NETBOOT_CONFIG)',
    )
    .option(
      '--kubeconfig <file>',
      'adopt the existing Kubernetes cluster this admin kubeconfig reaches (copied 0600 into the data dir)',
    )
    .addOption(new Option('--log-level <level>', 'log level (env OSBUILD_LOG_LEVEL)').choices(LOG_LEVELS));
  return addLimitOptions(cmd).action(async (flags: ServeFlags) => {
    const opts = serveOptions(ctx, flags);
    if (flags.kubeconfig) {
      const file = resolve(ctx.io.cwd, flags.kubeconfig);
      const text = ctx.readFile(file);
      if (text === undefined) throw new CliError(EXIT.usage, `no kubeconfig at ${file}`);
      opts.adoptKubeconfig = text;
      opts.adoptKubeconfigFile = file;
    }
    const level = flags.logLevel ?? ctx.io.env.OSBUILD_LOG_LEVEL ?? SERVE_DEFAULTS.logLevel;
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new CliError(
        EXIT.usage,
        `invalid log level ${JSON.stringify(level)}: expected ${LOG_LEVELS.join(', ')}`,
      );
    }
    // Logs are JSON lines on stderr; stdout stays free for data.
    const logger = pino(
      { level, base: { name: 'osbuild' } },
      { write: (s: string) => ctx.io.stderr.write(s) },
    );
    const start =
      ctx.deps.startController ?? (await import('../../server/start-controller.js')).startController;
    let handle: Awaited<ReturnType<typeof start>>;
    try {
      handle = await start({ ...opts, logger });
    } catch (err) {
      if (isUserError(err) && err.code === 'inventory-invalid') {
        throw new CliError(EXIT.inventoryInvalid, `invalid inventory: ${err.message}`, { cause: err });
      }
      if (isUserError(err) && (err.code === 'insecure-listen' || err.code === 'private-file-served'))
        throw new CliError(EXIT.refused, err.message, { cause: err });
      if (isUserError(err)) throw new CliError(EXIT.usage, err.message, { cause: err });
      const message = err instanceof Error ? err.message : String(err);
      throw new CliError(EXIT.internal, `cannot start the controller: ${message}`, { cause: err });
    }
    logger.info({ mqttUrl: handle.mqttUrl, httpUrl: handle.httpUrl }, 'controller started');
    if (!ctx.io.waitForShutdown) throw new CliError(EXIT.internal, 'serve needs a shutdown signal source');
    const signal = await ctx.io.waitForShutdown();
    logger.info({ signal }, 'stopping');
    await handle.stop();
    logger.info('stopped');
  });
}
