// Pure delivery decisions: what is prepared before a command reaches its node and which way it goes.
import { describe, expect, it } from 'vitest';
import {
  deliveryRoute,
  needsDrain,
  needsPreparation,
  needsRootReset,
  powerCycleApplies,
  readyToSend,
  resetsThroughAgent,
} from '../../src/operator-commands/delivery-decisions.js';

const ready = { phase: 'ready', boot_source: 'nvme' } as const;
const provisioned = { phase: 'provisioned', boot_source: 'nvme' } as const;
const netboot = { phase: 'provisioned', boot_source: 'netboot' } as const;

describe('what must happen before delivery', () => {
  it('drains a joined node before a reboot or reprovision, never before a run', () => {
    expect(needsDrain({ action: 'reboot' }, ready)).toBe(true);
    expect(needsDrain({ action: 'reprovision' }, { phase: 'joined' })).toBe(true);
    expect(needsDrain({ action: 'run' }, ready)).toBe(false);
    expect(needsDrain({ action: 'reboot' }, provisioned)).toBe(false);
  });

  it('resets the root of a netboot node being reprovisioned, and nothing else', () => {
    expect(needsRootReset({ action: 'reprovision' }, netboot)).toBe(true);
    expect(needsRootReset({ action: 'reboot' }, netboot)).toBe(false);
    expect(needsRootReset({ action: 'reprovision' }, provisioned)).toBe(false);
  });

  it('needs preparation when either applies', () => {
    expect(needsPreparation({ action: 'reboot' }, provisioned)).toBe(false);
    expect(needsPreparation({ action: 'reboot' }, ready)).toBe(true);
    expect(needsPreparation({ action: 'reprovision' }, netboot)).toBe(true);
    expect(needsPreparation({ action: 'run' }, { phase: 'ready', boot_source: 'netboot' })).toBe(false);
  });
});

describe('which way a command goes', () => {
  it('goes to the agent of an online node', () => {
    expect(deliveryRoute({ action: 'run' }, { online: true, boot_source: 'nvme' }, true)).toBe('agent');
  });

  it('power-cycles an offline node with a hook for a reboot or a netboot reprovision', () => {
    expect(deliveryRoute({ action: 'reboot' }, { online: false, boot_source: 'nvme' }, true)).toBe(
      'power-hook',
    );
    expect(deliveryRoute({ action: 'reprovision' }, { online: false, boot_source: 'netboot' }, true)).toBe(
      'power-hook',
    );
    expect(powerCycleApplies({ action: 'reprovision' }, { boot_source: 'nvme' })).toBe(false);
  });

  it('waits without a hook, or when a hook cannot help (an NVMe reset needs its agent, a run too)', () => {
    expect(deliveryRoute({ action: 'reboot' }, { online: false, boot_source: 'nvme' }, false)).toBe('wait');
    expect(deliveryRoute({ action: 'reprovision' }, { online: false, boot_source: 'nvme' }, true)).toBe(
      'wait',
    );
    expect(deliveryRoute({ action: 'run' }, { online: false, boot_source: 'netboot' }, true)).toBe('wait');
  });

  it('sends a queued or just-prepared command to an online node, never a power-cycled one', () => {
    expect(readyToSend({ state: 'queued' }, { online: true })).toBe(true);
    expect(readyToSend({ state: 'draining' }, { online: true })).toBe(true);
    expect(readyToSend({ state: 'resetting' }, { online: true })).toBe(true);
    expect(readyToSend({ state: 'power-cycling' }, { online: true })).toBe(false);
    expect(readyToSend({ state: 'sent' }, { online: true })).toBe(false);
    expect(readyToSend({ state: 'queued' }, { online: false })).toBe(false);
  });

  it('resets through the agent (reset-node, node reprovisioning) only off netboot', () => {
    expect(resetsThroughAgent({ action: 'reprovision' }, { boot_source: 'nvme' })).toBe(true);
    expect(resetsThroughAgent({ action: 'reprovision' }, { boot_source: 'netboot' })).toBe(false);
    expect(resetsThroughAgent({ action: 'reboot' }, { boot_source: 'nvme' })).toBe(false);
  });
});
