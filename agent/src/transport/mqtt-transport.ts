import mqtt from 'mqtt';
import type { ConnectMqtt, MessageHandler } from './mqtt-connection.js';

/**
 * The broker address as mqtt.js options, parsed with the WHATWG URL API: given a string,
 * mqtt.connect() calls the legacy url.parse(), which Node 24 flags at run time (DEP0169) and the
 * single executable would print that warning at every start.
 */
export function brokerAddress(raw: string): {
  protocol: mqtt.MqttProtocol;
  host: string;
  hostname: string;
  port?: number;
  path?: string;
} {
  const url = new URL(raw);
  // `[::1]` in a URL, `::1` for net/tls.connect.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const protocol = url.protocol.replace(/:$/, '') as mqtt.MqttProtocol;
  return {
    protocol,
    host,
    // mqtt.js builds ws:// URLs from `hostname`, which then needs the brackets back.
    hostname: protocol.startsWith('ws') ? url.hostname : host,
    ...(url.port ? { port: Number(url.port) } : {}),
    // Only WebSocket URLs have a meaningful path (mqtt.js drops it for TCP/TLS).
    ...(protocol.startsWith('ws') ? { path: `${url.pathname}${url.search}` } : {}),
  };
}

/** The real transport: the only code that touches mqtt.js. */
export const connectMqtt: ConnectMqtt = (opts) =>
  new Promise((resolve, reject) => {
    const client = mqtt.connect({
      ...brokerAddress(opts.url),
      clientId: opts.clientId,
      // A persistent session: the broker keeps our subscriptions and queues QoS 1 commands while
      // the node is offline or rebooting [MQTT-3.1.2-4].
      clean: opts.clean ?? false,
      keepalive: opts.keepaliveSec,
      // We run our own reconnect loop with jittered backoff; mqtt.js's fixed period would make a
      // fleet reconnect in lockstep.
      reconnectPeriod: 0,
      connectTimeout: opts.connectTimeoutMs ?? 15_000,
      // Progress events are worthless once stale; never queue QoS 0 while offline.
      queueQoSZero: false,
      protocolVersion: 4,
      ...(opts.username !== undefined ? { username: opts.username, password: opts.password } : {}),
      // TLS URLs only: the controller is always verified, hostname/IP SAN included.
      rejectUnauthorized: true,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ...(opts.will
        ? {
            will: {
              topic: opts.will.topic,
              payload: Buffer.from(opts.will.payload),
              qos: 1 as const,
              retain: true,
            },
          }
        : {}),
    });
    let connected = false;
    // Persistent sessions deliver queued commands right after CONNACK, possibly before the caller
    // has installed its handler: hold them until it does instead of dropping (and acking) them.
    let handler: MessageHandler | null = null;
    const early: [string, Buffer, boolean][] = [];
    let markClosed: () => void = () => {};
    const closed = new Promise<void>((r) => {
      markClosed = r;
    });
    const onGone = (err?: Error) => {
      if (!connected) {
        client.end(true);
        reject(err ?? new Error(`connection to ${opts.url} closed before CONNACK`));
        return;
      }
      // end(true) also fails pending QoS 1 publishes, so nobody waits on a dead socket.
      client.end(true);
      markClosed();
    };
    client.on('error', (err) => onGone(err));
    client.on('close', () => onGone());
    client.on('message', (topic, payload, packet) => {
      if (handler) handler(topic, payload, packet.retain);
      else early.push([topic, payload, packet.retain]);
    });
    client.once('connect', () => {
      connected = true;
      resolve({
        async publish(topic, payload, p) {
          await client.publishAsync(topic, payload, { qos: p.qos, retain: p.retain ?? false });
        },
        async subscribe(filters, qos) {
          const granted = await client.subscribeAsync(
            filters
              .map((topic) => ({ topic, qos }))
              .reduce(
                (acc, s) => Object.assign(acc, { [s.topic]: { qos: s.qos } }),
                {} as Record<string, { qos: 0 | 1 }>,
              ),
          );
          const refused = granted.filter((g) => g.qos === 128);
          if (refused.length > 0)
            throw new Error(`subscription refused: ${refused.map((g) => g.topic).join(', ')}`);
        },
        onMessage(h) {
          handler = h;
          for (const [topic, payload, retained] of early.splice(0)) h(topic, payload, retained);
        },
        closed,
        async end() {
          await client.endAsync(false);
          markClosed();
        },
        destroy() {
          client.end(true);
          markClosed();
        },
      });
    });
  });
