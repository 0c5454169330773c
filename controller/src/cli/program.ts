// The `osbuild` command line: builds a fresh commander program per call and turns every outcome
// into an exit code (cli/exit-codes.ts), so `main()` runs in-process in tests.
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { type CliContext, type CliDeps, type CliIo, createContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { reportError } from './report-error.js';
import { auditCommand } from './subcommands/audit.js';
import { caCommand } from './subcommands/ca.js';
import { clusterCommand } from './subcommands/cluster.js';
import { commandsCommand, eventsCommand, logsCommand } from './subcommands/commands.js';
import { inventoryCommand } from './subcommands/inventory.js';
import { netbootCommand } from './subcommands/netboot.js';
import { rebootCommand, reprovisionCommand, runCommand } from './subcommands/node-commands.js';
import { nodesCommand } from './subcommands/nodes.js';
import { claimsCommand, usersCommand } from './subcommands/principals.js';
import { serveCommand } from './subcommands/serve.js';
import { simCommand } from './subcommands/sim.js';
import { statusCommand } from './subcommands/status.js';
import { watchCommand } from './subcommands/watch.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  internal error
  2  usage error (bad flags or arguments, rejected request)
  3  not found
  4  refused (conflict, invalid state, unauthorized, credentials refused)
  5  controller unreachable or timed out
  6  invalid inventory
  7  audit log broken (osbuild audit verify)
  8  a node command failed or was rejected (reboot, reprovision, run)
  9  a node command timed out or expired while queued`;

/** Build the program; every command writes through `ctx.io`. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('osbuild')
    .description('Provision Raspberry Pi 5 Kubernetes nodes from one generic image over MQTT')
    .version(pkg.version)
    .addHelpText('after', EXIT_CODES_HELP);
  for (const make of [
    serveCommand,
    nodesCommand,
    statusCommand,
    clusterCommand,
    inventoryCommand,
    netbootCommand,
    usersCommand,
    claimsCommand,
    auditCommand,
    caCommand,
    simCommand,
    rebootCommand,
    reprovisionCommand,
    runCommand,
    commandsCommand,
    logsCommand,
    eventsCommand,
    watchCommand,
  ]) {
    program.addCommand(make(ctx));
  }
  configureTree(program, ctx);
  return program;
}

/**
 * Commander only copies settings to subcommands made with `.command()`, not to added ones; set
 * them on every command so none of them can write to the real process or call process.exit.
 */
function configureTree(cmd: Command, ctx: CliContext): void {
  cmd
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .showHelpAfterError('(add --help for usage)');
  for (const sub of cmd.commands) configureTree(sub, ctx);
}

/** Run the CLI with `argv` as process.argv (node, script, ...args); resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  const ctx = createContext(io, deps, argv);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'node' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExitCode(err);
    const report = reportError(err);
    if (report.message) io.stderr.write(`osbuild: ${report.message}\n`);
    return report.exitCode;
  }
}

/** Asked-for help and version exit 0; everything commander rejects is a usage error. */
function commanderExitCode(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
  // `osbuild help CMD` succeeds; help shown because a subcommand is missing is a usage error.
  if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  return EXIT.usage;
}
