// The rollout loop against a small hand-written fake of the two rpc calls it makes: each node's
// command moves through states on each `show`, and the fake records the order of creation.
import type { CommandState, CommandView } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { type RolloutPlan, type RolloutRpc, rolloutExitCode, runRollout } from '../../src/cli/fleet/waves.js';
import { RpcCallError, RpcTimeoutError } from '../../src/rpc/client-errors.js';

function fakeRpc(final: Record<string, CommandState | 'refuse'>) {
  const log: string[] = [];
  let live = 0;
  let maxLive = 0;
  const views = new Map<string, { view: CommandView; polls: number }>();
  const view = (id: string, name: string, state: CommandState): CommandView => ({
    id,
    action: 'reboot',
    name,
    nodeId: `pi-${name}`,
    state,
    reason: state,
    idempotencyKey: null,
    script: null,
    args: [],
    force: false,
    createdBy: 'operator:test',
    createdAt: '2026-01-01T00:00:00Z',
    expiresAt: '2026-01-01T01:00:00Z',
    deadline: null,
    sentAt: null,
    ackedAt: null,
    finishedAt: null,
    bootIdBefore: null,
    bootIdAfter: null,
    deliveries: 1,
    exitCode: null,
    outputTail: '',
  });
  const rpc = {
    async call(method: string, params: { name?: string; id?: string }) {
      if (method === 'commands.create') {
        const name = params.name as string;
        if (final[name] === 'refuse') throw new RpcCallError('invalid-state', `${name} is pending`);
        log.push(`create ${name}`);
        live += 1;
        maxLive = Math.max(maxLive, live);
        const v = view(`cmd-${name}`, name, 'sent');
        views.set(v.id, { view: v, polls: 0 });
        return { command: v, created: true };
      }
      const entry = views.get(params.id as string);
      if (!entry) throw new Error('unknown id');
      entry.polls += 1;
      if (entry.polls >= 2) {
        const state = final[entry.view.name] as CommandState;
        if (entry.view.state !== state) {
          live -= 1;
          log.push(`done ${entry.view.name} ${state}`);
        }
        entry.view = { ...entry.view, state };
      }
      return entry.view;
    },
  } as unknown as RolloutRpc;
  return { rpc, log, maxLive: () => maxLive };
}

const io = { now: () => 0, sleep: async () => {}, progress: () => {}, refused: () => {} };
const plan = (names: string[], extra: Partial<RolloutPlan> = {}): RolloutPlan => ({
  action: 'reboot',
  names,
  maxInFlight: 1,
  continueOnError: false,
  pollMs: 0,
  ...extra,
});

describe('rollouts in waves', () => {
  it('runs at most --max-in-flight at once and all succeed: exit 0', async () => {
    const f = fakeRpc({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    const out = await runRollout(f.rpc, plan(['a', 'b', 'c', 'd'], { maxInFlight: 2 }), io);
    expect(out.map((o) => o.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(f.maxLive()).toBe(2);
    expect(rolloutExitCode(out)).toBe(0);
  });

  it('stops starting new nodes at the first failure (exit 8); --continue-on-error goes on', async () => {
    const f = fakeRpc({ a: 'succeeded', b: 'failed', c: 'succeeded' });
    const out = await runRollout(f.rpc, plan(['a', 'b', 'c']), io);
    expect(out.map((o) => o.status)).toEqual(['done', 'done', 'skipped']);
    expect(f.log).toEqual(['create a', 'done a succeeded', 'create b', 'done b failed']);
    expect(rolloutExitCode(out)).toBe(8);
    const g = fakeRpc({ a: 'succeeded', b: 'failed', c: 'succeeded' });
    const all = await runRollout(g.rpc, plan(['a', 'b', 'c'], { continueOnError: true }), io);
    expect(all.map((o) => o.status)).toEqual(['done', 'done', 'done']);
    expect(rolloutExitCode(all)).toBe(8);
  });

  it('exits 9 when commands time out or expire and none failed; 4 when only refusals', async () => {
    const f = fakeRpc({ a: 'succeeded', b: 'timed-out' });
    expect(rolloutExitCode(await runRollout(f.rpc, plan(['a', 'b'], { continueOnError: true }), io))).toBe(9);
    const g = fakeRpc({ a: 'expired' });
    expect(rolloutExitCode(await runRollout(g.rpc, plan(['a']), io))).toBe(9);
    const h = fakeRpc({ a: 'refuse', b: 'succeeded' });
    const out = await runRollout(h.rpc, plan(['a', 'b'], { continueOnError: true }), io);
    expect(out[0]).toMatchObject({ status: 'refused', message: 'a is pending' });
    expect(rolloutExitCode(out)).toBe(4);
  });

  it('rides out a slow answer while polling, but not a persistent one', async () => {
    const f = fakeRpc({ a: 'succeeded' });
    let failures = 1;
    const flaky = {
      async call(method: string, params: never) {
        if (method === 'commands.show' && failures-- > 0) throw new RpcTimeoutError('commands.show', 10_000);
        return (f.rpc.call as (m: string, p: never) => Promise<unknown>)(method, params);
      },
    } as unknown as RolloutRpc;
    const out = await runRollout(flaky, plan(['a']), io);
    expect(out[0]?.status).toBe('done');
    failures = 100;
    const g = fakeRpc({ a: 'succeeded' });
    const dead = {
      async call(method: string, params: never) {
        if (method === 'commands.show') throw new RpcTimeoutError('commands.show', 10_000);
        return (g.rpc.call as (m: string, p: never) => Promise<unknown>)(method, params);
      },
    } as unknown as RolloutRpc;
    await expect(runRollout(dead, plan(['a']), io)).rejects.toThrow(/did not answer commands.show/);
  });

  it('stops waiting at --wait and reports still-running (exit 9)', async () => {
    const f = fakeRpc({ a: 'succeeded' });
    let t = 0;
    const clock = {
      ...io,
      now: () => t,
      sleep: async () => {
        t += 1000;
      },
    };
    const out = await runRollout(f.rpc, plan(['a'], { waitMs: 500 }), clock);
    expect(out[0]?.status).toBe('still-running');
    expect(rolloutExitCode(out)).toBe(9);
  });
});
