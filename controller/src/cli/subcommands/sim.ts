// `osbuild sim`: a fleet of simulated Raspberry Pi 5 boards. `sim inventory` prints their
// nodes.yaml; `sim run` runs one real agent per board in this process against a controller.
import { isAbsolute, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { fleetProgress, formatProgress, startFleet } from '../../sim/fleet.js';
import { MAX_SIM_NODES, MAX_SIM_SEED, syntheticInventory } from '../../sim/synthetic-host.js';
import { CliError } from '../cli-error.js';
import { withRpcClient } from '../client-options.js';
import type { CliContext } from '../context.js';
import { resolveControllerAddress } from '../controller-address.js';
import { EXIT } from '../exit-codes.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function intIn(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}`);
    return n;
  };
}

const nodesOption = () =>
  new Option('--nodes <n>', `number of simulated boards (1 to ${MAX_SIM_NODES})`)
    .argParser(intIn(1, MAX_SIM_NODES, 'a node count'))
    .makeOptionMandatory();
const seedOption = () =>
  new Option('--seed <s>', `fleet seed: same seed, same MACs, serials and hostnames (0 to ${MAX_SIM_SEED})`)
    .argParser(intIn(0, MAX_SIM_SEED, 'a seed'))
    .default(0);

interface RunFlags {
  nodes: number;
  seed: number;
  controller?: string;
  dataDir?: string;
  credentials?: string;
  caFile?: string;
  claimFile?: string;
  workDir?: string;
  progress: number;
  telemetryInterval?: number;
  logLevel: (typeof LOG_LEVELS)[number];
  steps: 'simulated' | 'real';
  failRate: number;
  speed: number;
}

function numberIn(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}`);
    return n;
  };
}

/** `osbuild sim inventory|run`. */
export function simCommand(ctx: CliContext): Command {
  const sim = new Command('sim').description(
    'simulate a fleet of Raspberry Pi 5 boards running the real agent, in one process',
  );

  sim
    .command('inventory')
    .description('print a nodes.yaml for the simulated boards (the first is the control plane)')
    .addOption(nodesOption())
    .addOption(seedOption())
    .action((flags: { nodes: number; seed: number }) => {
      ctx.io.stdout.write(syntheticInventory(flags.nodes, flags.seed));
    });

  sim
    .command('run')
    .description(
      'run one real agent per simulated board against the controller until SIGINT/SIGTERM; progress goes to stderr',
    )
    .addOption(nodesOption())
    .addOption(seedOption())
    .option(
      '--controller <url>',
      'controller MQTT URL (env OSBUILD_CONTROLLER, else <data-dir>/controller.json)',
    )
    .option('--data-dir <dir>', 'controller data directory (env OSBUILD_DATA_DIR, default ./.osbuild)')
    .option(
      '--credentials <file>',
      'operator credentials for the progress lines (default <data-dir>/operator.json)',
    )
    .option('--ca-file <file>', 'CA certificate for mqtts:// URLs (default <data-dir>/tls/ca.pem)')
    .option('--claim-file <file>', 'claim secret the boards enrol with (default <data-dir>/claim.secret)')
    .option('--work-dir <dir>', 'where to make the temp dir of host roots (default the OS temp dir)')
    .addOption(
      new Option('--progress <sec>', 'seconds between progress lines')
        .argParser(intIn(1, 3600, 'seconds'))
        .default(5),
    )
    .addOption(
      new Option(
        '--telemetry-interval <sec>',
        'seconds between telemetry samples per board (agent default 15)',
      ).argParser(intIn(1, 3600, 'seconds')),
    )
    .addOption(
      new Option(
        '--steps <mode>',
        'simulated: realistic step durations and failure injection at the executor seam; real: run the real executors (bootstrap scripts in the synthetic roots)',
      )
        .choices(['simulated', 'real'])
        .default('simulated'),
    )
    .addOption(
      new Option(
        '--fail-rate <r>',
        'probability (0 to 1) that a simulated step attempt fails; deterministic by seed',
      )
        .argParser(numberIn(0, 1, 'a rate'))
        .default(0),
    )
    .addOption(
      new Option('--speed <n>', 'simulated time compression: 10 runs steps and reboots ten times faster')
        .argParser(numberIn(0.01, 10_000, 'a factor'))
        .default(1),
    )
    .addOption(
      new Option('--log-level <level>', 'agent log level (logs go to stderr)')
        .choices(LOG_LEVELS)
        .default('error'),
    )
    .action(async (flags: RunFlags) => runSim(ctx, flags));

  return sim;
}

async function runSim(ctx: CliContext, flags: RunFlags): Promise<void> {
  const { cwd, env } = ctx.io;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const address = resolveControllerAddress({
    flags: { controller: flags.controller, dataDir: flags.dataDir, credentials: flags.credentials },
    env,
    cwd,
    readFile: ctx.readFile,
  });
  const claimFile = flags.claimFile ? abs(flags.claimFile) : join(address.dataDir, 'claim.secret');
  const claimSecret = ctx.readFile(claimFile)?.trim();
  if (!claimSecret)
    throw new CliError(EXIT.usage, `claim secret not found or empty: ${claimFile} (pass --claim-file)`);
  let caFile: string | undefined;
  if (address.url.startsWith('mqtts:')) {
    caFile = flags.caFile ? abs(flags.caFile) : join(address.dataDir, 'tls', 'ca.pem');
    if (ctx.readFile(caFile) === undefined)
      throw new CliError(EXIT.usage, `CA certificate not found: ${caFile} (pass --ca-file)`);
  }
  if (!ctx.io.waitForShutdown) throw new CliError(EXIT.internal, 'sim run needs a shutdown signal source');
  const waitForShutdown = ctx.io.waitForShutdown;
  const logger = pino(
    { level: flags.logLevel, base: { name: 'osbuild-sim' } },
    {
      write: (s: string) => ctx.io.stderr.write(s),
    },
  );

  const started = Date.now();
  const fleet = await startFleet({
    controllerUrl: address.url,
    nodes: flags.nodes,
    seed: flags.seed,
    claimSecret,
    ...(caFile ? { caFile } : {}),
    ...(flags.workDir ? { workDir: abs(flags.workDir) } : {}),
    ...(flags.telemetryInterval ? { telemetryIntervalSec: flags.telemetryInterval } : {}),
    ...(flags.steps === 'simulated' ? { simulate: { failRate: flags.failRate, speed: flags.speed } } : {}),
    logger,
  });
  ctx.io.stderr.write(
    `sim: started ${flags.nodes} agents (seed ${flags.seed}) against ${address.url}; host roots in ${fleet.workDir}\n` +
      (flags.steps === 'simulated'
        ? `sim: simulated steps, fail rate ${flags.failRate}, speed x${flags.speed}\n`
        : 'sim: real step executors\n'),
  );
  try {
    await withRpcClient(
      ctx,
      { ...flags, controller: address.url, dataDir: address.dataDir, timeout: 10, output: 'table' },
      async (rpc) => {
        let warned = false;
        const report = async () => {
          try {
            const nodes = await rpc.call('nodes.list', {});
            ctx.io.stderr.write(formatProgress(fleetProgress(fleet.hostnames, nodes), Date.now() - started));
          } catch (err) {
            if (!warned)
              ctx.io.stderr.write(
                `osbuild: warning: no progress from the controller: ${(err as Error).message}\n`,
              );
            warned = true;
          }
        };
        let busy = false;
        const timer = setInterval(() => {
          if (busy) return;
          busy = true;
          void report().finally(() => {
            busy = false;
          });
        }, flags.progress * 1000);
        try {
          const signal = await waitForShutdown();
          ctx.io.stderr.write(`sim: ${signal}, stopping ${flags.nodes} agents\n`);
        } finally {
          clearInterval(timer);
        }
        await report();
      },
    );
  } finally {
    await fleet.stop();
  }
  ctx.io.stderr.write('sim: stopped\n');
}
