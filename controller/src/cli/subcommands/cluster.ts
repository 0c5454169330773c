import { resolve } from 'node:path';
import { Command } from 'commander';
import type { KubeApi } from '../../kubernetes/kube-api.js';
import { kubeconfigPath, saveKubeconfig } from '../../kubernetes/kubeconfig-file.js';
import { CliError } from '../cli-error.js';
import { addClientOptions, addOutputOption, type ClientFlags, withRpcClient } from '../client-options.js';
import type { CliContext } from '../context.js';
import { resolveDataDir } from '../controller-address.js';
import { EXIT } from '../exit-codes.js';
import { clusterStatusText } from '../output/cluster.js';
import { type OutputFormat, renderOutput } from '../output/format.js';

/** What `osbuild cluster adopt -o json` prints (never the kubeconfig itself). */
export interface AdoptReport {
  server: string;
  nodes: string[];
  storedAt: string;
}

/** `osbuild cluster status|adopt`. */
export function clusterCommand(ctx: CliContext): Command {
  const cluster = new Command('cluster').description(
    'the Kubernetes cluster the controller builds or adopted',
  );

  addClientOptions(
    cluster
      .command('status')
      .description('whether a cluster is managed, its API server, and each Node with why it is not Ready'),
  ).action(async (flags: ClientFlags) => {
    const status = await withRpcClient(ctx, flags, (c) => c.call('cluster.status', {}));
    ctx.io.stdout.write(renderOutput(flags.output, status, () => clusterStatusText(status)));
  });

  addOutputOption(
    cluster
      .command('adopt')
      .description(
        'take over an existing cluster: check the admin kubeconfig reaches it, store it 0600 in the data dir; a running controller picks it up within seconds',
      )
      .requiredOption(
        '--kubeconfig <file>',
        'admin kubeconfig of the cluster (read from the file, never from argv)',
      )
      .option('--data-dir <dir>', 'controller data directory (env OSBUILD_DATA_DIR, default ./.osbuild)'),
    ['table', 'json'],
  ).action(async (flags: { kubeconfig: string; dataDir?: string; output: OutputFormat }) => {
    const file = resolve(ctx.io.cwd, flags.kubeconfig);
    const text = ctx.readFile(file);
    if (text === undefined) throw new CliError(EXIT.notFound, `no kubeconfig at ${file}`);
    let api: KubeApi;
    try {
      // Loaded here only: @kubernetes/client-node takes seconds to import on a small machine.
      const { clientNodeApi } = await import('../../kubernetes/client-node-api.js');
      api = clientNodeApi(text);
    } catch (err) {
      throw new CliError(EXIT.usage, `${file} is not a usable kubeconfig: ${(err as Error).message}`);
    }
    let nodes: string[];
    try {
      nodes = (await api.listNodes()).map((n) => n.name);
    } catch (err) {
      throw new CliError(EXIT.unreachable, `cannot list Nodes at ${api.server}: ${(err as Error).message}`);
    }
    const dataDir = resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd);
    await saveKubeconfig(dataDir, text);
    const report: AdoptReport = { server: api.server, nodes, storedAt: kubeconfigPath(dataDir) };
    ctx.io.stdout.write(
      renderOutput(
        flags.output,
        report,
        () =>
          `Adopted the cluster at ${report.server} (${nodes.length} Nodes); kubeconfig stored 0600 at ${report.storedAt}.\n`,
      ),
    );
  });
  return cluster;
}
