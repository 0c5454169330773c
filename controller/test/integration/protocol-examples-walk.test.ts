// A whole enrolment and provisioning against a real controller (TLS on 127.0.0.1), spoken by a
// plain mqtt.js client that sends nothing but the payloads docs/protocol-reference.md shows
// (shared/src/protocol/examples.ts), with only the ids the controller assigns substituted. If the
// documented examples stop being what a controller accepts, this fails.
import {
  type Command,
  commandSchema,
  exampleClaim,
  exampleEvents,
  exampleHello,
  exampleReports,
  exampleStatus,
  exampleSteps,
  exampleWelcomes,
  type StepKind,
  topics,
  welcomeSchema,
} from '@osbuild/shared';
import mqtt from 'mqtt';
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
const nodeId = exampleClaim.identity.nodeId;
const topic = (kind: Parameters<typeof topics.node>[1]) => topics.node(nodeId, kind);
const json = (v: unknown) => JSON.stringify(v);

/** The next message on `t`, as text. */
function next(client: mqtt.MqttClient, t: string): Promise<string> {
  return new Promise((resolve) => {
    const on = (got: string, payload: Buffer) => {
      if (got !== t) return;
      client.off('message', on);
      resolve(payload.toString());
    };
    client.on('message', on);
  });
}

describe('the documented examples drive a real controller (plain mqtt.js client)', () => {
  it('claim, welcome, hello and one example result per step take a board to provisioned', async () => {
    // FIXTURE_INVENTORY has cp-01 on dc:a6:32:00:00:0a, the examples' primary NIC.
    const ws = await makeWorkspace(FIXTURE_INVENTORY);
    const controller = await startTestController(ws);
    cleanups.push(() => controller.stop());
    const { ca, claimSecret } = await controllerSecrets(controller.dataDir);
    const rpc = await operator(controller);
    cleanups.push(() => rpc.close());

    // Enrolment: claim session (clean, no will), exactly as the reference describes it.
    const claimer = await mqtt.connectAsync(controller.mqttUrl, {
      clientId: `agent-${nodeId}`,
      username: 'claim',
      password: claimSecret,
      clean: true,
      ca,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    cleanups.push(() => claimer.endAsync(true));
    await claimer.subscribeAsync([topic('welcome'), topics.controllerStatus()], { qos: 1 });
    const welcomeText = next(claimer, topic('welcome'));
    await claimer.publishAsync(topic('claim'), json(exampleClaim), { qos: 1 });
    const welcome = welcomeSchema.parse(JSON.parse(await welcomeText));
    if (welcome.outcome !== 'credential') throw new Error(`not accepted: ${json(welcome)}`);
    expect(Object.keys(welcome).sort()).toEqual(Object.keys(exampleWelcomes.credential).sort());
    expect(welcome.credential.username).toBe(nodeId);
    await claimer.endAsync();

    // The node session: persistent, with the documented will.
    const node = await mqtt.connectAsync(controller.mqttUrl, {
      clientId: `agent-${nodeId}`,
      ...welcome.credential,
      clean: false,
      ca,
      reconnectPeriod: 0,
      protocolVersion: 4,
      will: {
        topic: topic('status'),
        payload: Buffer.from(json({ ...exampleStatus, online: false })),
        qos: 1,
        retain: true,
      },
    });
    cleanups.push(() => node.endAsync(true));
    const commands: Command[] = [];
    node.on('message', (t, payload) => {
      if (t !== topic('cmd')) return;
      const cmd = commandSchema.parse(JSON.parse(payload.toString()));
      commands.push(cmd);
      const answer = async () => {
        await node.publishAsync(
          topic('events'),
          json({ ...exampleEvents['command-started'], cmdId: cmd.id }),
        );
        await node.publishAsync(topic('cmd-result'), json({ ...exampleReports.result, id: cmd.id }), {
          qos: 1,
        });
      };
      void answer();
    });
    await node.subscribeAsync([topic('cmd'), topics.controllerStatus()], { qos: 1 });
    await node.publishAsync(topic('status'), json(exampleStatus), { qos: 1, retain: true });
    await node.publishAsync(topic('hello'), json(exampleHello), { qos: 1 });

    await waitFor('cp-01 provisioned', async () => {
      const nodes = await rpc.call('nodes.list', {});
      return nodes.find((n) => n.name === 'cp-01' && n.phase === 'provisioned');
    });

    // Every command was a plan step shaped like the reference's example of its kind.
    const kinds = commands.map((c) => (c.body.type === 'run-step' ? c.body.step.kind : c.body.type));
    expect(kinds).toEqual(['set-hostname', 'configure-network', 'run-script', 'mark-provisioned']);
    for (const c of commands) {
      if (c.body.type !== 'run-step') throw new Error(`unexpected ${c.body.type}`);
      const kind: StepKind = c.body.step.kind;
      expect(Object.keys(c.body.step).sort(), kind).toEqual(Object.keys(exampleSteps[kind]).sort());
      expect(c.id).toBe(`${c.body.runId}-${c.body.index}-${c.body.attempt}`);
    }
    const shown = await rpc.call('nodes.show', { name: 'cp-01' });
    expect(shown).toMatchObject({ online: true, bootId: exampleHello.identity.bootId });
    expect(shown.run?.steps.map((s) => s.state)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    const stats = await rpc.call('controller.stats', {});
    expect(stats.rejectedMessages).toEqual({});
  });
});
