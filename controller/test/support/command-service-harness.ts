// A CommandService on a real SQLite file with hand-written ports (tinkerbell-style fakes): what
// it sends is recorded, a "restart" is a new service over the same file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Hello } from '@osbuild/shared';
import pino from 'pino';
import { NodePhases } from '../../src/lifecycle/node-phase.js';
import type { CommandContext } from '../../src/operator-commands/command-context.js';
import { CommandService } from '../../src/operator-commands/command-service.js';
import type { Disruption } from '../../src/operator-commands/ports.js';
import { openStore, type Store } from '../../src/store/store.js';
import type { ManualClock } from './provisioner-harness.js';

/** The board of the tests: w-01 on NVMe. */
export const NODE_ID = 'pi-10000000000000a2';

/** A hello of w-01 with the given boot id. */
export function helloOf(bootId: string): Hello {
  return {
    v: 1,
    seq: 1,
    bootSeq: 1,
    at: '2026-11-25T12:00:00.000Z',
    identity: {
      nodeId: NODE_ID,
      serial: '10000000000000a2',
      nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:0b' }],
      model: 'Raspberry Pi 5 Model B Rev 1.0',
      hostname: 'raspberrypi',
      bootId,
      bootSource: 'nvme',
      agentVersion: '0.0.0-test',
      imageVersion: null,
    },
    provisioned: null,
  };
}

/** A store file holding w-01, enrolled, online and in `phase`. */
export function storeWithNode(phase: 'ready' | 'provisioned', clock: ManualClock) {
  const file = join(mkdtempSync(join(tmpdir(), 'osbuild-cmds-')), 'osbuild.db');
  const store = openStore(file);
  const now = clock.now().toISOString();
  store.nodes.recordHello(helloOf('boot-1'), now);
  store.nodes.bind(NODE_ID, { hostname: 'w-01', role: 'worker', ip: null });
  store.nodes.setCredential(NODE_ID, 'hash', now);
  store.nodes.setPhase(NODE_ID, phase, 'test', now);
  return { file, store };
}

type AuditPort = CommandContext['audit'];

/** A command service over `store` whose messages land in `sent` (and audit entries in `audit`). */
export function commandService(
  store: Store,
  clock: ManualClock,
  opts: { disruption?: Disruption; sent?: Command[]; audit?: AuditPort } = {},
): CommandService {
  const logger = pino({ level: 'silent' });
  let ids = 0;
  return new CommandService({
    store,
    clock,
    logger,
    phases: new NodePhases({ records: store, clock, logger }),
    provisioning: {
      forget: () => {
        throw new Error('no reprovision in these tests');
      },
      advance: () => [],
      send: () => {},
    },
    send: (_nodeId, cmd) => opts.sent?.push(cmd),
    bootstrap: () => null,
    inventory: () => {
      throw new Error('no inventory in these tests');
    },
    newId: () => `test-${++ids}-${Math.random().toString(36).slice(2, 8)}`,
    ...(opts.disruption ? { disruption: opts.disruption } : {}),
    audit: opts.audit ?? (() => {}),
  });
}

/** Let pending promise callbacks (a drain that resolved) run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

export { openStore };
