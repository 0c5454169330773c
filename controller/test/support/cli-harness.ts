// Helpers for CLI tests: run main() in-process or the real bin as a child process, a real Aedes on
// 127.0.0.1, and a scripted rpc responder speaking through connectMqtt.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parsePayload, type RpcRequest, rpcRequestSchema, topics } from '@osbuild/shared';
import type { CliDeps } from '../../src/cli/context.js';
import { main } from '../../src/cli/program.js';
import { connectMqtt } from '../../src/transport/mqtt.js';

/** The repository root (where `bootstrap/` lives). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The real `osbuild` executable. */
export const BIN = fileURLToPath(new URL('../../bin/osbuild.js', import.meta.url));

/** What a CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `osbuild ...args` in-process. The environment is empty unless given. */
export async function runCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; deps?: CliDeps; now?: Date } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    ['node', 'osbuild', ...args],
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: opts.env ?? {},
      cwd: opts.cwd ?? REPO_ROOT,
      ...(opts.now ? { now: () => opts.now as Date } : {}),
      waitForShutdown: async () => 'SIGTERM',
    },
    opts.deps ?? {},
  );
  return { code, stdout, stderr };
}

/** Run the real bin (`node controller/bin/osbuild.js ...args`) as a child process. */
export function runBin(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: opts.cwd ?? REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...opts.env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A real Aedes broker on 127.0.0.1 and a random port. */
export interface TestBroker {
  url: string;
  close(): Promise<void>;
}

/** Start Aedes; `authenticate` (optional) decides on username/password. */
export async function startBroker(
  authenticate?: (username: string | undefined, password: string | undefined) => boolean,
): Promise<TestBroker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  if (authenticate) {
    broker.authenticate = (_client, username, password, done) => {
      const ok = authenticate(username, password?.toString());
      done(null, ok);
    };
  }
  const server = net.createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * What the responder sends back for a request: an object (sent as JSON), a raw string, a list of
 * either (sent in order), or undefined for no answer at all.
 */
export type Reply = object | string | (object | string)[] | undefined;

/** A fake controller rpc endpoint; records the requests it saw. */
export interface Responder {
  requests: RpcRequest[];
  close(): Promise<void>;
}

/** Answer rpc requests on the broker with `reply(request)`. */
export async function startResponder(url: string, reply: (req: RpcRequest) => Reply): Promise<Responder> {
  const port = await connectMqtt(url, { clientId: `responder-${process.pid}-${Date.now()}` });
  const requests: RpcRequest[] = [];
  port.onMessage((msg) => {
    const parsed = parsePayload(rpcRequestSchema, msg.payload);
    if (!parsed.ok) return;
    requests.push(parsed.value);
    const out = reply(parsed.value);
    if (out === undefined) return;
    for (const body of Array.isArray(out) ? out : [out]) {
      void port.publish(topics.rpcResponse(parsed.value.replyTo), body, { qos: 1 });
    }
  });
  await port.subscribe([topics.rpcRequest()], 1);
  return { requests, close: () => port.close(true) };
}

/** A success envelope answering `req`. */
export function okReply(req: RpcRequest, data: unknown): object {
  return { v: 1, id: req.id, ok: true, data };
}

/** An error envelope answering `req`. */
export function errorReply(req: RpcRequest, code: string, message: string): object {
  return { v: 1, id: req.id, ok: false, error: { code, message } };
}
