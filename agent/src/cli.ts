import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isUserError, UserError } from '@osbuild/shared';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { hostPaths } from './host/paths.js';
import { systemModel } from './host/system-info.js';
import { readIdentity } from './identity/read-identity.js';
import { toYaml } from './output-format.js';
import { startAgent } from './session/agent.js';
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
  controller: string;
  hostRoot: string;
  stateDir?: string;
  caFile?: string;
  caFingerprint?: string;
  logLevel: string;
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
    .requiredOption(
      '--controller <url>',
      'controller MQTT URL, e.g. mqtts://10.0.10.2:8883',
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
      'file holding the image claim secret (default <host-root>/etc/osbuild/claim.secret if present)',
    )
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .action(async (o: RunFlags & { claimFile?: string; insecure?: boolean }) => {
      // Structured JSON logs on stderr; stdout stays free for command output.
      const logger = pino({ level: o.logLevel }, pino.destination({ fd: 2, sync: true }));
      const claimSecret = await readClaimSecret(o.claimFile, o.hostRoot);
      const agent = await startAgent({
        controllerUrl: o.controller,
        hostRoot: o.hostRoot,
        stateDir: o.stateDir,
        logger,
        ...(claimSecret !== undefined ? { claimSecret } : {}),
        ...(o.insecure ? { insecure: true } : {}),
        ...(o.caFile !== undefined || o.caFingerprint !== undefined
          ? { tls: { caFile: o.caFile, caFingerprint: o.caFingerprint } }
          : {}),
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

/**
 * The claim secret comes from a file (the image or netboot root provides it), never from argv or
 * the environment, where other users and crash reports could see it.
 */
async function readClaimSecret(file: string | undefined, hostRoot: string): Promise<string | undefined> {
  const target = file ?? path.join(hostRoot, 'etc/osbuild/claim.secret');
  const text = await readFile(target, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (file !== undefined)
      throw new UserError('claim-file', `cannot read claim file ${file}: ${err.code ?? err.message}`);
    return undefined;
  });
  const secret = text?.trim();
  return secret ? secret : undefined;
}

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
      return 2;
    }
    io.stderr(`osbuild-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
