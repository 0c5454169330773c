// How fast the controller learns that a node went silent (power cut, cable pulled): the broker
// drops a client that sends nothing for 1.5 x its keepalive [MQTT-3.1.2-24] and publishes its
// retained will. A TCP relay between agent and controller stands in for the network and is cut.
import net from 'node:net';
import { startAgent } from '@osbuild/agent';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  controllerSecrets,
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();

/** A relay to `port` that can go silent: bytes stop flowing both ways, sockets stay open. */
async function relay(port: number) {
  let silent = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (silent) return client.destroy();
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d) => !silent && upstream.write(d));
    upstream.on('data', (d) => !silent && client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => {
      silent = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('offline detection (real broker, network cut by a relay)', () => {
  it('shows a silent node offline within 1.5 x keepalive, through its last will', async () => {
    const controller = await startTestController(await makeWorkspace(FIXTURE_INVENTORY), { plain: true });
    cleanups.push(() => controller.stop());
    const rpc = await operator(controller);
    cleanups.push(() => rpc.close());
    const net1 = await relay(Number(new URL(controller.mqttUrl).port));
    cleanups.push(() => net1.close());

    const keepaliveSec = 1;
    const agent = await startAgent({
      controllerUrl: `mqtt://127.0.0.1:${net1.port}`,
      hostRoot: await copyHostFixture('pi5-c'),
      claimSecret: (await controllerSecrets(controller.dataDir)).claimSecret,
      keepaliveSec,
      logger: pino({ level: 'silent' }),
      reconnect: { baseMs: 50, capMs: 200 },
    });
    cleanups.push(() => agent.stop());
    await waitFor('w-02 provisioned and online', async () => {
      const n = (await rpc.call('nodes.list', {})).find((x) => x.name === 'w-02');
      return n?.phase === 'provisioned' && n.online;
    });

    net1.cut();
    const cutAt = Date.now();
    await waitFor(
      'w-02 offline',
      async () => !(await rpc.call('nodes.show', { name: 'w-02' })).online,
      10_000,
    );
    const detectedMs = Date.now() - cutAt;
    // Not at once (nothing told the broker), and no later than 1.5 x keepalive plus polling slack.
    expect(detectedMs).toBeGreaterThanOrEqual(500);
    expect(detectedMs).toBeLessThanOrEqual(1.5 * keepaliveSec * 1000 + 1_500);
    expect((await rpc.call('nodes.show', { name: 'w-02' })).phase).toBe('provisioned');
  });
});
