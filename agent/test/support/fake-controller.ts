import { randomUUID } from 'node:crypto';
import {
  type CommandResult,
  type Hello,
  type NodeEvent,
  type NodeStatus,
  type StepInput,
  topics,
} from '@osbuild/shared';
import mqtt, { type MqttClient } from 'mqtt';

/** One message the fake controller saw. */
export interface Seen {
  topic: string;
  kind: string;
  nodeId: string;
  payload: unknown;
  retained: boolean;
}

/**
 * A real mqtt.js client playing the controller: it records everything under the node topics and
 * sends commands. Tests wait on what it saw instead of sleeping.
 */
export class FakeController {
  readonly seen: Seen[] = [];
  #waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const parts = topic.split('/');
      let body: unknown = payload.toString();
      try {
        body = JSON.parse(payload.toString());
      } catch {
        // keep the text
      }
      this.seen.push({
        topic,
        nodeId: parts[3] ?? '',
        kind: parts[4] ?? '',
        payload: body,
        retained: packet.retain,
      });
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async connect(url: string): Promise<FakeController> {
    const client = await mqtt.connectAsync(url, {
      clientId: `fake-controller-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 200,
    });
    const fc = new FakeController(client);
    await client.subscribeAsync({
      [topics.allNodes('status')]: { qos: 1 },
      [topics.allNodes('hello')]: { qos: 1 },
      [topics.allNodes('events')]: { qos: 0 },
      [topics.allNodes('cmd-result')]: { qos: 1 },
    });
    return fc;
  }

  /** Wait until `pick` returns something for a seen message (checked from `from` on). */
  async waitFor<T>(pick: (s: Seen) => T | undefined, timeoutMs = 30_000, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const s of this.seen.slice(from)) {
        const v = pick(s);
        if (v !== undefined) return v;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting; saw:\n${this.seen.map((s) => `${s.topic} ${JSON.stringify(s.payload)}`).join('\n')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  hellos(nodeId: string): Hello[] {
    return this.seen.filter((s) => s.kind === 'hello' && s.nodeId === nodeId).map((s) => s.payload as Hello);
  }

  results(nodeId: string, cmdId: string): CommandResult[] {
    return this.seen
      .filter(
        (s) => s.kind === 'cmd-result' && s.nodeId === nodeId && (s.payload as CommandResult).id === cmdId,
      )
      .map((s) => s.payload as CommandResult);
  }

  waitForResult(nodeId: string, cmdId: string, timeoutMs?: number, from = 0): Promise<CommandResult> {
    return this.waitFor(
      (s) =>
        s.kind === 'cmd-result' && s.nodeId === nodeId && (s.payload as CommandResult).id === cmdId
          ? (s.payload as CommandResult)
          : undefined,
      timeoutMs,
      from,
    );
  }

  waitForStatus(nodeId: string, online: boolean, from = 0): Promise<NodeStatus> {
    return this.waitFor(
      (s) =>
        s.kind === 'status' && s.nodeId === nodeId && (s.payload as NodeStatus).online === online
          ? (s.payload as NodeStatus)
          : undefined,
      15_000,
      from,
    );
  }

  waitForEvent(nodeId: string, match: (e: NodeEvent) => boolean, from = 0): Promise<NodeEvent> {
    return this.waitFor(
      (s) =>
        s.kind === 'events' && s.nodeId === nodeId && match(s.payload as NodeEvent)
          ? (s.payload as NodeEvent)
          : undefined,
      15_000,
      from,
    );
  }

  /** Send a run-step command; returns its id. */
  async sendStep(
    nodeId: string,
    step: StepInput,
    id = `cmd-${randomUUID()}`,
    runId = 'run-1',
    index = 0,
  ): Promise<string> {
    await this.sendRaw(
      nodeId,
      JSON.stringify({
        v: 1,
        id,
        deadline: new Date(Date.now() + 3_600_000).toISOString(),
        body: { type: 'run-step', runId, index, attempt: 1, step },
      }),
    );
    return id;
  }

  async sendRaw(nodeId: string, payload: string): Promise<void> {
    await this.client.publishAsync(topics.node(nodeId, 'cmd'), payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
