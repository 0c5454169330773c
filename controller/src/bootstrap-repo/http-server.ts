import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { normalize } from 'node:path';
import { openableRepoFile, repoFileFor } from './repo-files.js';

/** A running HTTP server. */
export interface HttpServer {
  readonly url: string;
  close(): Promise<void>;
}

/** A Prometheus scrape rendered for HTTP. */
export interface MetricsResponse {
  contentType: string;
  body: string;
}

/** Bounds on what an HTTP client may ask of the listener; past each, the answer given. */
export interface HttpLimits {
  /** Longer request targets get 414. */
  maxUrlBytes: number;
  /** Request line and headers larger than this get 431 (Node's parser). */
  maxHeaderBytes: number;
  /** Headers not complete by then: 408 and the connection closed. */
  headersTimeoutMs: number;
  /** A whole request not received by then: 408. */
  requestTimeoutMs: number;
  /** A connection with no traffic this long is closed (a stalled clone frees its slot). */
  idleTimeoutMs: number;
  /** Open connections from one address; the next gets 503 and is closed. */
  connectionsPerAddress: number;
  /** Loopback is exempt from `connectionsPerAddress` (the CLI, tests, simulated fleets). */
  exemptLoopback: boolean;
}

/**
 * Defaults: git's dumb HTTP fetch uses at most 5 connections per clone (`http.maxRequests`), and
 * its requests are one short line each, so these never bind a node that behaves.
 */
export const HTTP_LIMITS: HttpLimits = {
  maxUrlBytes: 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  connectionsPerAddress: 32,
  exemptLoopback: true,
};

/**
 * Serves the bootstrap bare repository over git's dumb HTTP protocol (plain static files after
 * `git update-server-info`), so nodes clone from the controller and need no internet access.
 * Read-only, GET/HEAD only, and only the files git's dumb fetch asks for (repo-files.ts), each a
 * regular file inside the repository. `/healthz` always answers; `/metrics` only when `metrics`
 * is given. Every request and connection is bounded ({@link HTTP_LIMITS}).
 */
export async function startHttpServer(opts: {
  host: string;
  port: number;
  bareDir: string;
  metrics?: () => Promise<MetricsResponse>;
  limits?: Partial<HttpLimits>;
}): Promise<HttpServer> {
  const limits = { ...HTTP_LIMITS, ...opts.limits };
  const root = normalize(opts.bareDir);
  // Connections past the per-address bound: answered 503 and closed, never served.
  const overLimit = new WeakSet<Socket>();
  const server: Server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often those two are checked: Node's default (30 s) lets a stalled client run far over.
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4,
      ),
    },
    (req, res) => {
      void (async () => {
        if (overLimit.has(req.socket)) {
          res.writeHead(503, { connection: 'close', 'retry-after': '1' }).end();
          return;
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET, HEAD' }).end();
          return;
        }
        const target = req.url ?? '/';
        if (Buffer.byteLength(target) > limits.maxUrlBytes) {
          res.writeHead(414, { connection: 'close' }).end();
          return;
        }
        const pathname = target.split('?')[0] as string;
        if (pathname === '/healthz') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
          return;
        }
        if (pathname === '/metrics') {
          if (!opts.metrics) {
            res.writeHead(404).end();
            return;
          }
          const m = await opts.metrics();
          res.writeHead(200, {
            'content-type': m.contentType,
            'content-length': Buffer.byteLength(m.body),
            'cache-control': 'no-store',
          });
          res.end(req.method === 'HEAD' ? undefined : m.body);
          return;
        }
        const rel = repoFileFor(pathname, '/bootstrap.git/');
        const file = rel === null ? null : await openableRepoFile(root, rel);
        if (file === null) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.size });
        if (req.method === 'HEAD') res.end();
        else
          createReadStream(file.path)
            .on('error', () => res.destroy())
            .pipe(res);
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  );
  server.timeout = limits.idleTimeoutMs;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    if (limits.exemptLoopback && isLoopback(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.connectionsPerAddress) {
      overLimit.add(socket);
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}
