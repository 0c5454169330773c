import {
  type CommandReport,
  commandReportSchema,
  helloSchema,
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
import { capFields } from '../logging/cap-fields.js';
import type { NodeLogIngest } from '../logs/node-log-ingest.js';
import type { CommandHooks } from '../operator-commands/command-service.js';
import type { Provisioner } from '../provisioning/provisioner.js';
import type { Handlers } from '../rpc/handlers.js';
import { answerRpc, type Respond } from '../rpc/rpc-server.js';
import type { Store } from '../store/store.js';
import type { InboundMessage } from '../transport/mqtt.js';
import { publisherOf } from './publisher.js';
import type { RejectedMessages } from './rejected-messages.js';

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
  /** Counts and logs (rate-limited) every message not taken. */
  rejections: Pick<RejectedMessages, 'record'>;
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
  /** Called with every valid sample from a known node, after it is stored (e.g. for metrics). */
  onTelemetry?: (nodeId: string, sample: Telemetry, receivedAt: string) => void;
}): (msg: InboundMessage) => void {
  return (msg) => {
    const t = parseTopic(msg.topic);
    const reject = (kind: string, issues: readonly string[], err?: unknown) =>
      deps.rejections.record({
        kind,
        topic: msg.topic,
        principal: publisherOf(msg, t, deps.callerOf),
        issues,
        ...(err === undefined ? {} : { err }),
      });
    // A handler bug must not take the router down with it; the message is counted as lost.
    const handlerFailed = (err: unknown) => reject('handler-error', [], err);
    if (!t) return reject('unknown-topic', ['not an OSBuild topic']);
    try {
      if (t.scope === 'rpc-request') {
        const req = parsePayload(rpcRequestSchema, msg.payload);
        if (!req.ok) return reject('rpc-request', req.issues);
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
      const now = deps.clock.now().toISOString();
      switch (t.kind) {
        case 'hello':
        case 'claim': {
          // Both carry the board's hello; the topic must name the node the identity describes.
          const hello = parsePayload(helloSchema, msg.payload);
          if (!hello.ok) return reject(t.kind, hello.issues);
          if (hello.value.identity.nodeId !== t.nodeId) {
            return reject(t.kind, [
              `identity.nodeId: ${hello.value.identity.nodeId} does not match the topic`,
            ]);
          }
          if (t.kind === 'hello') {
            deps.provisioner.onHello(hello.value);
            deps.commands?.onHello(hello.value);
            return;
          }
          if (deps.admitClaim && !deps.admitClaim(t.nodeId)) {
            return reject('claim-rate', ['too many claims for this node']);
          }
          if (!deps.claimWhenReady) {
            deps.provisioner.onClaim(hello.value);
            return;
          }
          const claim = hello.value;
          deps.claimWhenReady(() => deps.provisioner.onClaim(claim)).catch(handlerFailed);
          return;
        }
        case 'cmd-result': {
          const report = parsePayload(commandReportSchema, msg.payload);
          if (!report.ok) return reject('cmd-result', report.issues);
          deps.store.nodes.touch(t.nodeId, now);
          deps.routeReport(t.nodeId, report.value);
          return;
        }
        case 'status': {
          // An empty retained payload is how a status is cleared; nothing to record.
          if (msg.payload.length === 0) return;
          const status = parsePayload(nodeStatusSchema, msg.payload);
          if (!status.ok) return reject('status', status.issues);
          if (deps.store.nodes.get(t.nodeId)) deps.store.nodes.setOnline(t.nodeId, status.value.online, now);
          return;
        }
        case 'events': {
          const event = parsePayload(nodeEventSchema, msg.payload);
          if (!event.ok) return reject('events', event.issues);
          deps.store.nodes.touch(t.nodeId, now);
          if (event.value.type === 'log')
            deps.logger.debug({ nodeId: t.nodeId, event: capFields(event.value) }, 'node log');
          deps.nodeLogs?.onNodeEvent(t.nodeId, event.value);
          return;
        }
        case 'telemetry': {
          const sample = parsePayload(telemetrySchema, msg.payload);
          if (!sample.ok) return reject('telemetry', sample.issues);
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
      handlerFailed(err);
    }
  };
}
