// The flags every controller-talking command shares, and the one place that turns them into a
// connected rpc client.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { createRpcClient, DEFAULT_RPC_TIMEOUT_MS, type RpcClient } from '../rpc/client.js';
import { connectMqtt } from '../transport/mqtt.js';
import { resolveCliCa } from './ca-trust.js';
import type { CliContext } from './context.js';
import { resolveControllerAddress } from './controller-address.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output/format.js';

/** Parsed shared flags. */
export interface ClientFlags {
  controller?: string;
  dataDir?: string;
  credentials?: string;
  /** `--ca-file`: CA to verify an `mqtts://` controller with. */
  caFile?: string;
  /** Seconds. */
  timeout: number;
  output: OutputFormat;
}

/** `--timeout SEC`: a positive number of seconds. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

/** `-o, --output FORMAT` with the given choices, default table. */
export function addOutputOption(cmd: Command, formats: readonly string[] = OUTPUT_FORMATS): Command {
  return cmd.addOption(
    new Option('-o, --output <format>', 'output format').choices(formats).default('table'),
  );
}

/** Add `--controller`, `--data-dir`, `--credentials`, `--ca-file`, `--timeout` and `-o`. */
export function addClientOptions(cmd: Command): Command {
  cmd
    .option(
      '--controller <url>',
      'controller MQTT URL (env OSBUILD_CONTROLLER, else <data-dir>/controller.json)',
    )
    .option('--data-dir <dir>', 'controller data directory (env OSBUILD_DATA_DIR, default ./.osbuild)')
    .option(
      '--credentials <file>',
      'operator credentials JSON {username, password} (default <data-dir>/operator.json)',
    )
    .option('--ca-file <file>', 'CA certificate for mqtts:// URLs (default <data-dir>/tls/ca.pem)')
    .option(
      '--timeout <sec>',
      'seconds to wait for the controller',
      parseSeconds,
      DEFAULT_RPC_TIMEOUT_MS / 1000,
    );
  return addOutputOption(cmd);
}

/** Where and as whom the flags say to connect (URL, credentials, CA), without connecting. */
export function resolveConnection(ctx: CliContext, flags: ClientFlags) {
  const address = resolveControllerAddress({
    flags: { controller: flags.controller, dataDir: flags.dataDir, credentials: flags.credentials },
    env: ctx.io.env,
    cwd: ctx.io.cwd,
    readFile: ctx.readFile,
  });
  const ca = resolveCliCa({
    url: address.url,
    caFile: flags.caFile,
    dataDir: address.dataDir,
    cwd: ctx.io.cwd,
    readFile: ctx.readFile,
  });
  return { address, ca };
}

/** Connect as the flags say, run `fn`, and always disconnect. */
export async function withRpcClient<T>(
  ctx: CliContext,
  flags: ClientFlags,
  fn: (client: RpcClient) => Promise<T>,
): Promise<T> {
  const { address, ca } = resolveConnection(ctx, flags);
  const connect = ctx.deps.connect ?? connectMqtt;
  const client = createRpcClient({
    url: address.url,
    timeoutMs: Math.round(flags.timeout * 1000),
    onWarning: (m) => ctx.io.stderr.write(`osbuild: warning: ${m}\n`),
    ...(address.credentials
      ? { username: address.credentials.username, password: address.credentials.password }
      : {}),
    ...(ca !== undefined
      ? { connect: (url, o) => connect(url, { ...o, ca }) }
      : ctx.deps.connect
        ? { connect: ctx.deps.connect }
        : {}),
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
