import { InternalError, UserError } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import type { ServeHandle, ServeOptions } from '../../src/cli/context.js';
import { runCli } from '../support/cli-harness.js';

/** A controller core that records how it was started and stopped. */
function fakeCore(fail?: Error) {
  const calls: { started: Omit<ServeOptions, 'logger'>[]; stopped: number } = { started: [], stopped: 0 };
  const startController = async (opts: ServeOptions): Promise<ServeHandle> => {
    const { logger, ...rest } = opts;
    logger.info('core starting');
    calls.started.push(rest);
    if (fail) throw fail;
    return {
      mqttUrl: 'mqtt://127.0.0.1:41883',
      httpUrl: 'http://127.0.0.1:48080',
      stop: async () => {
        calls.stopped++;
      },
    };
  };
  return { calls, deps: { startController } };
}

describe('osbuild serve', () => {
  it('uses the documented defaults, resolved against cwd, and stops on shutdown', async () => {
    const core = fakeCore();
    const r = await runCli(['serve'], { cwd: '/srv/cluster', deps: core.deps });
    expect(r.code).toBe(0);
    expect(core.calls.started).toEqual([
      {
        inventoryPath: '/srv/cluster/bootstrap/config/nodes.yaml',
        dataDir: '/srv/cluster/.osbuild',
        listen: 'mqtts://127.0.0.1:8883',
        httpListen: 'http://127.0.0.1:8080',
        bootstrapDir: '/srv/cluster/bootstrap',
      },
    ]);
    expect(core.calls.stopped).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('takes the environment, and flags over the environment', async () => {
    const env = {
      OSBUILD_INVENTORY: '/etc/osbuild/nodes.yaml',
      OSBUILD_DATA_DIR: '/var/lib/osbuild',
      OSBUILD_LISTEN: 'mqtt://0.0.0.0:1883',
      OSBUILD_HTTP_LISTEN: 'http://0.0.0.0:80',
      OSBUILD_BOOTSTRAP_DIR: '/etc/osbuild/bootstrap',
    };
    const fromEnv = fakeCore();
    await runCli(['serve'], { env, deps: fromEnv.deps });
    expect(fromEnv.calls.started[0]).toEqual({
      inventoryPath: '/etc/osbuild/nodes.yaml',
      dataDir: '/var/lib/osbuild',
      listen: 'mqtt://0.0.0.0:1883',
      httpListen: 'http://0.0.0.0:80',
      bootstrapDir: '/etc/osbuild/bootstrap',
    });
    const fromFlags = fakeCore();
    const args = ['serve', '--inventory', 'inv.yaml', '--data-dir', 'd', '--listen', 'mqtt://127.0.0.1:0'];
    args.push('--http-listen', 'http://127.0.0.1:0', '--public-http-url', 'http://10.0.10.2:8080');
    args.push('--bootstrap-dir', 'b', '--log-level', 'debug');
    await runCli(args, { env, cwd: '/w', deps: fromFlags.deps });
    expect(fromFlags.calls.started[0]).toEqual({
      inventoryPath: '/w/inv.yaml',
      dataDir: '/w/d',
      listen: 'mqtt://127.0.0.1:0',
      httpListen: 'http://127.0.0.1:0',
      publicHttpUrl: 'http://10.0.10.2:8080',
      bootstrapDir: '/w/b',
    });
  });

  it('logs pino JSON lines on stderr', async () => {
    const r = await runCli(['serve'], { deps: fakeCore().deps });
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; mqttUrl?: string });
    expect(lines.map((l) => l.msg)).toEqual(['core starting', 'controller started', 'stopping', 'stopped']);
    expect(lines[1]?.mqttUrl).toBe('mqtt://127.0.0.1:41883');
  });

  it('exits 6 when the core refuses the inventory', async () => {
    const core = fakeCore(new UserError('inventory-invalid', 'nodes.yaml:3:9: nodes[0].role: bad role'));
    const r = await runCli(['serve', '--log-level', 'silent'], { deps: core.deps });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe('osbuild: invalid inventory: nodes.yaml:3:9: nodes[0].role: bad role\n');
  });

  it('exits non-zero with one line for other startup failures', async () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:1883'), {
      code: 'EADDRINUSE',
    });
    const r = await runCli(['serve', '--log-level', 'silent'], { deps: fakeCore(inUse).deps });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'osbuild: cannot start the controller: listen EADDRINUSE: address already in use 127.0.0.1:1883\n',
    );
    const bug = await runCli(['serve', '--log-level', 'silent'], {
      deps: fakeCore(new InternalError('x', 'oops')).deps,
    });
    expect(bug.code).toBe(1);
  });

  it('refuses an invalid OSBUILD_LISTEN as a usage error', async () => {
    const r = await runCli(['serve'], { env: { OSBUILD_LISTEN: 'tcp://x' }, deps: fakeCore().deps });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid --listen "tcp:\/\/x"/);
  });
});
