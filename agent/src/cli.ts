import { isUserError } from '@osbuild/shared';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { hostPaths } from './host/paths.js';
import { systemModel } from './host/system-info.js';
import { readIdentity } from './identity/read-identity.js';
import { toYaml } from './output-format.js';
import { startAgent } from './session/agent.js';
import { AGENT_VERSION } from './version.js';

/** What the CLI needs from its process; bin.ts supplies the real ones. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborted on SIGTERM/SIGINT: `run` stops cleanly. */
  stopSignal: AbortSignal;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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
    .version(AGENT_VERSION)
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
      'controller MQTT URL, e.g. mqtt://127.0.0.1:1883',
      parseControllerUrl,
    )
    .option('--host-root <dir>', 'host root; anything but / emulates host actions (fixture mode)', '/')
    .option('--state-dir <dir>', 'agent state (journal, repos); default /var/lib/osbuild under the host root')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .action(async (o: { controller: string; hostRoot: string; stateDir?: string; logLevel: string }) => {
      // Structured JSON logs on stderr; stdout stays free for command output.
      const logger = pino({ level: o.logLevel }, pino.destination({ fd: 2, sync: true }));
      const agent = await startAgent({
        controllerUrl: o.controller,
        hostRoot: o.hostRoot,
        stateDir: o.stateDir,
        logger,
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
