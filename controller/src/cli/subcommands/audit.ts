import { Command, InvalidArgumentError } from 'commander';
import {
  AuditLogBrokenError,
  type AuditRecord,
  auditLogPath,
  readAuditLog,
  verifyAuditLog,
} from '../../audit/audit-log.js';
import { CliError } from '../cli-error.js';
import { addOutputOption } from '../client-options.js';
import type { CliContext } from '../context.js';
import { resolveDataDir } from '../controller-address.js';
import { EXIT } from '../exit-codes.js';
import { auditListTable, auditVerifiedText } from '../output/audit.js';
import { type OutputFormat, renderOutput } from '../output/format.js';

const OFFLINE_NOTE =
  'reads <data-dir>/audit.log directly, so it works while the controller is down (and on a copy)';

interface AuditFlags {
  dataDir?: string;
  output: OutputFormat;
}

/** `--limit N`: a positive integer. */
function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** `osbuild audit ls|verify`: read the controller's audit log from its data dir, no controller needed. */
export function auditCommand(ctx: CliContext): Command {
  const audit = new Command('audit').description(
    `list and verify the controller's hash-chained audit log; ${OFFLINE_NOTE}`,
  );
  const dataDirOption = [
    '--data-dir <dir>',
    'controller data directory (env OSBUILD_DATA_DIR, default ./.osbuild)',
  ] as const;
  const fileOf = (flags: AuditFlags) => auditLogPath(resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd));

  addOutputOption(
    audit
      .command('ls')
      .alias('list')
      .summary('list audit entries (works while the controller is down)')
      .description(`list audit entries, oldest first; ${OFFLINE_NOTE}; does not check the chain (use verify)`)
      .option(...dataDirOption)
      .option('--limit <n>', 'show only the last N entries', parseLimit),
  ).action(async (flags: AuditFlags & { limit?: number }) => {
    const file = fileOf(flags);
    const records = await orMissing(file, () => readAuditLog(file));
    const shown: AuditRecord[] = flags.limit === undefined ? records : records.slice(-flags.limit);
    ctx.io.stdout.write(renderOutput(flags.output, shown, () => auditListTable(shown)));
  });

  addOutputOption(
    audit
      .command('verify')
      .summary('check the hash chain; exit 7 naming the first broken line (controller not needed)')
      .description(
        `check every line's hash and its link to the line before; exit 7 naming the first broken line; ${OFFLINE_NOTE}`,
      )
      .option(...dataDirOption),
    ['table', 'json'],
  ).action(async (flags: AuditFlags) => {
    const file = fileOf(flags);
    const verdict = await orMissing(file, () => verifyAuditLog(file));
    if (verdict.ok) {
      ctx.io.stdout.write(
        renderOutput(flags.output, { file, ...verdict }, () => auditVerifiedText(file, verdict)),
      );
      return;
    }
    if (flags.output === 'json') ctx.io.stdout.write(renderOutput('json', { file, ...verdict }, () => ''));
    throw new CliError(EXIT.auditBroken, `audit log broken at line ${verdict.line}: ${verdict.problem}`);
  });

  return audit;
}

/** A missing log is "not found"; a line that is not a record is a broken log. */
async function orMissing<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(EXIT.notFound, `no audit log at ${file} (the controller creates it when it starts)`);
    }
    if (err instanceof AuditLogBrokenError) {
      throw new CliError(EXIT.auditBroken, `audit log broken at line ${err.line}: ${err.problem}`, {
        cause: err,
      });
    }
    throw err;
  }
}
