// A lightweight simulated node for load: one mqtt.js connection logged in with the node's own
// credential, set up the way the agent's session does it (client id agent-<nodeId>, persistent
// session, retained offline will, online status, cmd subscription, hello) but without the agent's
// host reads, journal and step runner, so the load generator stays cheap next to the controller.
import { PROTOCOL_VERSION, topics } from '@osbuild/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { syntheticHello } from './workspace.js';

/** Login and identity of one simulated node. */
export interface NodeLogin {
  index: number;
  nodeId: string;
  bootId: string;
  password: string;
}

/** Connect node `n` and greet like an agent; rejects on a refused login or a timeout. */
export async function connectNode(
  url: string,
  ca: string,
  n: NodeLogin,
  keepaliveSec: number,
): Promise<MqttClient> {
  const status = (online: boolean) =>
    JSON.stringify({ v: PROTOCOL_VERSION, online, at: new Date().toISOString(), bootId: n.bootId });
  const client = mqtt.connect(url, {
    clientId: `agent-${n.nodeId}`,
    username: n.nodeId,
    password: n.password,
    keepalive: keepaliveSec,
    clean: false,
    reconnectPeriod: 0,
    connectTimeout: 120_000,
    ca,
    rejectUnauthorized: true,
    will: {
      topic: topics.node(n.nodeId, 'status'),
      payload: Buffer.from(status(false)),
      qos: 1,
      retain: true,
    },
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', (err) => reject(err));
    client.once('close', () => reject(new Error(`${n.nodeId}: connection closed before CONNACK`)));
  });
  client.removeAllListeners('error');
  client.on('error', () => undefined);
  await client.publishAsync(topics.node(n.nodeId, 'status'), status(true), { qos: 1, retain: true });
  await client.subscribeAsync(topics.node(n.nodeId, 'cmd'), { qos: 1 });
  const hello = { ...syntheticHello(n.index), at: new Date().toISOString() };
  await client.publishAsync(topics.node(n.nodeId, 'hello'), JSON.stringify(hello), { qos: 1 });
  return client;
}
