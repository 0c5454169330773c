import { describe, expect, it } from 'vitest';
import type { ServeHandle, ServeOptions } from '../../src/cli/context.js';
import { runCli } from '../support/cli-harness.js';

function recordingCore() {
  const started: ServeOptions[] = [];
  const startController = async (opts: ServeOptions): Promise<ServeHandle> => {
    started.push(opts);
    return { mqttUrl: 'mqtt://127.0.0.1:1', httpUrl: 'http://127.0.0.1:1', stop: async () => undefined };
  };
  return { started, deps: { startController } };
}

describe('osbuild serve: bounds on node input', () => {
  it('passes per-node rates, retention and quota to the controller', async () => {
    const core = recordingCore();
    const r = await runCli(
      [
        'serve',
        '--node-rate-limit',
        'events=50:10',
        '--node-rate-limit',
        'log-bytes=65536:4096.5',
        '--retain-events-days',
        '90',
        '--retain-commands-days',
        '0.5',
        '--node-log-quota-kib',
        '2048',
        '--node-event-quota-kib',
        '64',
        '--node-log-lines',
        '10000',
      ],
      { cwd: '/srv', deps: core.deps },
    );
    expect(r.code).toBe(0);
    expect(core.started[0]).toMatchObject({
      nodeRateLimits: {
        events: { burst: 50, perSecond: 10 },
        'log-bytes': { burst: 65536, perSecond: 4096.5 },
      },
      retention: { eventsDays: 90, commandsDays: 0.5 },
      nodeQuota: { logBytes: 2048 * 1024, eventBytes: 64 * 1024, logLines: 10_000 },
    });
    // Only what was given: the rest keeps the controller's defaults.
    expect(core.started[0]?.retention).not.toHaveProperty('logsDays');
  });

  it('refuses a malformed rate or an unknown kind with a usage error', async () => {
    for (const bad of ['events=50', 'claims=1:1', 'events=0:1', 'events=5:-1']) {
      const core = recordingCore();
      const r = await runCli(['serve', '--node-rate-limit', bad], { cwd: '/srv', deps: core.deps });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('KIND=BURST:PER_SECOND');
      expect(core.started).toEqual([]);
    }
    const r = await runCli(['serve', '--node-log-quota-kib', '1.5'], {
      cwd: '/srv',
      deps: recordingCore().deps,
    });
    expect(r.code).toBe(2);
  });
});
