// `osbuild netboot render|import|reset|power`: the netboot server, run on the host that serves
// TFTP and NFS. Local work, no controller connection needed.
import { watch } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { formatInventoryIssue, type Inventory, isUserError, loadInventory } from '@osbuild/shared';
import { Command } from 'commander';
import { exec as realExec } from '../../host/exec.js';
import { loadNetbootConfig, type NetbootConfig } from '../../netboot/config.js';
import { importImage } from '../../netboot/image-import.js';
import { netbootLayout } from '../../netboot/layout.js';
import { createNetbootReset } from '../../netboot/netboot-reset.js';
import { powerHookFor, runPowerHook } from '../../netboot/power-hook.js';
import { type RenderReport, renderNetboot } from '../../netboot/render-tree.js';
import { CliError } from '../cli-error.js';
import { addOutputOption } from '../client-options.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { type OutputFormat, renderOutput } from '../output/format.js';

const DEFAULT_CONFIG = 'netboot.yaml';
const DEFAULT_INVENTORY = 'bootstrap/config/nodes.yaml';

interface CommonFlags {
  config?: string;
  inventory?: string;
  output: OutputFormat;
}

function withCommon(cmd: Command, opts: { inventory: boolean }): Command {
  cmd.option(
    '--config <file>',
    `netboot configuration (env OSBUILD_NETBOOT_CONFIG, default ${DEFAULT_CONFIG})`,
  );
  if (opts.inventory)
    cmd.option('--inventory <file>', `inventory (env OSBUILD_INVENTORY, default ${DEFAULT_INVENTORY})`);
  return addOutputOption(cmd, ['table', 'json']);
}

function paths(ctx: CliContext, flags: CommonFlags) {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(ctx.io.cwd, p));
  return {
    config: abs(flags.config ?? (ctx.io.env.OSBUILD_NETBOOT_CONFIG || DEFAULT_CONFIG)),
    inventory: abs(flags.inventory ?? (ctx.io.env.OSBUILD_INVENTORY || DEFAULT_INVENTORY)),
  };
}

async function readConfig(file: string): Promise<NetbootConfig> {
  try {
    return await loadNetbootConfig(file);
  } catch (err) {
    if (isUserError(err)) throw new CliError(EXIT.usage, err.message);
    throw err;
  }
}

async function readInventory(file: string): Promise<Inventory> {
  const loaded = await loadInventory(file);
  if (loaded.ok) return loaded.inventory;
  throw new CliError(EXIT.inventoryInvalid, loaded.issues.map(formatInventoryIssue).join('\n'));
}

/** `osbuild netboot ...`. */
export function netbootCommand(ctx: CliContext): Command {
  const exec = ctx.deps.exec ?? realExec;
  const progress = (flags: CommonFlags) => (m: string) => {
    if (flags.output === 'table') ctx.io.stderr.write(`${m}\n`);
  };
  const netboot = new Command('netboot').description(
    'serve Pi 5 network boot: dnsmasq proxy DHCP + TFTP and per-node NFS roots from nodes.yaml',
  );

  withCommon(
    netboot
      .command('render')
      .description('write dnsmasq, TFTP and NFS export files for the netboot nodes and create missing roots')
      .option('--prune', 'delete roots of nodes no longer in the inventory')
      .option('--watch', 'render again whenever the inventory or the netboot configuration changes'),
    { inventory: true },
  ).action(async (flags: CommonFlags & { prune?: boolean; watch?: boolean }) => {
    const files = paths(ctx, flags);
    const once = async () => {
      const config = await readConfig(files.config);
      const inventory = await readInventory(files.inventory);
      const report = await renderNetboot(
        inventory,
        config,
        { exec, now: () => ctx.now(), progress: progress(flags) },
        { prune: flags.prune ?? false },
      );
      ctx.io.stdout.write(renderOutput(flags.output, report, () => renderReportText(report)));
      return report;
    };
    if (!flags.watch) {
      const report = await once();
      if (report.skipped.length > 0)
        throw new CliError(EXIT.refused, `${report.skipped.length} netboot node(s) not served (see above)`);
      return;
    }
    await watchAndRender(ctx, [files.config, files.inventory], once);
  });

  withCommon(
    netboot
      .command('import')
      .description('verify an image version folder (manifest.json, SHA256SUMS) and unpack it read-only')
      .argument('<dir>', 'image version folder, e.g. out/2026.11.25-1/'),
    { inventory: false },
  ).action(async (dir: string, flags: CommonFlags) => {
    const config = await readConfig(paths(ctx, flags).config);
    const src = isAbsolute(dir) ? dir : resolve(ctx.io.cwd, dir);
    try {
      const result = await importImage(src, netbootLayout(config.dir), { exec, progress: progress(flags) });
      ctx.io.stdout.write(
        renderOutput(flags.output, result, () =>
          result.imported
            ? `imported ${result.version} into ${result.path} (${result.bootFiles} boot files, ${result.seconds.toFixed(1)} s)`
            : `${result.version} is already imported at ${result.path} (identical manifest)`,
        ),
      );
    } catch (err) {
      if (isUserError(err)) throw new CliError(EXIT.refused, err.message);
      throw err;
    }
  });

  withCommon(
    netboot
      .command('reset')
      .description("replace a netboot node's root with a fresh copy of its image (the node should be down)")
      .argument('<name>', 'node hostname from nodes.yaml')
      .option('--image <version>', 'move the node to this imported image version'),
    { inventory: true },
  ).action(async (name: string, flags: CommonFlags & { image?: string }) => {
    const files = paths(ctx, flags);
    const config = await readConfig(files.config);
    const reset = createNetbootReset({
      config,
      inventory: () => readInventory(files.inventory),
      exec,
      now: () => ctx.now(),
    });
    try {
      const { background, ...result } = await reset.resetRoot(
        name,
        flags.image ? { image: flags.image } : {},
      );
      progress(flags)(
        `root of ${name} in place after ${result.swappedSeconds.toFixed(2)} s; removing the old root and preparing a spare`,
      );
      await background;
      ctx.io.stdout.write(
        renderOutput(
          flags.output,
          result,
          () =>
            `reset ${result.name} to image ${result.image} at ${result.path}: in place after ${result.swappedSeconds.toFixed(2)} s (${result.fromSpare ? 'spare copy' : 'full copy'})\nNFS: ${result.nfsReload}`,
        ),
      );
    } catch (err) {
      if (isUserError(err))
        throw new CliError(err.code === 'not-found' ? EXIT.notFound : EXIT.refused, err.message);
      throw err;
    }
  });

  withCommon(
    netboot
      .command('power')
      .description("run a node's power hook from netboot.yaml (power-cycle a board whose agent is dead)")
      .argument('<name>', 'node hostname'),
    { inventory: false },
  ).action(async (name: string, flags: CommonFlags) => {
    const config = await readConfig(paths(ctx, flags).config);
    if (powerHookFor(config, name) === undefined)
      throw new CliError(
        EXIT.notFound,
        `no power hook configured for ${name}: add powerHooks.${name}.command to ${paths(ctx, flags).config}`,
      );
    const result = await runPowerHook(config, name, exec).catch((err: unknown) => {
      // The operator's command failed (switch unreachable, bad port): not a bug of ours.
      throw new CliError(EXIT.refused, `power hook for ${name} failed: ${(err as Error).message}`);
    });
    ctx.io.stdout.write(
      renderOutput(flags.output, result, () =>
        result.ran ? `ran ${result.command.join(' ')} for ${name}` : result.reason,
      ),
    );
  });
  return netboot;
}

function renderReportText(r: RenderReport): string {
  const lines = [
    `generation ${r.generation}${r.changed ? ` (new; changed: ${r.changedFiles.join(', ')})` : ' (unchanged)'}`,
    ...r.nodes.map((n) => `  ${n.name}  tftp ${n.tftpFolder}/  image ${n.image}  root ${n.root}`),
    ...r.skipped.map((s) => `  ${s.name}  NOT SERVED: ${s.reason}`),
    ...r.orphanRoots.map((o) => `  root of ${o} has no inventory entry (remove with --prune)`),
    ...r.prunedRoots.map((o) => `  removed root of ${o}`),
    ...r.reloads.map((c) => `  ran ${c}`),
  ];
  if (r.nodes.some((n) => n.root === 'stale-image'))
    lines.push('  stale-image: nodes.yaml names another image; osbuild netboot reset NAME applies it');
  return lines.join('\n');
}

/** Render now and after every change of `files` until shutdown; a bad edit is reported, not fatal. */
async function watchAndRender(
  ctx: CliContext,
  files: string[],
  render: () => Promise<unknown>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() =>
        render().then(
          () => undefined,
          (err: unknown) => {
            ctx.io.stderr.write(`osbuild netboot render: ${(err as Error).message}\n`);
          },
        ),
      );
    }, 200);
  };
  // Watch before the first render, or an edit made while it runs would be missed.
  // Watch the folders: editors replace files by rename, which ends a watch on the file itself.
  // Only our files' names count: the netboot directory may live in the same folder.
  const names = new Set(files.map((f) => basename(f)));
  const watchers = [...new Set(files.map((f) => dirname(f)))].map((d) =>
    watch(d, (_event, name) => {
      if (name === null || names.has(String(name))) schedule();
    }),
  );
  try {
    running = running.then(() => render().then(() => undefined));
    await running;
    await (ctx.io.waitForShutdown ?? (() => new Promise<string>(() => {})))();
  } finally {
    for (const w of watchers) w.close();
    if (timer) clearTimeout(timer);
    await running;
  }
}
