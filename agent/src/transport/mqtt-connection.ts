// The port the session speaks MQTT through. The session and the TLS wrapper depend on these types
// only; mqtt-transport.ts is the adapter that implements them with mqtt.js.

/** Will message published by the broker when the connection dies without a DISCONNECT. */
export interface WillMessage {
  topic: string;
  payload: string;
}

/** Options for one MQTT connection attempt. */
export interface ConnectOptions {
  url: string;
  clientId: string;
  keepaliveSec: number;
  /** Set for enrolled nodes only (a claim-only session may publish nothing but its claim). */
  will?: WillMessage;
  /**
   * Start a clean session (enrolment): nothing of a claim session is worth keeping, and its
   * welcome subscription must not carry over into the node's own persistent session.
   */
  clean?: boolean;
  connectTimeoutMs?: number;
  /** The node's own credential, or `claim` + the image's claim secret while enrolling. */
  username?: string;
  password?: string;
  /** PEM CA(s) a TLS controller must chain to (tls-trust.ts decides which); never unverified. */
  ca?: string;
}

/** Handler for inbound messages; `retained` is set for messages replayed on subscribe. */
export type MessageHandler = (topic: string, payload: Buffer, retained: boolean) => void;

/** One established MQTT connection; reconnecting is the caller's job (a new connection). */
export interface MqttConnection {
  /** QoS 1 resolves on PUBACK; rejects if the connection closes first. */
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
  subscribe(filters: string[], qos: 0 | 1): Promise<void>;
  onMessage(handler: MessageHandler): void;
  /** Resolves when the connection is gone, for whatever reason. */
  readonly closed: Promise<void>;
  /** Graceful: DISCONNECT, so the broker discards the will. */
  end(): Promise<void>;
  /** Abrupt: drop the socket without DISCONNECT, so the broker publishes the will. */
  destroy(): void;
}

/** Opens MQTT connections (the real one: connectMqtt in mqtt-transport.ts). */
export type ConnectMqtt = (opts: ConnectOptions) => Promise<MqttConnection>;
