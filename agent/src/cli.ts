import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isUserError, UserError } from '@osbuild/shared';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pino, { type Logger } from 'pino';
import { AGENT_RUNNING, startAgent } from './app/start-agent.js';
import { type AgentConfig, CONFIG_SOURCES, loadAgentConfig } from './config/load-config.js';
import { hostPaths } from './host/paths.js';
import { systemModel } from './host/system-info.js';
import { readIdentity } from './identity/read-identity.js';
import { toYaml } from './output-format.js';
import { AGENT_VERSION, versionLine } from './version.js';

/** What the CLI needs from its process; bin.ts supplies the real ones. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborted on SIGTERM/SIGINT: `run` stops cleanly. */
  stopSignal: AbortSignal;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Flags of `osbuild-agent run`. */
interface RunFlags {
  controller?: string;
  hostRoot: string;
  stateDir?: string;
  caFile?: string;
  caFingerprint?: string;
  logLevel: string;
  telemetryInterval?: number;
}

function parseControllerUrl(value: string): string {
  try {
    const url = new URL(value);
    if (!['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(url.protocol)) throw new Error();
    return value;
  } catch {
    throw new InvalidArgumentError('expected an MQTT URL such as mqtt://127.0.0.1:1883');
  }
}

function parseTelemetryInterval(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 3600)
    throw new InvalidArgumentError('expected whole seconds from 1 to 3600');
  return n;
}

function buildProgram(io: CliIo): Command {
  const program = new Command('osbuild-agent')
    .description('OSBuild node agent: reports the board identity and runs provisioning steps')
    .version(versionLine())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  program
    .command('identity')
    .description('print the identity this board reports to the controller')
    .option('--host-root <dir>', 'host root to read /sys, /proc and /etc from', '/')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml']).default('json'))
    .action(async (o: { hostRoot: string; output: 'json' | 'yaml' }) => {
      const identity = await readIdentity(hostPaths(o.hostRoot), {
        agentVersion: AGENT_VERSION,
        systemModel,
      });
      io.stdout(o.output === 'yaml' ? toYaml(identity) : `${JSON.stringify(identity, null, 2)}\n`);
    });

  program
    .command('run')
    .description('connect to the controller and run the commands it sends, until SIGTERM/SIGINT')
    .option(
      '--controller <url>',
      'controller MQTT URL, e.g. mqtts://10.0.10.2:8883 (default: from the configuration)',
      parseControllerUrl,
    )
    .option('--host-root <dir>', 'host root; anything but / emulates host actions (fixture mode)', '/')
    .option('--state-dir <dir>', 'agent state (journal, repos); default /var/lib/osbuild under the host root')
    .option('--ca-file <file>', 'CA certificate(s) an mqtts:// controller must chain to')
    .option(
      '--ca-fingerprint <sha256>',
      'SHA-256 of the controller CA (osbuild ca show): learned from the server, pinned',
    )
    .option(
      '--insecure',
      'allow plain mqtt:// to a controller beyond loopback (credentials cross the network in clear)',
    )
    .option(
      '--claim-file <file>',
      'file holding the image claim secret (default: from the configuration, else ' +
        '<host-root>/etc/osbuild/claim.secret if present)',
    )
    .option(
      '--telemetry-interval <sec>',
      'seconds between telemetry samples (default 15)',
      parseTelemetryInterval,
    )
    .addHelpText(
      'after',
      `
Flags win over the configuration, read below the host root in this order (earlier wins):
  kernel command line osbuild.controller=, osbuild.ca_fingerprint=, osbuild.ca_file=,
    osbuild.claim_file= (${CONFIG_SOURCES.cmdline}; never the claim itself: it is world-readable)
  ${CONFIG_SOURCES.bootFile}, then ${CONFIG_SOURCES.imageFile}: controller, ca_fingerprint,
    ca_file, claim or claim_file`,
    )
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .action(async (o: RunFlags & { claimFile?: string; insecure?: boolean }) => {
      // Structured JSON logs on stderr; stdout stays free for command output.
      const logger = pino({ level: o.logLevel }, pino.destination({ fd: 2, sync: true }));
      const config = await loadAgentConfig(hostPaths(o.hostRoot));
      const settings = await runSettings(o, config, logger);
      const { controllerUrl, claimSecret, tls } = settings;
      const agent = await startAgent({
        controllerUrl,
        hostRoot: o.hostRoot,
        stateDir: o.stateDir,
        logger,
        ...(claimSecret !== undefined ? { claimSecret } : {}),
        ...(o.insecure ? { insecure: true } : {}),
        ...(tls !== undefined ? { tls } : {}),
        ...(o.telemetryInterval !== undefined ? { telemetryIntervalSec: o.telemetryInterval } : {}),
      });
      logger.info({ nodeId: agent.nodeId, version: AGENT_VERSION }, 'agent started');
      await new Promise<void>((resolve) => {
        if (io.stopSignal.aborted) resolve();
        io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
      });
      logger.info('stopping');
      await agent.stop();
      logger.info('stopped');
    });

  // Subcommands do not inherit these; without them commander would call process.exit itself.
  for (const cmd of program.commands)
    cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

/** Flags of `run` over the configuration files and kernel command line (config/load-config.ts). */
async function runSettings(
  o: RunFlags & { claimFile?: string },
  config: AgentConfig,
  logger: Logger,
): Promise<{
  controllerUrl: string;
  claimSecret?: string;
  tls?: { caFile?: string; caFingerprint?: string };
}> {
  for (const warning of config.warnings) logger.warn(warning);
  const controllerUrl = o.controller ?? config.controller?.value;
  if (controllerUrl === undefined) {
    throw new UserError(
      'config',
      `no controller: pass --controller, or set osbuild.controller= on the kernel command line or ` +
        `controller in ${CONFIG_SOURCES.bootFile} or ${CONFIG_SOURCES.imageFile}`,
    );
  }
  const flagTls = o.caFile !== undefined || o.caFingerprint !== undefined;
  const tls = flagTls ? { caFile: o.caFile, caFingerprint: o.caFingerprint } : config.trust?.value;
  let claimSecret: string | undefined;
  if (o.claimFile !== undefined) claimSecret = await readClaimSecret(o.claimFile, true);
  else if (config.claim && 'secret' in config.claim.value) claimSecret = config.claim.value.secret;
  else if (config.claim && 'file' in config.claim.value)
    claimSecret = await readClaimSecret(config.claim.value.file, true);
  else claimSecret = await readClaimSecret(path.join(o.hostRoot, 'etc/osbuild/claim.secret'), false);
  logger.info(
    {
      controller: o.controller !== undefined ? '--controller' : config.controller?.source,
      trust: flagTls ? 'flags' : config.trust?.source,
      claim: o.claimFile !== undefined ? '--claim-file' : config.claim?.source,
    },
    'configuration sources',
  );
  return { controllerUrl, ...(claimSecret !== undefined ? { claimSecret } : {}), ...(tls ? { tls } : {}) };
}

/**
 * The claim secret comes from a file or a 0600 configuration file, never from argv or the
 * environment, where other users and crash reports could see it.
 */
async function readClaimSecret(file: string, required: boolean): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (required)
      throw new UserError('claim-file', `cannot read claim file ${file}: ${err.code ?? err.message}`);
    return undefined;
  });
  const secret = text?.trim();
  return secret ? secret : undefined;
}

/** `run` found another live agent on its state dir (journal/instance-lock.ts). */
export const EXIT_AGENT_RUNNING = 3;

/** Run the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (isUserError(err)) {
      io.stderr(`osbuild-agent: ${err.message}\n`);
      // Its own code, so a wrapper script can tell "already running" from a configuration error.
      return err.code === AGENT_RUNNING ? EXIT_AGENT_RUNNING : 2;
    }
    io.stderr(`osbuild-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
