import {
  type CommandReport,
  commandReportSchema,
  helloSchema,
  type NodeTopicKind,
  nodeEventSchema,
  nodeStatusSchema,
  parsePayload,
  parseTopic,
  type RpcRequest,
  rpcRequestSchema,
  type Telemetry,
  telemetrySchema,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { NodeLogIngest } from '../logs/node-log-ingest.js';
import type { CommandHooks } from '../operator-commands/command-service.js';
import type { Provisioner } from '../provisioning/provisioner.js';
import type { Handlers } from '../rpc/handlers.js';
import { answerRpc, type Respond } from '../rpc/rpc-server.js';
import type { Store } from '../store/store.js';
import type { InboundMessage } from '../transport/mqtt.js';

/** Counts of rejected inbound messages by topic kind, e.g. `{hello: 2, 'rpc-request': 1}`. */
export type RejectCounters = Map<string, number>;

/**
 * The transport boundary: every inbound message is classified by topic and parsed by its schema
 * here; invalid ones are logged and counted, never thrown, so one bad payload costs nothing else.
 */
export function makeMessageRouter(deps: {
  store: Store;
  provisioner: Provisioner;
  handlers: Handlers;
  respond: Respond;
  clock: Clock;
  logger: Logger;
  rejected: RejectCounters;
  /** Audit one operator request (the actor is resolved from the requesting client). */
  auditRpc?: (req: RpcRequest, result: 'ok' | 'refused' | 'error', detail: Record<string, unknown>) => void;
  /** Name of the principal behind an rpc client id (operator:alice), for `createdBy`. */
  callerOf?: (clientId: string) => string | undefined;
  /** Operator commands: hellos (reboot confirmation, queued delivery) and node output. */
  commands?: Pick<CommandHooks, 'onHello'>;
  /** Output and log lines from the nodes' events topic, for `osbuild logs`. */
  nodeLogs?: Pick<NodeLogIngest, 'onNodeEvent'>;
  /** Hands each ack, progress report and result to the owner its id names (server/result-router.ts). */
  routeReport: (nodeId: string, report: CommandReport) => void;
  /**
   * Runs a claim's handling once what it needs is ready (the credential it may be issued, hashed
   * off the event loop: auth/credential-mint.ts). Without it claims are handled at once.
   */
  claimWhenReady?: (handle: () => void) => Promise<void>;
  /** Whether another claim from this node may be processed now (rate limit). */
  admitClaim?: (nodeId: string) => boolean;
  /**
   * Whether this node's message of this kind is within its rate (server/node-rate-limits.ts);
   * checked before parsing, and a message over it is dropped (counted and logged there).
   */
  admitNodeMessage?: (nodeId: string, kind: NodeTopicKind) => boolean;
  /** Called with every valid sample from a known node, after it is stored (e.g. for metrics). */
  onTelemetry?: (nodeId: string, sample: Telemetry, receivedAt: string) => void;
}): (msg: InboundMessage) => void {
  const reject = (kind: string, topic: string, error: string) => {
    deps.rejected.set(kind, (deps.rejected.get(kind) ?? 0) + 1);
    deps.logger.warn({ topic, error }, 'rejected inbound message');
  };
  return (msg) => {
    const t = parseTopic(msg.topic);
    if (!t) return reject('unknown-topic', msg.topic, 'not an OSBuild topic');
    try {
      if (t.scope === 'rpc-request') {
        const req = parsePayload(rpcRequestSchema, msg.payload);
        if (!req.ok) return reject('rpc-request', msg.topic, req.error);
        const request = req.value;
        answerRpc(
          request,
          deps.handlers,
          deps.respond,
          deps.logger,
          (result, detail) => deps.auditRpc?.(request, result, detail),
          { name: deps.callerOf?.(request.replyTo) ?? `unknown:${request.replyTo}` },
        );
        return;
      }
      if (t.scope !== 'node') return;
      if (deps.admitNodeMessage && !deps.admitNodeMessage(t.nodeId, t.kind)) return;
      const now = deps.clock.now().toISOString();
      switch (t.kind) {
        case 'hello':
        case 'claim': {
          // Both carry the board's hello; the topic must name the node the identity describes.
          const hello = parsePayload(helloSchema, msg.payload);
          if (!hello.ok) return reject(t.kind, msg.topic, hello.error);
          if (hello.value.identity.nodeId !== t.nodeId) {
            return reject(
              t.kind,
              msg.topic,
              `identity.nodeId ${hello.value.identity.nodeId} does not match the topic`,
            );
          }
          if (t.kind === 'hello') {
            deps.provisioner.onHello(hello.value);
            deps.commands?.onHello(hello.value);
            return;
          }
          if (deps.admitClaim && !deps.admitClaim(t.nodeId)) {
            return reject('claim-rate', msg.topic, 'too many claims for this node');
          }
          if (!deps.claimWhenReady) {
            deps.provisioner.onClaim(hello.value);
            return;
          }
          const claim = hello.value;
          deps
            .claimWhenReady(() => deps.provisioner.onClaim(claim))
            .catch((err: unknown) => {
              deps.rejected.set('handler-error', (deps.rejected.get('handler-error') ?? 0) + 1);
              deps.logger.error({ err, topic: msg.topic }, 'handler failed on inbound message');
            });
          return;
        }
        case 'cmd-result': {
          const report = parsePayload(commandReportSchema, msg.payload);
          if (!report.ok) return reject('cmd-result', msg.topic, report.error);
          deps.store.nodes.touch(t.nodeId, now);
          deps.routeReport(t.nodeId, report.value);
          return;
        }
        case 'status': {
          // An empty retained payload is how a status is cleared; nothing to record.
          if (msg.payload.length === 0) return;
          const status = parsePayload(nodeStatusSchema, msg.payload);
          if (!status.ok) return reject('status', msg.topic, status.error);
          if (deps.store.nodes.get(t.nodeId)) deps.store.nodes.setOnline(t.nodeId, status.value.online, now);
          return;
        }
        case 'events': {
          const event = parsePayload(nodeEventSchema, msg.payload);
          if (!event.ok) return reject('events', msg.topic, event.error);
          deps.store.nodes.touch(t.nodeId, now);
          if (event.value.type === 'log')
            deps.logger.debug({ nodeId: t.nodeId, event: event.value }, 'node log');
          deps.nodeLogs?.onNodeEvent(t.nodeId, event.value);
          return;
        }
        case 'telemetry': {
          const sample = parsePayload(telemetrySchema, msg.payload);
          if (!sample.ok) return reject('telemetry', msg.topic, sample.error);
          // Only enrolled nodes can publish here (access policy), so an unknown id is a node that
          // was removed meanwhile: nothing to attach the sample to.
          if (!deps.store.nodes.get(t.nodeId)) return;
          deps.store.tx(() => {
            deps.store.telemetry.put(t.nodeId, sample.value, now);
            deps.store.nodes.touch(t.nodeId, now);
          });
          deps.onTelemetry?.(t.nodeId, sample.value, now);
          return;
        }
        case 'welcome':
        case 'cmd':
          // Ours, echoed by our own subscription.
          return;
      }
    } catch (err) {
      // A handler bug must not take the router down with it; the message is counted as lost.
      deps.rejected.set('handler-error', (deps.rejected.get('handler-error') ?? 0) + 1);
      deps.logger.error({ err, topic: msg.topic }, 'handler failed on inbound message');
    }
  };
}
