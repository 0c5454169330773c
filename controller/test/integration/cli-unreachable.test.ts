import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { runBin, runCli } from '../support/cli-harness.js';

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A TCP server that accepts and never speaks MQTT: the CONNACK never comes. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: net.Socket[] = [];
  const srv = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

describe('an unreachable controller', () => {
  it('refused connection: exit 5 with one line naming the URL', async () => {
    const url = `mqtt://127.0.0.1:${await closedPort()}`;
    const r = await runCli(['nodes', 'ls', '--controller', url]);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(
      `osbuild: cannot reach the controller at ${url}: connect ECONNREFUSED ${url.slice(7)}\n`,
    );
    expect(r.stdout).toBe('');
  });

  it('no CONNACK within --timeout: exit 5', async () => {
    const silent = await silentServer();
    try {
      const r = await runCli(['status', '--controller', silent.url, '--timeout', '0.5']);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(new RegExp(`^osbuild: cannot reach the controller at ${silent.url}: .*\\n$`));
    } finally {
      await silent.close();
    }
  });

  it('the real bin exits 5 too', async () => {
    const url = `mqtt://127.0.0.1:${await closedPort()}`;
    const r = await runBin(['nodes', 'ls', '-o', 'json'], { env: { OSBUILD_CONTROLLER: url } });
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(url);
  });
});
