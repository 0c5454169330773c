import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROTOCOL_VERSION, type RunStepCommand } from '@osbuild/shared';
import { makeGitRepo } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import { executors } from '../../src/steps/executors.js';
import { runScript } from '../../src/steps/run-script.js';
import { runStepCommand } from '../../src/steps/step-runner.js';
import { fixtureContext, step } from '../support/step-context.js';

/** Running, not a zombie: in containers PID 1 may never reap orphans, so kill(pid, 0) is not enough. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return false;
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

describe('run-script executor against a real git repo (fixture seam)', () => {
  it('streams output, passes args and env, and reuses the checkout', async () => {
    const repo = await makeGitRepo({
      'scripts/10-prereqs.sh':
        '#!/bin/bash\necho "args: $*"\necho "root=$OSBUILD_HOST_ROOT node=$OSBUILD_NODE_ID role=$ROLE"\necho oops >&2\n',
    });
    const { ctx, root, stateDir, output } = await fixtureContext('pi5-a');
    const s = step({
      kind: 'run-script',
      repo: repo.url,
      commit: repo.commit,
      script: 'scripts/10-prereqs.sh',
      args: ['a', 'b'],
      env: { ROLE: 'worker' },
    });
    expect(await runScript(s, ctx)).toEqual({ status: 'succeeded', changed: true, exitCode: 0 });
    const stdout = output
      .filter((o) => o.stream === 'stdout')
      .map((o) => o.text)
      .join('');
    expect(stdout).toContain('args: a b\n');
    expect(stdout).toContain(`root=${root} node=pi-10000000000000a1 role=worker`);
    expect(
      output
        .filter((o) => o.stream === 'stderr')
        .map((o) => o.text)
        .join(''),
    ).toBe('oops\n');
    expect(await readdir(path.join(stateDir, 'checkouts'))).toEqual([repo.commit]);
    expect(await readdir(path.join(stateDir, 'repos'))).toHaveLength(1);

    // A second run neither fetches nor checks out again: works even with the origin gone.
    const fromPath = step({
      kind: 'run-script',
      repo: '/nonexistent/repo',
      commit: repo.commit,
      script: 'scripts/10-prereqs.sh',
    });
    expect((await runScript(fromPath, ctx)).status).toBe('succeeded');
  });

  it('accepts a plain path as the repo', async () => {
    const repo = await makeGitRepo({ 'ok.sh': '#!/bin/bash\necho fine\n' });
    const { ctx } = await fixtureContext('pi5-c');
    expect(
      (
        await runScript(
          step({ kind: 'run-script', repo: repo.dir, commit: repo.commit, script: 'ok.sh' }),
          ctx,
        )
      ).status,
    ).toBe('succeeded');
  });

  it('fails clearly for a commit that is not in the repo', async () => {
    const repo = await makeGitRepo({ 'ok.sh': 'echo fine\n' });
    const { ctx } = await fixtureContext('pi5-c');
    const r = await runScript(
      step({ kind: 'run-script', repo: repo.url, commit: 'f'.repeat(40), script: 'ok.sh' }),
      ctx,
    );
    expect(r).toMatchObject({ status: 'failed', error: expect.stringMatching(/not in/) });
  });
});

describe('run-script through the step runner (fixture seam)', () => {
  const body = (s: RunStepCommand['step']): RunStepCommand => ({
    type: 'run-step',
    runId: 'run-1',
    index: 0,
    attempt: 1,
    step: s,
  });

  it('reports the exit code and the output tail (last 4 KiB) on failure', async () => {
    const repo = await makeGitRepo({
      'fail.sh': '#!/bin/bash\nfor i in $(seq 1 2000); do echo "line $i"; done\necho "the end" >&2\nexit 3\n',
    });
    const { ctx } = await fixtureContext('pi5-a');
    const { signal: _s, output: _o, ...base } = ctx;
    const streamed: string[] = [];
    const out = await runStepCommand(
      'cmd-fail-0001',
      body(step({ kind: 'run-script', repo: repo.url, commit: repo.commit, script: 'fail.sh' })),
      'start',
      base,
      executors,
      new AbortController().signal,
      (_st, t) => streamed.push(t),
    );
    expect(out.kind).toBe('result');
    if (out.kind !== 'result') return;
    expect(out.result).toMatchObject({
      v: PROTOCOL_VERSION,
      id: 'cmd-fail-0001',
      outcome: 'failed',
      exitCode: 3,
      error: 'fail.sh failed: exit code 3',
    });
    expect(Buffer.byteLength(out.result.outputTail)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(out.result.outputTail)).toBeGreaterThan(4000);
    expect(out.result.outputTail.endsWith('line 2000\nthe end\n')).toBe(true);
    expect(streamed.join('')).toContain('line 1\n');
  });

  // 3 s rather than 1: the timeout also covers the git checkout, which took most of a second on a
  // loaded 2-core machine, and the script never got to print "started".
  it('kills the whole process group on timeout and reports timed-out', async () => {
    const { ctx, stateDir } = await fixtureContext('pi5-a');
    const pidFile = path.join(stateDir, 'child.pid');
    const repo = await makeGitRepo({
      'hang.sh': `#!/bin/bash\nsleep 60 &\necho $! > "${pidFile}"\necho started\nwait\n`,
    });
    const { signal: _s, output: _o, ...base } = ctx;
    const t0 = Date.now();
    const out = await runStepCommand(
      'cmd-hang-0001',
      body(
        step({ kind: 'run-script', repo: repo.url, commit: repo.commit, script: 'hang.sh', timeoutSec: 3 }),
      ),
      'start',
      base,
      executors,
      new AbortController().signal,
      () => {},
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(out.kind === 'result' && out.result).toMatchObject({
      outcome: 'timed-out',
      error: 'step timed out after 3 s',
      outputTail: 'started\n',
    });
    const sleeper = Number((await readFile(pidFile, 'utf8')).trim());
    await new Promise((r) => setTimeout(r, 200));
    expect(await alive(sleeper)).toBe(false);
  });

  it('gives no result when the session ends mid-step (the next session resolves it)', async () => {
    const repo = await makeGitRepo({ 'slow.sh': '#!/bin/bash\nsleep 30\n' });
    const { ctx } = await fixtureContext('pi5-a');
    const { signal: _s, output: _o, ...base } = ctx;
    const session = new AbortController();
    setTimeout(() => session.abort(new Error('stop')), 300);
    const out = await runStepCommand(
      'cmd-stop-0001',
      body(step({ kind: 'run-script', repo: repo.url, commit: repo.commit, script: 'slow.sh' })),
      'start',
      base,
      executors,
      session.signal,
      () => {},
    );
    expect(out).toEqual({ kind: 'no-result', reason: 'session-ended' });
  });
});
