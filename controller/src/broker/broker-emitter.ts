// The message emitter inside the embedded Aedes broker, with no global concurrency limit.
// Aedes' default (mqemitter concurrency 100) queues every message beyond 100 in-flight
// deliveries, and draining that queue recurses once per queued message whose delivery finishes
// synchronously (no subscriber, QoS 0). When a fleet drops at once — a switch reboots, 5,000 last
// wills arrive together (seen at the end of the 5,000-node telemetry benchmark) — the recursion
// overflowed the stack and the controller died with RangeError (upstream: mcollina/mqemitter#204,
// open). Without the global limit nothing queues there; each client still waits for its own
// publish to be delivered before Aedes reads its next packet, so a fast publisher is still held
// back by its own deliveries.
import mqemitter, { type MQEmitter } from 'mqemitter';

/** The emitter the embedded broker routes every message through. */
export function brokerEmitter(): MQEmitter {
  // matchEmptyLevels as Aedes sets it: [MQTT-4.7.1-3], `a/#` also matches `a`.
  return mqemitter({ concurrency: 0, matchEmptyLevels: true });
}
