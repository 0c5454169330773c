import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { addClientOptions, type ClientFlags, withRpcClient } from '../client-options.js';
import type { CliContext } from '../context.js';
import { renderOutput } from '../output/format.js';
import { renderTable } from '../output/table.js';

// New secrets go to a 0600 file when --out is given (so they never sit in a terminal's scrollback),
// otherwise to stdout once; the controller keeps only their hashes and cannot show them again.
async function deliverSecret(
  ctx: CliContext,
  out: string | undefined,
  content: string,
  what: string,
): Promise<void> {
  if (out === undefined) {
    ctx.io.stdout.write(content);
    return;
  }
  await writeFile(out, content, { mode: 0o600, flag: 'wx' });
  ctx.io.stderr.write(`wrote ${what} to ${out} (mode 0600)\n`);
}

/** `osbuild users add|ls|rm`: operator and monitor principals. */
export function usersCommand(ctx: CliContext): Command {
  const users = new Command('users').description('manage operator and monitor users of the controller');
  addClientOptions(
    users
      .command('add')
      .description('add a user; prints its generated password once (or writes credentials JSON with --out)')
      .argument('<name>', 'user name, e.g. alice or grafana')
      .addOption(
        new Option('--role <role>', 'operator (full CLI) or monitor (read-only telemetry)')
          .choices(['operator', 'monitor'])
          .makeOptionMandatory(),
      )
      .option('--out <file>', 'write {username, password} to this new file (0600) instead of stdout'),
  ).action(async (name: string, flags: ClientFlags & { role: 'operator' | 'monitor'; out?: string }) => {
    const user = await withRpcClient(ctx, flags, (c) => c.call('users.add', { name, role: flags.role }));
    const creds = `${JSON.stringify({ username: user.name, password: user.password }, null, 2)}\n`;
    if (flags.output === 'table' && flags.out === undefined) {
      ctx.io.stdout.write(`Added ${user.role} ${user.name}. Password (shown once): ${user.password}\n`);
    } else {
      await deliverSecret(
        ctx,
        flags.out,
        flags.out ? creds : renderOutput(flags.output, user, () => ''),
        'credentials',
      );
    }
  });
  addClientOptions(users.command('ls').alias('list').description('list users and their roles')).action(
    async (flags: ClientFlags) => {
      const list = await withRpcClient(ctx, flags, (c) => c.call('users.list', {}));
      ctx.io.stdout.write(
        renderOutput(flags.output, list, () =>
          renderTable(
            ['NAME', 'ROLE', 'CREATED'],
            list.map((u) => [u.name, u.role, u.createdAt]),
          ),
        ),
      );
    },
  );
  addClientOptions(
    users
      .command('rm')
      .alias('remove')
      .description('remove a user (not the last operator)')
      .argument('<name>', 'user name'),
  ).action(async (name: string, flags: ClientFlags) => {
    const r = await withRpcClient(ctx, flags, (c) => c.call('users.remove', { name }));
    ctx.io.stdout.write(renderOutput(flags.output, r, () => `Removed ${r.name}.`));
  });
  return users;
}

/** `osbuild claims add|ls|revoke`: the secrets images carry to enrol. */
export function claimsCommand(ctx: CliContext): Command {
  const claims = new Command('claims').description(
    'manage claim secrets that images use to enrol new boards',
  );
  addClientOptions(
    claims
      .command('add')
      .description('create a claim secret for new images; prints it once (or writes it with --out)')
      .option('--out <file>', 'write the secret to this new file (0600), e.g. for the image build'),
  ).action(async (flags: ClientFlags & { out?: string }) => {
    const claim = await withRpcClient(ctx, flags, (c) => c.call('claims.add', {}));
    if (flags.out !== undefined) {
      await deliverSecret(ctx, flags.out, `${claim.secret}\n`, `claim ${claim.id}`);
      return;
    }
    ctx.io.stdout.write(
      renderOutput(flags.output, claim, () => `Claim ${claim.id} (secret shown once): ${claim.secret}`),
    );
  });
  addClientOptions(
    claims.command('ls').alias('list').description('list claims (ids and dates, never secrets)'),
  ).action(async (flags: ClientFlags) => {
    const list = await withRpcClient(ctx, flags, (c) => c.call('claims.list', {}));
    ctx.io.stdout.write(
      renderOutput(flags.output, list, () =>
        renderTable(
          ['ID', 'CREATED', 'REVOKED'],
          list.map((c) => [c.id, c.createdAt, c.revokedAt ?? '-']),
        ),
      ),
    );
  });
  addClientOptions(
    claims
      .command('revoke')
      .description('revoke a claim: boards that already hold credentials are not affected')
      .argument('<id>', 'claim id as `claims ls` shows it'),
  ).action(async (id: string, flags: ClientFlags) => {
    const r = await withRpcClient(ctx, flags, (c) => c.call('claims.revoke', { id }));
    ctx.io.stdout.write(renderOutput(flags.output, r, () => `Revoked ${r.id} at ${r.revokedAt}.`));
  });
  return claims;
}
