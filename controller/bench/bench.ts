// npm run bench: controller benchmarks, printed as tables (or JSON with -o json). Not part of
// npm test. Suites: telemetry (load), storm (boot storm), offline (detection latency), provision
// (hello -> provisioned, with bootstrap scripts), scrape (/metrics and condition-check cost),
// store-growth (store size with every node at its rate limits). See --help and docs/performance.md.
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT } from '../src/cli/exit-codes.js';
import { describeMachine } from './support/machine.js';
import { formatRows, type SuiteResult } from './support/report.js';

const SUITES = ['telemetry', 'storm', 'offline', 'provision', 'scrape', 'store-growth'] as const;
type Suite = (typeof SUITES)[number];

/** Node counts per suite when none are given: a suite named alone, and the default run. */
const SIZES: Record<Suite, { named: number[]; quick: number[] }> = {
  telemetry: { named: [1000], quick: [1000] },
  storm: { named: [1000], quick: [200] },
  offline: { named: [100], quick: [100] },
  provision: { named: [3, 100], quick: [3] },
  scrape: { named: [1000, 5000], quick: [5000] },
  'store-growth': { named: [100], quick: [20] },
};

function list(what: string, min: number, max: number) {
  return (value: string): number[] => {
    const xs = value.split(',').map((s) => Number(s.trim()));
    if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < min || x > max))
      throw new InvalidArgumentError(`expected a comma-separated list of ${what} from ${min} to ${max}`);
    return xs;
  };
}

function int(what: string, min: number, max: number) {
  return (value: string): number => {
    const x = Number(value);
    if (!Number.isInteger(x) || x < min || x > max)
      throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}`);
    return x;
  };
}

interface Flags {
  nodes?: number[];
  interval: number;
  window: number;
  bare: boolean;
  keepalive: number[];
  modes: string[];
  spread: number;
  shards: number;
  loadShards?: number;
  seconds: number;
  fleet: number;
  output: 'table' | 'json';
}

const program = new Command('bench')
  .description('OSBuild controller benchmarks (a real controller over TLS; each suite prints a table)')
  .argument(
    '[suite-or-size...]',
    `suites to run (${SUITES.join(', ')}) and node counts, e.g. "provision 3 100"; default: a quick subset (telemetry 1000, storm 200, offline 100, provision 3, scrape 5000, store-growth 20)`,
  )
  .addOption(
    new Option('--nodes <list>', 'node counts, comma-separated (e.g. 1000,5000)').argParser(
      list('node counts', 1, 10_000),
    ),
  )
  .addOption(
    new Option('--interval <sec>', 'telemetry: seconds between samples per node')
      .argParser(int('seconds', 1, 3600))
      .default(15),
  )
  .addOption(
    new Option('--window <n>', 'telemetry: measured window, in intervals')
      .argParser(int('intervals', 1, 20))
      .default(3),
  )
  .option('--no-bare', 'telemetry: skip the bare-Aedes comparison')
  .addOption(
    new Option('--keepalive <list>', 'offline: MQTT keepalive seconds of the agents')
      .argParser(list('seconds', 1, 600))
      .default([10, 2]),
  )
  .addOption(
    new Option(
      '--modes <list>',
      'offline: how nodes go away: silent (cable pulled), crash (socket closed without DISCONNECT), clean (agent stop)',
    )
      .argParser((v: string) => {
        const xs = v.split(',');
        if (xs.some((x) => !['silent', 'crash', 'clean'].includes(x)))
          throw new InvalidArgumentError('expected silent, crash and/or clean');
        return xs;
      })
      .default(['silent', 'crash', 'clean']),
  )
  .addOption(
    new Option('--spread <sec>', 'storm: agents start evenly over this many seconds')
      .argParser(int('seconds', 0, 600))
      .default(10),
  )
  .addOption(
    new Option('--shards <n>', 'storm: child processes running the agents')
      .argParser(int('shards', 1, 16))
      .default(2),
  )
  .addOption(
    new Option(
      '--load-shards <n>',
      'telemetry: load-generator processes (default: one per 1,000 nodes)',
    ).argParser(int('processes', 1, 32)),
  )
  .addOption(
    new Option('--seconds <sec>', 'store-growth: simulated seconds at the rate limits')
      .argParser(int('seconds', 1, 3600))
      .default(60),
  )
  .addOption(
    new Option('--fleet <n>', 'store-growth: fleet size the per-node store size is multiplied up to')
      .argParser(int('nodes', 1, 100_000))
      .default(5000),
  )
  .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
  .addHelpText(
    'after',
    `
Examples:
  npm run bench                                  quick subset (about 5 minutes)
  npm run bench -- telemetry --nodes 1000,5000   telemetry load, controller vs bare Aedes
  npm run bench -- storm --nodes 1000            1,000 boards first-boot within 10 s
  npm run bench -- offline                       will-based offline detection, keepalive 10 s and 2 s
  npm run bench -- provision 3 100               hello -> provisioned with a bootstrap script
  npm run bench -- scrape --nodes 5000           /metrics scrape and condition pass, before/after cache
  npm run bench -- store-growth --nodes 100      store size with every node at its rate limits
  npm run bench -- offline -o json               machine-readable

Progress goes to stderr, results to stdout. npm run bench raises the open-files limit to its hard
limit first (each node is a socket in the load process and one in the controller).
Exit codes: 0 ok, 1 a benchmark failed, 2 usage error.`,
  )
  .showHelpAfterError()
  .exitOverride();

async function runSuite(suite: Suite, sizes: number[], f: Flags): Promise<SuiteResult> {
  switch (suite) {
    case 'telemetry': {
      const { telemetrySuite } = await import('./telemetry.js');
      return telemetrySuite({
        nodes: sizes,
        intervalSec: f.interval,
        windowIntervals: f.window,
        keepaliveSec: 10,
        bare: f.bare,
        ...(f.loadShards ? { loadShards: f.loadShards } : {}),
      });
    }
    case 'storm': {
      const { stormSuite } = await import('./storm.js');
      return stormSuite({ nodes: sizes, spreadSec: f.spread, shards: f.shards });
    }
    case 'offline': {
      const { offlineSuite } = await import('./offline.js');
      return offlineSuite({ nodes: sizes, keepaliveSec: f.keepalive, modes: f.modes });
    }
    case 'provision': {
      const { provisionSuite } = await import('./provision.js');
      return provisionSuite({ nodes: sizes });
    }
    case 'scrape': {
      const { scrapeSuite } = await import('./scrape.js');
      return scrapeSuite({ nodes: sizes, repeat: 5 });
    }
    case 'store-growth': {
      const { storeGrowthSuite } = await import('./store-growth.js');
      return storeGrowthSuite({ nodes: sizes, seconds: f.seconds, fleet: f.fleet });
    }
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    return code === 0 ? EXIT.ok : EXIT.usage;
  }
  const f = program.opts<Flags>();
  const words = program.args;
  const named = words.filter((w) => Number.isNaN(Number(w)));
  const unknown = named.filter((w) => !(SUITES as readonly string[]).includes(w));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite ${unknown.join(', ')} (expected ${SUITES.join(', ')})\n`);
    return EXIT.usage;
  }
  const positional = words.filter((w) => !Number.isNaN(Number(w))).map(Number);
  if (positional.some((x) => !Number.isInteger(x) || x < 1 || x > 10_000)) {
    process.stderr.write('bench: node counts must be integers from 1 to 10000\n');
    return EXIT.usage;
  }
  const suites = named.length > 0 ? (named as Suite[]) : [...SUITES];
  const given = f.nodes ?? (positional.length > 0 ? positional : undefined);
  const machine = describeMachine();
  process.stderr.write(`bench: ${JSON.stringify(machine)}\n`);
  const results: SuiteResult[] = [];
  let failed = false;
  for (const suite of suites) {
    const sizes = given ?? (named.length > 0 ? SIZES[suite].named : SIZES[suite].quick);
    try {
      const r = await runSuite(suite, sizes, f);
      results.push(r);
      if (f.output === 'table') {
        process.stdout.write(`\n${suite}\n${formatRows(r.rows)}`);
        for (const note of r.notes) process.stdout.write(`  note: ${note}\n`);
      }
    } catch (err) {
      failed = true;
      process.stderr.write(`bench: ${suite} failed: ${(err as Error).stack ?? String(err)}\n`);
      results.push({ suite, rows: [], notes: [`failed: ${(err as Error).message}`] });
    }
  }
  const after = describeMachine();
  if (f.output === 'json') {
    process.stdout.write(`${JSON.stringify({ machine, loadAvgAfter: after.loadAvg, results }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `\nmachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.ramGiB} GiB, Node ${machine.node}; load average ${machine.loadAvg} before, ${after.loadAvg} after\n`,
    );
  }
  return failed ? EXIT.internal : EXIT.ok;
}

process.exitCode = await main(process.argv.slice(2));
