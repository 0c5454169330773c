import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Command,
  type CommandResult,
  type Hello,
  type Inventory,
  inventorySchema,
  PROTOCOL_VERSION,
  type Welcome,
} from '@osbuild/shared';
import pino from 'pino';
import { NodePhases } from '../../src/lifecycle/node-phase.js';
import { Provisioner } from '../../src/provisioning/provisioner.js';
import { openStore, type Store } from '../../src/store/store.js';

/** A clock tests move by hand. */
export class ManualClock {
  constructor(private t = Date.parse('2026-11-25T12:00:00Z')) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

/** A provisioner on a real SQLite file whose outgoing commands are recorded instead of published. */
export function provisionerHarness(opts: { inventory: unknown; dir?: string; clock?: ManualClock }) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'osbuild-prov-'));
  const clock = opts.clock ?? new ManualClock();
  let inventory: Inventory = inventorySchema.parse(opts.inventory);
  const sent: Array<{ nodeId: string; cmd: Command }> = [];
  const welcomes: Array<{ nodeId: string; welcome: Welcome }> = [];
  const audited: Array<{ action: string; target: string; result: string }> = [];
  const store: Store = openStore(join(dir, 'osbuild.db'));
  let runs = 0;
  const logger = pino({ level: 'silent' });
  const provisioner = new Provisioner({
    store,
    phases: new NodePhases({ records: store, clock, logger }),
    clock,
    logger,
    inventory: () => inventory,
    bootstrap: () => ({ repo: 'http://127.0.0.1:1/bootstrap.git', commit: 'c'.repeat(40) }),
    retry: { baseMs: 1_000, capMs: 4_000 },
    deadlineGraceMs: 5_000,
    newRunId: () => `run-${++runs}-${Math.random().toString(36).slice(2, 8)}`,
    sendCommand: (nodeId, cmd) => sent.push({ nodeId, cmd }),
    sendWelcome: (nodeId, welcome) => welcomes.push({ nodeId, welcome }),
    audit: (e) => audited.push(e),
  });
  return {
    dir,
    clock,
    store,
    provisioner,
    sent,
    welcomes,
    audited,
    /**
     * What a real board does on first contact: claim, receive its credential, log in with it
     * (the authenticator records the use) and say hello.
     */
    login(hello: Hello) {
      provisioner.onClaim(hello);
      this.useCredential(hello);
    },
    /** If the node's last welcome carried a credential, log in with it and say hello. */
    useCredential(hello: Hello) {
      const got = welcomes.filter((w) => w.nodeId === hello.identity.nodeId).at(-1);
      if (got?.welcome.outcome === 'credential') {
        store.nodes.markCredentialUsed(hello.identity.nodeId, clock.now().toISOString());
        provisioner.onHello(hello);
      }
    },
    setInventory(raw: unknown) {
      inventory = inventorySchema.parse(raw);
    },
    lastCommand(): Command {
      const last = sent.at(-1);
      if (!last) throw new Error('no command sent');
      return last.cmd;
    },
    result(
      cmd: Command,
      outcome: CommandResult['outcome'],
      extra: Partial<CommandResult> = {},
    ): CommandResult {
      return {
        v: PROTOCOL_VERSION,
        id: cmd.id,
        outcome,
        exitCode: outcome === 'succeeded' ? 0 : 1,
        error: null,
        outputTail: '',
        startedAt: clock.now().toISOString(),
        finishedAt: clock.now().toISOString(),
        ...extra,
      };
    },
  };
}

/** A hello from a board with the given hardware. */
export function helloFrom(opts: {
  serial: string | null;
  mac: string;
  bootId?: string;
  nodeId?: string;
}): Hello {
  return {
    v: PROTOCOL_VERSION,
    seq: 0,
    bootSeq: 1,
    at: new Date().toISOString(),
    provisioned: null,
    identity: {
      nodeId: opts.nodeId ?? (opts.serial ? `pi-${opts.serial}` : `mac-${opts.mac.replaceAll(':', '')}`),
      nics: [{ name: 'eth0', mac: opts.mac }],
      serial: opts.serial,
      model: 'Raspberry Pi 5 Model B Rev 1.0',
      bootSource: 'nvme',
      bootId: opts.bootId ?? 'boot-1',
      agentVersion: '0.1.0',
      imageVersion: null,
      hostname: 'raspberrypi',
    },
  };
}
