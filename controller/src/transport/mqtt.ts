// The only module of the controller package that imports mqtt.js. The controller core and the
// operator CLI both talk to the broker through this thin port, so the embedded Aedes can be
// swapped for an external MQTT 3.1.1 broker (DESIGN.md section 9) without touching them.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** A received message. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/** What the controller and CLI need from an MQTT connection. */
export interface MqttPort {
  readonly clientId: string;
  publish(topic: string, payload: unknown, opts?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  subscribe(filters: string[], qos?: 0 | 1): Promise<void>;
  onMessage(handler: (msg: InboundMessage) => void): void;
  onConnect(handler: () => void): void;
  /** Resolves the first time the connection closes (refused publish, kicked, broker gone). */
  readonly closed: Promise<void>;
  close(force?: boolean): Promise<void>;
}

/** Options for {@link connectMqtt}. */
export interface ConnectOptions {
  clientId: string;
  /** Retained message published by the broker if this client dies. */
  will?: { topic: string; payload: unknown };
  username?: string;
  password?: string;
  /** Milliseconds to wait for the first CONNACK before failing. */
  connectTimeoutMs?: number;
  /** Reconnect after a drop (the controller's own client); the CLI does not. */
  reconnect?: boolean;
  /**
   * PEM CA certificate(s) that `mqtts://` servers must chain to, instead of the system store. The
   * server is always verified, hostname/IP included.
   */
  ca?: string;
}

/** Connect and resolve once the first CONNACK arrives; reject if it does not within the timeout. */
export async function connectMqtt(url: string, opts: ConnectOptions): Promise<MqttPort> {
  const options: IClientOptions = {
    clientId: opts.clientId,
    clean: true,
    keepalive: 30,
    connectTimeout: opts.connectTimeoutMs ?? 5_000,
    reconnectPeriod: opts.reconnect ? 1_000 : 0,
    // Only used by TLS URLs; never turned off, whatever the caller passes.
    rejectUnauthorized: true,
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    ...(opts.username !== undefined ? { username: opts.username, password: opts.password } : {}),
    ...(opts.will
      ? {
          will: {
            topic: opts.will.topic,
            payload: Buffer.from(JSON.stringify(opts.will.payload)),
            qos: 1,
            retain: true,
          },
        }
      : {}),
  };
  const client: MqttClient = mqtt.connect(url, options);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`no answer from MQTT broker at ${url} within ${options.connectTimeout} ms`));
    }, options.connectTimeout);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    client.once('error', (err) => {
      clearTimeout(timer);
      client.end(true);
      reject(new Error(`cannot connect to MQTT broker at ${url}: ${err.message}`, { cause: err }));
    });
  });
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  return {
    clientId: opts.clientId,
    closed,
    async publish(topic, payload, p = {}) {
      const body =
        typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
      await client.publishAsync(topic, body, { qos: p.qos ?? 1, retain: p.retain ?? false });
    },
    async subscribe(filters, qos = 1) {
      const request = Object.fromEntries(filters.map((f) => [f, { qos }])) as Record<string, { qos: 0 | 1 }>;
      // mqtt.js reports a SUBACK 0x80 either as a granted qos of 128 or as a rejected promise.
      const granted = await client.subscribeAsync(request).catch((err: Error) => {
        throw new Error(`subscription refused: ${filters.join(', ')} (${err.message})`);
      });
      const refused = granted.filter((g) => g.qos === 128);
      if (refused.length > 0)
        throw new Error(`subscription refused: ${refused.map((g) => g.topic).join(', ')}`);
    },
    onMessage(handler) {
      client.on('message', (topic, payload, packet) => handler({ topic, payload, retain: packet.retain }));
    },
    onConnect(handler) {
      client.on('connect', () => handler());
    },
    async close(force = false) {
      await client.endAsync(force);
    },
  };
}
