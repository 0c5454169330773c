// A controller restart while a command is `draining`: the drain ran in the old process, which is
// gone, so the new one must not leave the command stuck. It queues it again and delivery drains
// again, then sends it (as when a drain was `queued` with reason `draining`). Real SQLite file;
// the restart is a new CommandService over the same file.
import type { Command } from '@osbuild/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import {
  commandService,
  helloOf,
  NODE_ID,
  openStore,
  settle,
  storeWithNode,
} from '../support/command-service-harness.js';
import { ManualClock } from '../support/provisioner-harness.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A node's drain that never finishes: the process is "killed" while it runs. */
const hangingDrain = { beforeDisruption: () => new Promise<void>(() => {}) };

/** Create a reboot of joined w-01 in a first process and "restart": reopen the file. */
function drainingThenRestart(clock: ManualClock, params: { ttlSec?: number } = {}) {
  const { file, store } = storeWithNode('ready', clock);
  const first = commandService(store, clock, { disruption: hangingDrain });
  const { command } = first.create({ action: 'reboot', name: 'w-01', ...params }, 'operator:test');
  store.close();
  const reopened = openStore(file);
  stores.push(reopened);
  return { id: command.id, state: command.state, store: reopened };
}

describe('a controller restart while a command is draining', () => {
  it('drains again on the next sweep, then sends the command', async () => {
    const clock = new ManualClock();
    const { id, state, store } = drainingThenRestart(clock);
    expect(state).toBe('draining');

    const drained: string[] = [];
    const sent: Command[] = [];
    const second = commandService(store, clock, {
      sent,
      disruption: { beforeDisruption: async (node) => void drained.push(node.hostname ?? node.node_id) },
    });
    expect(second.get(id).state).toBe('draining');
    second.sweep();
    await settle();

    expect(drained).toEqual(['w-01']);
    const view = second.get(id);
    expect(view.state).toBe('sent');
    expect(view.deliveries).toBe(1);
    expect(sent.map((c) => [c.id, c.body.type])).toEqual([[id, 'reboot']]);
    const trail = store.events
      .list({ nodeId: NODE_ID, afterId: 0, limit: 100 })
      .map((e) => e.type)
      .filter((t) => t.startsWith('command-'));
    expect(trail).toEqual(['command-created', 'command-sent']);
  });

  it('drains again on the node’s next hello, before any sweep', async () => {
    const clock = new ManualClock();
    const { id, store } = drainingThenRestart(clock);
    const sent: Command[] = [];
    let drains = 0;
    const second = commandService(store, clock, {
      sent,
      disruption: { beforeDisruption: async () => void drains++ },
    });
    second.onHello(helloOf('boot-1'));
    await settle();
    expect(drains).toBe(1);
    expect(second.get(id).state).toBe('sent');
    expect(sent).toHaveLength(1);
  });

  it('waits queued while the node is offline, and expires at its TTL like any queued command', async () => {
    const clock = new ManualClock();
    const { id, store } = drainingThenRestart(clock, { ttlSec: 60 });
    store.nodes.setOnline(NODE_ID, false, clock.now().toISOString());
    const second = commandService(store, clock, { disruption: hangingDrain });
    second.sweep();
    await settle();
    expect(second.get(id)).toMatchObject({
      state: 'queued',
      reason: 'interrupted while draining; it is prepared and delivered again when w-01 is online',
    });
    clock.advance(61_000);
    second.sweep();
    expect(second.get(id)).toMatchObject({
      state: 'expired',
      reason: "w-01 stayed offline for the command's whole TTL (60 s); it was never delivered",
    });
  });

  it('does not touch a drain that is still running in this process', async () => {
    const clock = new ManualClock();
    const { store } = storeWithNode('ready', clock);
    stores.push(store);
    let release = () => {};
    const service = commandService(store, clock, {
      disruption: { beforeDisruption: () => new Promise<void>((resolve) => (release = resolve)) },
    });
    const { command } = service.create({ action: 'reboot', name: 'w-01', ttlSec: 1 }, 'operator:test');
    clock.advance(5_000);
    service.sweep();
    service.onHello(helloOf('boot-1'));
    expect(service.get(command.id).state).toBe('draining');
    release();
    await settle();
    expect(service.get(command.id).state).toBe('sent');
  });
});
