import { type CommandAction, isTerminalCommandState } from '@osbuild/shared';
import { Command, InvalidArgumentError } from 'commander';
import { CliError } from '../cli-error.js';
import { addClientOptions, type ClientFlags, parseSeconds, withRpcClient } from '../client-options.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { type RolloutPlan, rolloutExitCode, runRollout } from '../fleet/waves.js';
import { progressLine, rolloutTable } from '../output/commands.js';

/** Flags shared by reboot, reprovision and run. */
interface FleetFlags extends ClientFlags {
  selector?: string;
  maxInFlight: number;
  continueOnError?: boolean;
  idempotencyKey?: string;
  ttl?: number;
  deadline?: number;
  wait?: number;
  /** `--detach`: create the commands and return without waiting. */
  detach?: boolean;
  force?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Add the targeting and rollout flags. */
function addFleetOptions(cmd: Command, disruptive: boolean): Command {
  cmd
    .option('-l, --selector <labels>', 'label selector over nodes.yaml labels, e.g. role=worker,zone!=a')
    .option('--max-in-flight <n>', 'commands live at once; the rollout goes in waves', positiveInt, 1)
    .option('--continue-on-error', 'keep going after a node fails (default: stop at the first failure)')
    .option('--idempotency-key <key>', 'the same key on the same node returns the existing command')
    .option('--ttl <sec>', 'how long a command for an offline node waits (default 3600)', parseSeconds)
    .option('--deadline <sec>', 'how long the node has once the command is sent', parseSeconds)
    .option('--wait <sec>', 'stop waiting after this long (the commands keep running)', parseSeconds)
    .option('--detach', 'create the commands and return; follow them with `osbuild commands show`');
  if (disruptive) cmd.option('--force', 'skip the cordon/drain of a joined node (audited)');
  return addClientOptions(cmd);
}

async function rollout(
  ctx: CliContext,
  flags: FleetFlags,
  action: CommandAction,
  names: string[],
  extra: { script?: string; args?: string[] } = {},
): Promise<void> {
  const out = (s: string) => ctx.io.stdout.write(s);
  const err = (s: string) => ctx.io.stderr.write(s);
  const json = flags.output !== 'table';
  const code = await withRpcClient(ctx, flags, async (c) => {
    const targets = await c.call('commands.targets', {
      names,
      ...(flags.selector !== undefined ? { selector: flags.selector } : {}),
    });
    for (const u of targets.unseen)
      err(`osbuild: warning: ${u} matches the selector but has never said hello; skipped\n`);
    if (targets.nodes.length === 0) throw new CliError(EXIT.notFound, 'no known node matches the targets');
    const plan: RolloutPlan = {
      action,
      names: targets.nodes.map((n) => n.name),
      maxInFlight: !flags.detach ? flags.maxInFlight : targets.nodes.length,
      continueOnError: flags.continueOnError === true || flags.detach === true,
      pollMs: 250,
      ...extra,
      ...(flags.idempotencyKey !== undefined ? { idempotencyKey: flags.idempotencyKey } : {}),
      ...(flags.ttl !== undefined ? { ttlSec: Math.ceil(flags.ttl) } : {}),
      ...(flags.deadline !== undefined ? { timeoutSec: Math.ceil(flags.deadline) } : {}),
      ...(flags.force ? { force: true } : {}),
      // --detach: create and return at once.
      ...(!flags.detach ? (flags.wait !== undefined ? { waitMs: flags.wait * 1000 } : {}) : { waitMs: 0 }),
    };
    const outcomes = await runRollout(c, plan, {
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      // Progress goes to stderr with -o json, so stdout stays one parseable document.
      progress: (name, cmd) => (json ? err : out)(progressLine(name, cmd)),
      refused: (name, message) => err(`osbuild: ${name}: refused: ${message}\n`),
    });
    if (json) {
      out(`${JSON.stringify(outcomes, null, 2)}\n`);
    } else {
      out(rolloutTable(outcomes));
    }
    if (flags.detach) {
      const live = outcomes.every(
        (o) =>
          o.status !== 'refused' &&
          (o.status === 'skipped' ||
            !isTerminalCommandState(o.command.state) ||
            o.command.state === 'succeeded'),
      );
      return live ? EXIT.ok : rolloutExitCode(outcomes);
    }
    return rolloutExitCode(outcomes);
  });
  if (code !== EXIT.ok) throw new CliError(code, '');
}

/** `osbuild reboot TARGET...`. */
export function rebootCommand(ctx: CliContext): Command {
  const cmd = addFleetOptions(
    new Command('reboot')
      .description('reboot nodes; each is confirmed only when it comes back with a new boot id')
      .argument('[targets...]', 'node names (hostname or node id); or use -l'),
    true,
  );
  return cmd.action(async (names: string[], flags: FleetFlags) => rollout(ctx, flags, 'reboot', names));
}

/** `osbuild reprovision TARGET...`. */
export function reprovisionCommand(ctx: CliContext): Command {
  const cmd = addFleetOptions(
    new Command('reprovision')
      .description(
        'reset nodes (Kubernetes state and the provisioned marker; netboot: a fresh root) and run their plan again',
      )
      .argument('[targets...]', 'node names (hostname or node id); or use -l'),
    true,
  );
  return cmd.action(async (names: string[], flags: FleetFlags) => rollout(ctx, flags, 'reprovision', names));
}

/** `osbuild run TARGET... -- SCRIPT [args]`. */
export function runCommand(ctx: CliContext): Command {
  const cmd = addFleetOptions(
    new Command('run')
      .description('run a script from the bootstrap repo (at the pinned commit) on nodes')
      .argument('<words...>', 'NAME SCRIPT [args], or NAME... -- SCRIPT [args], or -l SELECTOR SCRIPT [args]')
      .addHelpText(
        'after',
        `
Examples:
  osbuild run w-01 scripts/collect-logs.sh --since 1h
  osbuild run w-01 w-02 -- scripts/collect-logs.sh --since 1h
  osbuild run -l role=worker --max-in-flight 2 scripts/collect-logs.sh`,
      ),
    false,
  );
  return cmd.action(async (words: string[], flags: FleetFlags) => {
    // commander drops `--`; the raw argv says how many words came after it.
    const raw = ctx.argv;
    const dash = raw.lastIndexOf('--');
    let names: string[];
    let rest: string[];
    if (dash >= 0) {
      const tail = raw.length - dash - 1;
      names = words.slice(0, words.length - tail);
      rest = words.slice(words.length - tail);
    } else if (flags.selector !== undefined) {
      names = [];
      rest = words;
    } else {
      names = words.slice(0, 1);
      rest = words.slice(1);
    }
    const [script, ...args] = rest;
    if (!script) throw new CliError(EXIT.usage, 'run needs a script: osbuild run NAME SCRIPT [args]');
    await rollout(ctx, flags, 'run', names, { script, args });
  });
}
