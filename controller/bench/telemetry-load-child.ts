// Child process: the telemetry load generator. Every node has its own TLS connection and
// credential and publishes a real telemetry sample at QoS 0 on the agent's schedule: on each
// interval boundary of the wall clock plus a random delay of up to min(5 s, interval / 2), as the
// agent's node-cron schedule does (agent/src/telemetry/schedule.ts).
import type { Telemetry } from '@osbuild/shared';
import { topics } from '@osbuild/shared';
import type { MqttClient } from 'mqtt';
import { type ChildRequest, progress, serveParent } from './support/child.js';
import { connectNode, type NodeLogin } from './support/mqtt-node.js';
import { collectTemplate, nextSample } from './support/sample-template.js';

const clients: { node: NodeLogin; client: MqttClient }[] = [];
const publishedAt: number[] = [];
const timers = new Set<NodeJS.Timeout>();
// When and why connections ended (reconnect is off, so a closed node stays silent): mqtt.js
// reports its own keepalive timeout as an error; a close without one was the broker's doing.
const closeTimes: number[] = [];
const closeReasons = new Map<string, number>();
let publishErrors = 0;
let running = false;

async function connectAll(req: ChildRequest) {
  const nodes = req.nodes as NodeLogin[];
  const started = Date.now();
  let failed = 0;
  let firstError: string | null = null;
  let nextIndex = 0;
  const concurrency = Number(req.concurrency ?? 100);
  const worker = async () => {
    while (nextIndex < nodes.length) {
      const node = nodes[nextIndex++] as NodeLogin;
      try {
        const client = await connectNode(String(req.url), String(req.ca), node, Number(req.keepaliveSec));
        let reason = 'closed by the broker or the network';
        client.on('error', (err) => {
          reason = err.message;
        });
        client.on('close', () => {
          closeTimes.push(Date.now());
          closeReasons.set(reason, (closeReasons.get(reason) ?? 0) + 1);
        });
        clients.push({ node, client });
        if (clients.length % 500 === 0)
          progress(
            `${clients.length}/${nodes.length} connected (${((Date.now() - started) / 1000).toFixed(0)} s)`,
          );
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { connected: clients.length, failed, firstError, seconds: (Date.now() - started) / 1000 };
}

async function run(req: ChildRequest) {
  const intervalMs = Number(req.intervalSec) * 1000;
  const maxDelay = Math.min(5_000, intervalMs / 2);
  const template: Telemetry = await collectTemplate();
  const started = Date.now();
  running = true;
  for (const { node, client } of clients) {
    let seq = 2;
    const topic = topics.node(node.nodeId, 'telemetry');
    const schedule = () => {
      if (!running) return;
      const now = Date.now();
      const boundary = Math.ceil((now + 1) / intervalMs) * intervalMs;
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          // Like the agent: telemetry only while connected (a lost sample is replaced by the next).
          if (client.connected) {
            const payload = nextSample(template, node.bootId, seq++, started);
            publishedAt.push(Date.now());
            client.publish(topic, payload, { qos: 0 }, (err) => {
              if (err) publishErrors++;
            });
          }
          schedule();
        },
        boundary - now + Math.random() * maxDelay,
      );
      timers.add(timer);
    };
    schedule();
  }
  return { nodes: clients.length, sampleBytes: nextSample(template, 'x'.repeat(36), 99, started).length };
}

serveParent(
  {
    connect: connectAll,
    run,
    counts: (req) => {
      const from = Number(req.fromMs);
      const to = Number(req.toMs);
      return {
        published: publishedAt.filter((t) => t >= from && t < to).length,
        publishErrors,
        closesBefore: closeTimes.filter((t) => t < from).length,
        closesDuring: closeTimes.filter((t) => t >= from && t < to).length,
        closeReasons: Object.fromEntries(closeReasons),
      };
    },
  },
  async () => {
    running = false;
    for (const t of timers) clearTimeout(t);
    await Promise.all(clients.map(({ client }) => client.endAsync(true).catch(() => undefined)));
  },
);
