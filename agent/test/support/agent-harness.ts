// The setup the agent's integration tests share: a real Aedes broker on 127.0.0.1, a fake
// controller (a real mqtt.js client) on it, and agents on copies of the fixture host roots, where
// host actions are emulated. `useAgentHarness()` gives every test a fresh one and tears it down
// after the test: agents first, then the controller, then the broker.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { type AgentHandle, type StartAgentOptions, startAgent } from '../../src/index.js';
import { startBroker, type TestBroker } from './broker.js';
import { giveCredential } from './credential.js';
import { FakeController } from './fake-controller.js';

/** An agent the harness started, and where it keeps its files. */
export interface FixtureAgent {
  agent: AgentHandle;
  hostRoot: string;
  stateDir: string;
}

/** How to start one agent; any {@link StartAgentOptions} given replace the harness's defaults. */
export interface FixtureAgentOptions extends Partial<Omit<StartAgentOptions, 'controllerUrl'>> {
  /** Give it a credential of its own first (default true); false: it enrols with `claimSecret`. */
  enrolled?: boolean;
}

/** A broker, a fake controller on it, and the agents started through it. */
export interface AgentHarness {
  /** The broker's URL; unchanged across {@link stopBroker} and {@link startBroker}. */
  readonly url: string;
  readonly broker: TestBroker;
  /** The fake controller, connected to the current broker. */
  readonly fc: FakeController;
  /** Start an agent on a copy of host root `fixture` (default `pi5-a`); stopped by cleanup. */
  startAgent(fixture?: string, options?: FixtureAgentOptions): Promise<FixtureAgent>;
  /** Take the fake controller and the broker away; agents keep retrying with backoff. */
  stopBroker(): Promise<void>;
  /** Bring a broker back on the same port, with a new fake controller. */
  startBroker(): Promise<void>;
  /** Stop every agent started here, then the fake controller and the broker. */
  cleanup(): Promise<void>;
}

/** Start a broker on a free loopback port with a fake controller on it. */
export async function startAgentHarness(): Promise<AgentHarness> {
  let broker: TestBroker | null = await startBroker();
  const port = broker.port;
  const url = broker.url;
  let fc: FakeController | null = await FakeController.connect(url);
  const agents: AgentHandle[] = [];
  const harness: AgentHarness = {
    url,
    get broker() {
      if (!broker) throw new Error('the broker is stopped');
      return broker;
    },
    get fc() {
      if (!fc) throw new Error('the broker is stopped, and the fake controller with it');
      return fc;
    },
    async startAgent(fixture = 'pi5-a', options = {}) {
      const { enrolled = true, ...overrides } = options;
      const hostRoot = overrides.hostRoot ?? (await copyHostFixture(fixture));
      const stateDir = overrides.stateDir ?? (await mkdtemp(path.join(tmpdir(), 'osbuild-state-')));
      if (enrolled) await giveCredential(stateDir);
      const agent = await startAgent({
        logger: pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' }),
        reconnect: { baseMs: 50, capMs: 400 },
        keepaliveSec: 5,
        ...overrides,
        controllerUrl: url,
        hostRoot,
        stateDir,
      });
      agents.push(agent);
      return { agent, hostRoot, stateDir };
    },
    async stopBroker() {
      await fc?.close();
      fc = null;
      await broker?.close();
      broker = null;
    },
    async startBroker() {
      broker = await startBroker(port);
      fc = await FakeController.connect(url);
    },
    async cleanup() {
      // Stopping is idempotent: a test may have stopped its agent already.
      for (const agent of agents.splice(0).reverse()) await agent.stop();
      await harness.stopBroker();
    },
  };
  return harness;
}

/**
 * A fresh {@link AgentHarness} for each test of the calling suite (beforeEach), cleaned up after
 * it (afterEach). Read its properties inside a test, not when the suite is defined.
 */
export function useAgentHarness(): AgentHarness {
  let current: AgentHarness | null = null;
  beforeEach(async () => {
    current = await startAgentHarness();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = null;
  });
  const get = (): AgentHarness => {
    if (!current) throw new Error('the agent harness exists only while a test runs');
    return current;
  };
  return {
    get url() {
      return get().url;
    },
    get broker() {
      return get().broker;
    },
    get fc() {
      return get().fc;
    },
    startAgent: (fixture, options) => get().startAgent(fixture, options),
    stopBroker: () => get().stopBroker(),
    startBroker: () => get().startBroker(),
    cleanup: () => get().cleanup(),
  };
}
