import { type ControllerStatus, PROTOCOL_VERSION, topics } from '@osbuild/shared';
import type { Logger } from 'pino';
import { CONTROLLER_CLIENT_ID } from '../broker/access-policy.js';
import type { Clock } from '../host/clock.js';
import { connectMqtt, type InboundMessage, type MqttPort } from '../transport/mqtt.js';

/** What the controller subscribes to: everything nodes publish, and operator requests. */
const SUBSCRIPTIONS = [
  topics.allNodes('hello'),
  topics.allNodes('claim'),
  topics.allNodes('status'),
  topics.allNodes('cmd-result'),
  topics.allNodes('events'),
  topics.allNodes('telemetry'),
  topics.rpcRequest(),
];

/**
 * The controller's own MQTT client, connected to the broker exactly as it would be to an external
 * one, with the retained controller presence (`osbuild/v1/controller/status`) and its last will.
 */
export class ControllerClient {
  private constructor(
    private readonly client: MqttPort,
    private readonly offline: ControllerStatus,
    private readonly deps: { clock: Clock; logger: Logger },
  ) {}

  static async connect(opts: {
    url: string;
    secret: string;
    ca?: string | undefined;
    startedAt: string;
    clock: Clock;
    logger: Logger;
  }): Promise<ControllerClient> {
    const offline: ControllerStatus = { v: PROTOCOL_VERSION, online: false, at: opts.startedAt };
    const client = await connectMqtt(opts.url, {
      clientId: CONTROLLER_CLIENT_ID,
      username: CONTROLLER_CLIENT_ID,
      password: opts.secret,
      will: { topic: topics.controllerStatus(), payload: offline },
      reconnect: true,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    return new ControllerClient(client, offline, opts);
  }

  /** Publish at QoS 1 without waiting; a failure is logged with `what` it was. */
  publish(topic: string, body: unknown, what: string): void {
    this.client
      .publish(topic, body, { qos: 1 })
      .catch((err: Error) => this.deps.logger.error({ topic, err: err.message }, `could not send ${what}`));
  }

  /** Route every inbound message to `handle`, subscribe, and say the controller is online. */
  async serve(handle: (msg: InboundMessage) => void, online: ControllerStatus): Promise<void> {
    this.client.onMessage(handle);
    await this.client.subscribe(SUBSCRIPTIONS);
    await this.client.publish(topics.controllerStatus(), online, { qos: 1, retain: true });
  }

  /** Say the controller is offline (a clean stop; the will covers a crash). Never throws. */
  async sayOffline(): Promise<void> {
    await this.client
      .publish(
        topics.controllerStatus(),
        { ...this.offline, at: this.deps.clock.now().toISOString() },
        { qos: 1, retain: true },
      )
      .catch(() => undefined);
  }

  close(): Promise<void> {
    return this.client.close(true);
  }
}
