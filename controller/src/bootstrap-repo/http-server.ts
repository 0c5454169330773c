import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, normalize, sep } from 'node:path';

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

/**
 * Serves the bootstrap bare repository over git's dumb HTTP protocol (plain static files after
 * `git update-server-info`), so nodes clone from the controller and need no internet access.
 * Read-only, GET/HEAD only, confined to the repository directory. `/healthz` always answers;
 * `/metrics` only when `metrics` is given.
 */
export async function startHttpServer(opts: {
  host: string;
  port: number;
  bareDir: string;
  metrics?: () => Promise<MetricsResponse>;
}): Promise<HttpServer> {
  const root = normalize(opts.bareDir);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (url.pathname === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      if (url.pathname === '/metrics') {
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
      const prefix = '/bootstrap.git/';
      const rel = url.pathname.startsWith(prefix)
        ? decodeURIComponent(url.pathname.slice(prefix.length))
        : null;
      const file = rel === null ? null : normalize(join(root, rel));
      // The index file is the controller's staging area, not part of the repository.
      if (!file?.startsWith(root + sep) || file.endsWith('osbuild-snapshot.index')) {
        res.writeHead(404).end();
        return;
      }
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
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
