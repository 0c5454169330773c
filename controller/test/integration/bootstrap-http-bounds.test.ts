// The bootstrap HTTP listener hands out only the files git's dumb fetch asks for, never a symlink
// out of the repository, and bounds every request and connection (real server, real sockets).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotDirectory } from '../../src/bootstrap-repo/bootstrap-repo.js';
import { type HttpLimits, type HttpServer, startHttpServer } from '../../src/bootstrap-repo/http-server.js';
import { exec } from '../../src/host/exec.js';

const run = promisify(execFile);
const servers: HttpServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

const KEY = '-----BEGIN PRIVATE KEY----- not-for-nodes\n';

/** A data dir with a CA key beside a real snapshot in `bootstrap.git`, served over HTTP. */
async function servedDataDir(limits: Partial<HttpLimits> = {}) {
  const src = await mkdtemp(join(tmpdir(), 'osbuild-bootstrap-'));
  await writeFile(join(src, 'setup.sh'), 'echo hi\n');
  const dataDir = await mkdtemp(join(tmpdir(), 'osbuild-data-'));
  await mkdir(join(dataDir, 'tls'));
  await writeFile(join(dataDir, 'tls/ca.key'), KEY);
  const bare = join(dataDir, 'bootstrap.git');
  await snapshotDirectory(exec, src, bare);
  const commit = (await run('git', ['--git-dir', bare, 'rev-parse', 'refs/heads/main'])).stdout.trim();
  const http = await startHttpServer({ host: '127.0.0.1', port: 0, bareDir: bare, limits });
  servers.push(http);
  return { http, bare, commit };
}

/** One raw HTTP/1.1 exchange on a new connection: the status line (or '' if closed first). */
async function rawStatus(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  sockets.push(socket);
  socket.write(request);
  let data = '';
  for await (const chunk of socket) data += String(chunk);
  return data.split('\r\n')[0] ?? '';
}

describe('bootstrap HTTP listener (real server, real git, real sockets)', () => {
  it('serves only the git files a dumb clone needs; a clone still works', async () => {
    const { http, bare, commit } = await servedDataDir();
    const clone = join(await mkdtemp(join(tmpdir(), 'osbuild-clone-')), 'c');
    await run('git', ['clone', '--quiet', `${http.url}/bootstrap.git`, clone]);
    expect((await run('git', ['-C', clone, 'rev-parse', 'HEAD'])).stdout.trim()).toBe(commit);

    const status = async (path: string) => (await fetch(`${http.url}${path}`)).status;
    expect(await status('/bootstrap.git/HEAD')).toBe(200);
    expect(await status('/bootstrap.git/info/refs')).toBe(200);
    const loose = `/bootstrap.git/objects/${commit.slice(0, 2)}/${commit.slice(2)}`;
    expect(await status(loose)).toBe(200);
    // Parts of the repository no client needs: its config, hooks, description, the staging index.
    for (const path of ['config', 'description', 'hooks/pre-commit.sample', 'osbuild-snapshot.index']) {
      expect([path, await status(`/bootstrap.git/${path}`)]).toEqual([path, 404]);
    }
    await writeFile(join(bare, 'objects/info/packs'), '\n'); // what update-server-info writes
    expect(await status('/bootstrap.git/objects/info/packs')).toBe(200);
  });

  it('never follows a symlink in the repository to a private file', async () => {
    const { http, bare } = await servedDataDir();
    await symlink('../tls/ca.key', join(bare, 'leak'));
    const fakeObject = join(bare, 'objects', 'ab');
    await mkdir(fakeObject, { recursive: true });
    await symlink('../../../tls/ca.key', join(fakeObject, 'c'.repeat(38)));
    for (const path of ['/bootstrap.git/leak', `/bootstrap.git/objects/ab/${'c'.repeat(38)}`]) {
      const res = await fetch(`${http.url}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.text()).not.toContain('PRIVATE KEY');
    }
  });

  it('answers traversal, encoded slashes and bad escapes with 404, never 500', async () => {
    const { http } = await servedDataDir();
    for (const path of [
      '/bootstrap.git/../tls/ca.key',
      '/bootstrap.git/%2e%2e/tls/ca.key',
      '/bootstrap.git/..%2ftls%2fca.key',
      '/bootstrap.git/objects%2finfo%2fpacks',
      '/bootstrap.git/%E0%A4%A',
      '/bootstrap.git//HEAD',
    ]) {
      const line = await rawStatus(http.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect([path, line]).toEqual([path, 'HTTP/1.1 404 Not Found']);
    }
  });

  it('bounds request targets (414), methods (405), headers (431) and slow headers (408)', async () => {
    const { http } = await servedDataDir({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const long = `/bootstrap.git/${'a'.repeat(1100)}`;
    expect((await fetch(`${http.url}${long}`)).status).toBe(414);
    expect((await fetch(`${http.url}/bootstrap.git/HEAD`, { method: 'PUT', body: 'x' })).status).toBe(405);
    const huge = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`;
    expect(await rawStatus(http.url, huge)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    // Headers never finished: the server gives up instead of holding the connection.
    const started = Date.now();
    expect(await rawStatus(http.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n')).toBe(
      'HTTP/1.1 408 Request Timeout',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers connections past the per-address bound with 503', async () => {
    const { http } = await servedDataDir({ connectionsPerAddress: 2, exemptLoopback: false });
    const { port } = new URL(http.url);
    const held = [net.connect(Number(port), '127.0.0.1'), net.connect(Number(port), '127.0.0.1')];
    sockets.push(...held);
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))));
    expect(await rawStatus(http.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(
      'HTTP/1.1 503 Service Unavailable',
    );
    // Once they close, the address has its slots back (the server sees the close a moment later).
    for (const s of held) s.destroy();
    const ok = async () =>
      (await rawStatus(http.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')) ===
      'HTTP/1.1 200 OK';
    let served = false;
    for (let i = 0; i < 50 && !served; i++) served = await ok();
    expect(served).toBe(true);
  });
});
