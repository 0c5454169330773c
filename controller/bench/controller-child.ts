// Child process: the system under test. `controller` is the real controller (embedded Aedes with
// authentication and ACLs, message router, SQLite store, metrics, health); `bare` is Aedes 1.2
// behind the same TLS listener and certificate with no controller logic and no authentication
// cost (every login accepted). The parent measures this process only.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Aedes } from 'aedes';
import { pino } from 'pino';
import { KEEPALIVE_EXPIRED } from '../src/broker/embedded-broker.js';
import { systemClock } from '../src/host/clock.js';
import { startMqttListener } from '../src/server/listeners.js';
import { startController } from '../src/server/start-controller.js';
import { type ChildRequest, serveParent } from './support/child.js';
import type { ControllerUsage } from './support/usage.js';

let stopFn: () => Promise<void> = async () => undefined;
const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
// Bare mode only: publish -> broker 'publish' event lag of telemetry samples (ms), by sample time.
const bareLags: { at: number; lagMs: number }[] = [];

async function start(req: ChildRequest): Promise<{ mqttUrl: string; httpUrl: string | null }> {
  const logFile = String(req.logFile);
  const logger = pino({ level: 'warn' }, pino.destination({ dest: logFile, sync: false }));
  if (req.mode === 'bare') {
    const broker = await Aedes.createBroker({
      authenticate: (_client, _user, _password, done) => done(null, true),
    });
    // Same log line as the embedded broker's, so the parent counts drops the same way for both.
    broker.on('keepaliveTimeout', (client) => logger.warn({ clientId: client.id }, KEEPALIVE_EXPIRED));
    broker.on('publish', (packet) => {
      if (!packet.topic.endsWith('/telemetry')) return;
      const now = Date.now();
      try {
        const at = Date.parse((JSON.parse(packet.payload.toString()) as { at: string }).at);
        bareLags.push({ at, lagMs: now - at });
      } catch {
        // not a sample; nothing to time
      }
    });
    const listener = await startMqttListener({
      listen: 'mqtts://127.0.0.1:0',
      insecureListen: false,
      tlsSans: [],
      dataDir: String(req.dataDir),
      handle: broker.handle,
      clock: systemClock,
      logger,
    });
    stopFn = async () => {
      await new Promise<void>((r) => broker.close(() => r()));
      await listener.close();
    };
    return { mqttUrl: listener.url, httpUrl: null };
  }
  const controller = await startController({
    inventoryPath: String(req.inventoryPath),
    dataDir: String(req.dataDir),
    bootstrapDir: String(req.bootstrapDir),
    listen: 'mqtts://127.0.0.1:0',
    httpListen: 'http://127.0.0.1:0',
    logger,
  });
  stopFn = () => controller.stop();
  return { mqttUrl: controller.mqttUrl, httpUrl: controller.httpUrl };
}

function usage(req: ChildRequest): ControllerUsage {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const out: ControllerUsage = {
    atMs: performance.now() + performance.timeOrigin,
    cpuUs: cpu.user + cpu.system,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    loopDelayMs: {
      p50: eld.percentile(50) / 1e6,
      p99: eld.percentile(99) / 1e6,
      max: eld.max / 1e6,
    },
  };
  if (req.resetLoopDelay) eld.reset();
  return out;
}

serveParent(
  {
    start,
    usage,
    bareLags: (req) => {
      const from = Number(req.fromMs);
      const to = Number(req.toMs);
      return bareLags.filter((x) => x.at >= from && x.at < to).map((x) => x.lagMs);
    },
  },
  () => stopFn(),
);
