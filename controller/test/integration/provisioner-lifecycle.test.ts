import { describe, expect, it } from 'vitest';
import { toWhy } from '../../src/rpc/node-views.js';
import { helloFrom, provisionerHarness } from '../support/provisioner-harness.js';

const inventory = {
  defaults: { stepRetries: 1 },
  nodes: [
    { mac: 'dc:a6:32:00:00:0a', hostname: 'cp-01', role: 'control-plane', ip: '10.0.10.10' },
    { serial: '10000000000000a3', hostname: 'w-02', role: 'worker' },
  ],
};
const known = helloFrom({ serial: '10000000000000a1', mac: 'dc:a6:32:00:00:0a' });

describe('provisioner on a real SQLite store', () => {
  it('takes a matched node from hello to provisioned, one step at a time', () => {
    const h = provisionerHarness({ inventory });
    h.login(known);
    const kinds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const cmd = h.lastCommand();
      if (cmd.body.type !== 'run-step') throw new Error('unexpected command');
      kinds.push(cmd.body.step.kind);
      const before = h.sent.length;
      h.provisioner.onResult(known.identity.nodeId, h.result(cmd, 'succeeded'));
      if (h.sent.length === before) break;
    }
    expect(kinds).toEqual(['set-hostname', 'configure-network', 'run-script', 'mark-provisioned']);
    expect(h.store.nodes.get(known.identity.nodeId)).toMatchObject({
      phase: 'provisioned',
      hostname: 'cp-01',
      role: 'control-plane',
    });
  });

  it('re-sends the same command id when a node says hello again mid-step', () => {
    const h = provisionerHarness({ inventory });
    h.login(known);
    const first = h.lastCommand();
    h.provisioner.onHello(known);
    expect(h.sent).toHaveLength(2);
    expect(h.lastCommand()).toEqual(first);
  });

  it('resumes from the database after the controller is gone (new process, same file)', () => {
    const a = provisionerHarness({ inventory });
    a.login(known);
    a.provisioner.onResult(known.identity.nodeId, a.result(a.lastCommand(), 'succeeded'));
    const inFlight = a.lastCommand();
    a.store.close();

    const b = provisionerHarness({ inventory, dir: a.dir, clock: a.clock });
    b.provisioner.onHello(known);
    expect(b.lastCommand().id).toBe(inFlight.id);
    b.provisioner.onResult(known.identity.nodeId, b.result(inFlight, 'succeeded'));
    expect(b.lastCommand().body).toMatchObject({ index: 2, step: { kind: 'run-script' } });
  });

  it('retries a failed step with a new command id after backoff, then fails the node with the reason', () => {
    const h = provisionerHarness({ inventory });
    h.login(known);
    const first = h.lastCommand();
    h.provisioner.onResult(
      known.identity.nodeId,
      h.result(first, 'failed', { exitCode: 7, outputTail: 'boom\n' }),
    );
    expect(h.sent).toHaveLength(1);
    h.provisioner.checkDeadlines();
    expect(h.sent).toHaveLength(1); // backoff not over yet
    h.clock.advance(1_000);
    h.provisioner.checkDeadlines();
    const second = h.lastCommand();
    expect(second.id).not.toBe(first.id);
    expect(second.body).toMatchObject({ index: 0, attempt: 2 });
    h.provisioner.onResult(
      known.identity.nodeId,
      h.result(second, 'failed', { exitCode: 7, outputTail: 'boom again\n' }),
    );
    const node = h.store.nodes.get(known.identity.nodeId)!;
    expect(node.phase).toBe('failed');
    expect(node.reason).toBe('step 0 (set-hostname cp-01) failed with exit code 7 after 2 attempts');
    const why = toWhy(h.store, node);
    expect(why.failedStep).toMatchObject({ index: 0, exitCode: 7, outputTail: 'boom again\n', attempt: 2 });
    expect(why.waitingFor).toMatch(/operator/);
  });

  it('lets an operator retry a failed node from its failed step, or provision a node again from the start', () => {
    const h = provisionerHarness({ inventory });
    const id = known.identity.nodeId;
    h.login(known);
    h.provisioner.onResult(id, h.result(h.lastCommand(), 'succeeded'));
    h.provisioner.onResult(id, h.result(h.lastCommand(), 'failed'));
    h.clock.advance(1_000);
    h.provisioner.checkDeadlines();
    h.provisioner.onResult(id, h.result(h.lastCommand(), 'failed'));
    expect(h.store.nodes.get(id)!.phase).toBe('failed');
    expect(() => h.provisioner.retry('cp-01', true)).not.toThrow();
    expect(h.store.nodes.get(id)!.phase).toBe('provisioning');
    const fresh = h.lastCommand();
    expect(fresh.body).toMatchObject({ index: 0, attempt: 1 });
    expect(fresh.body.type === 'run-step' && fresh.body.runId).not.toBe(
      h.sent[0]!.cmd.body.type === 'run-step' && h.sent[0]!.cmd.body.runId,
    );

    // Fail the new run at step 1, then resume just that step.
    h.provisioner.onResult(id, h.result(fresh, 'succeeded'));
    h.provisioner.onResult(id, h.result(h.lastCommand(), 'failed'));
    h.clock.advance(1_000);
    h.provisioner.checkDeadlines();
    h.provisioner.onResult(id, h.result(h.lastCommand(), 'failed'));
    expect(() => h.provisioner.retry('cp-01', false)).not.toThrow();
    expect(h.lastCommand().body).toMatchObject({ index: 1, attempt: 3 });
    expect(h.store.nodes.get(id)!.reason).toBe('step 1 (configure-network) attempt 3');
    expect(() => h.provisioner.retry('cp-01', false)).toThrow(/not failed/);
    expect(() => h.provisioner.retry('nobody', false)).toThrow(/no node named nobody/);
  });

  it('times a step out when no result arrives before its deadline', () => {
    const h = provisionerHarness({ inventory });
    h.login(known);
    const first = h.lastCommand();
    h.clock.advance(30_000 + 5_000 + 1); // set-hostname timeout + grace
    h.provisioner.checkDeadlines();
    const step = h.store.runs.stepByCmdId(first.id)!;
    expect(step).toMatchObject({ state: 'pending', error: 'no result from the node before the deadline' });
    // A late result for the abandoned attempt is ignored.
    h.provisioner.onResult(known.identity.nodeId, h.result(first, 'succeeded'));
    expect(h.store.runs.stepByCmdId(first.id)!.state).toBe('pending');
  });

  it('recognises a provisioned node that reboots and does not provision it again', () => {
    const h = provisionerHarness({ inventory });
    h.login(known);
    for (let i = 0; i < 4; i++)
      h.provisioner.onResult(known.identity.nodeId, h.result(h.lastCommand(), 'succeeded'));
    expect(h.store.nodes.get(known.identity.nodeId)!.phase).toBe('provisioned');
    const sent = h.sent.length;
    h.provisioner.onHello(
      helloFrom({ serial: '10000000000000a1', mac: 'dc:a6:32:00:00:0a', bootId: 'boot-2' }),
    );
    expect(h.sent).toHaveLength(sent);
    expect(h.store.nodes.get(known.identity.nodeId)).toMatchObject({
      phase: 'provisioned',
      boot_id: 'boot-2',
    });
    expect(h.store.events.forNode(known.identity.nodeId).map((e) => e.type)).toContain('rebooted');
  });

  it('keeps unknown nodes pending until approved, and matches them when the inventory learns them', () => {
    const h = provisionerHarness({ inventory });
    const stranger = helloFrom({ serial: '10000000000000ff', mac: 'dc:a6:32:00:00:99' });
    h.login(stranger);
    expect(h.store.nodes.get(stranger.identity.nodeId)).toMatchObject({ phase: 'pending' });
    expect(h.store.nodes.get(stranger.identity.nodeId)!.reason).toMatch(/^unknown: /);
    expect(h.sent).toHaveLength(0);

    expect(() => h.provisioner.approve(stranger.identity.nodeId, 'extra-01', undefined)).toThrow(/--role/);
    expect(() => h.provisioner.approve('pi-nonexistent', 'w-02', undefined)).toThrow(/no node/);
    const approved = h.provisioner.approve(stranger.identity.nodeId, 'extra-01', 'worker');
    expect(approved).toMatchObject({ phase: 'matched', hostname: 'extra-01', role: 'worker' });
    expect(h.welcomes.at(-1)).toMatchObject({
      nodeId: stranger.identity.nodeId,
      welcome: { outcome: 'credential' },
    });
    h.useCredential(stranger);
    expect(h.store.nodes.get(stranger.identity.nodeId)!.phase).toBe('provisioning');
    expect(h.sent).toHaveLength(1);
    expect(() => h.provisioner.approve(stranger.identity.nodeId, 'extra-01', 'worker')).toThrow(
      /only pending/,
    );

    const late = helloFrom({ serial: '10000000000000ee', mac: 'dc:a6:32:00:00:ee' });
    h.login(late);
    expect(h.store.nodes.get(late.identity.nodeId)!.phase).toBe('pending');
    h.setInventory({
      ...inventory,
      nodes: [...inventory.nodes, { mac: 'dc:a6:32:00:00:ee', hostname: 'w-03', role: 'worker' }],
    });
    h.provisioner.rematchUnsettled();
    expect(h.store.nodes.get(late.identity.nodeId)).toMatchObject({ phase: 'matched', hostname: 'w-03' });
    h.useCredential(late);
    expect(h.store.nodes.get(late.identity.nodeId)).toMatchObject({
      phase: 'provisioning',
      hostname: 'w-03',
    });
  });

  it('puts a board whose MAC and serial disagree in pending, and a second claimant of a host in conflict', () => {
    const h = provisionerHarness({ inventory });
    const mixed = helloFrom({ serial: '10000000000000a3', mac: 'dc:a6:32:00:00:0a' });
    h.login(mixed);
    expect(h.store.nodes.get(mixed.identity.nodeId)!.reason).toMatch(/^identity-mismatch: /);

    h.login(known);
    const twin = helloFrom({ serial: '10000000000000b9', mac: 'dc:a6:32:00:00:0a' });
    h.login(twin);
    expect(h.store.nodes.get(twin.identity.nodeId)!.reason).toBe(
      `conflict: cp-01 is already held by node ${known.identity.nodeId}`,
    );
  });

  it('ignores results for commands it never sent or that belong to another node', () => {
    const h = provisionerHarness({ inventory });
    h.login(known);
    const cmd = h.lastCommand();
    h.provisioner.onResult('pi-someoneelse1', h.result(cmd, 'succeeded'));
    h.provisioner.onResult(known.identity.nodeId, h.result({ ...cmd, id: 'never-sent-1' }, 'succeeded'));
    expect(h.store.runs.stepByCmdId(cmd.id)!.state).toBe('running');
    expect(h.store.events.forNode('pi-someoneelse1').map((e) => e.type)).toEqual(['result-ignored']);
  });
});
