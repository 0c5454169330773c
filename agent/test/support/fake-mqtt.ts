import type { ConnectMqtt, MessageHandler, MqttConnection } from '../../src/transport/mqtt-connection.js';

/** A hand-written in-memory MQTT connection: records publishes, lets tests deliver messages. */
export class FakeConnection implements MqttConnection {
  readonly published: { topic: string; payload: unknown; qos: 0 | 1; retain: boolean }[] = [];
  readonly subscriptions: string[] = [];
  #handler: MessageHandler | null = null;
  #close: () => void = () => {};
  readonly closed = new Promise<void>((r) => {
    this.#close = r;
  });

  async publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    this.published.push({ topic, payload: JSON.parse(payload), qos: opts.qos, retain: opts.retain ?? false });
  }
  async subscribe(filters: string[]): Promise<void> {
    this.subscriptions.push(...filters);
  }
  onMessage(handler: MessageHandler): void {
    this.#handler = handler;
  }
  deliver(topic: string, payload: string | object, retained = false): void {
    this.#handler?.(
      topic,
      Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
      retained,
    );
  }
  async end(): Promise<void> {
    this.#close();
  }
  destroy(): void {
    this.#close();
  }
}

/** A {@link ConnectMqtt} that hands out {@link FakeConnection}s. */
export function fakeConnector(): { connect: ConnectMqtt; connections: FakeConnection[] } {
  const connections: FakeConnection[] = [];
  return {
    connections,
    connect: async () => {
      const c = new FakeConnection();
      connections.push(c);
      return c;
    },
  };
}

/** Poll until `check` returns true. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
