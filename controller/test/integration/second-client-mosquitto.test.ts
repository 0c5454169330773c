// A node driven by Debian's mosquitto-clients (mosquitto_rr, mosquitto_pub as child processes)
// instead of the agent: none of the agent's or shared's code, only topics and JSON written by hand
// from docs/protocol.md. If the controller and the agent drift together away from the documented
// protocol, the agent's own tests stay green; this one does not.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/host/exec.js';
import { makeWorkspace, operator, startTestController, useCleanups, waitFor } from '../support/e2e.js';

const cleanups = useCleanups();

const MAC = 'dc:a6:32:00:00:e5';
const SERIAL = '10000000000000e5';
const NODE_ID = `pi-${SERIAL}`;
const HOSTNAME = 'mq-01';
const INVENTORY = `
cluster:
  name: test-cluster
nodes:
  - mac: "${MAC}"
    hostname: ${HOSTNAME}
    role: worker
    ip: 10.0.10.21
`;
/** Seconds a mosquitto_rr waits for its answer before it gives up (exit code non-zero). */
const ANSWER_WAIT_SEC = 20;

const topic = (kind: string) => `osbuild/v1/nodes/${NODE_ID}/${kind}`;

/** A hello (and claim) as docs/protocol.md describes it. */
function hello(bootId: string, bootSeq: number) {
  return {
    v: 1,
    seq: 0,
    bootSeq,
    at: new Date().toISOString(),
    identity: {
      nodeId: NODE_ID,
      nics: [{ name: 'eth0', mac: MAC }],
      serial: SERIAL,
      model: 'Raspberry Pi 5 Model B Rev 1.0',
      bootSource: 'nvme',
      bootId,
      agentVersion: 'mosquitto-clients',
      imageVersion: null,
      hostname: 'raspberrypi',
    },
    provisioned: null,
  };
}

/**
 * A config directory for the mosquitto tools: they read their default options from
 * `$XDG_CONFIG_HOME/<tool>`, one `-option value` per line, which keeps the password out of argv.
 */
async function mosquittoConfig(
  port: string,
  caFile: string,
  login: { username: string; password: string },
): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'osbuild-mosquitto-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const lines = [
    '-h 127.0.0.1',
    `-p ${port}`,
    `--cafile ${caFile}`,
    // Aedes speaks MQTT 3.1.1; mosquitto_rr then waits on a plain subscription.
    '-V mqttv311',
    `-i agent-${NODE_ID}`,
    `-u ${login.username}`,
    `-P ${login.password}`,
    '-q 1',
  ].join('\n');
  for (const tool of ['mosquitto_rr', 'mosquitto_pub']) {
    await writeFile(join(dir, tool), `${lines}\n`, { mode: 0o600 });
    await chmod(join(dir, tool), 0o600);
  }
  return { XDG_CONFIG_HOME: dir };
}

/** Publish `message` on `request` and return the first message on `response` (mosquitto_rr). */
async function request(env: Record<string, string>, req: string, message: unknown, response: string) {
  const r = await exec(
    'mosquitto_rr',
    ['-t', req, '-e', response, '-m', JSON.stringify(message), '-W', String(ANSWER_WAIT_SEC)],
    { env, timeoutMs: (ANSWER_WAIT_SEC + 5) * 1000 },
  );
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Publish one message and disconnect (mosquitto_pub, QoS 1: it waits for the PUBACK). */
async function publish(env: Record<string, string>, kind: string, message: unknown, retain = false) {
  await exec('mosquitto_pub', ['-t', topic(kind), '-m', JSON.stringify(message), ...(retain ? ['-r'] : [])], {
    env,
  });
}

/** A `succeeded` result for command `id`, every field written out as docs/protocol.md lists it. */
function succeeded(id: string, kind: string) {
  const now = new Date().toISOString();
  return {
    v: 1,
    id,
    outcome: 'succeeded',
    exitCode: 0,
    error: null,
    outputTail: `${kind}: done by mosquitto_rr\n`,
    startedAt: now,
    finishedAt: now,
    changed: true,
  };
}

beforeAll(async () => {
  await exec('mosquitto_rr', ['--help']).catch((err: unknown) => {
    // --help exits 1 after printing its usage; only a missing program is a problem.
    if ((err as { failure?: string }).failure === 'spawn')
      throw new Error('mosquitto_rr not found: apt-get install mosquitto-clients (.ci/run does)');
  });
});

describe('a second client: a node driven by mosquitto-clients over TLS (mosquitto_rr, mosquitto_pub)', () => {
  it('enrols with the claim secret, answers every plan step by hand, ends provisioned, then lives through an operator reboot', async () => {
    const ws = await makeWorkspace(INVENTORY);
    const controller = await startTestController(ws);
    cleanups.push(() => controller.stop());
    const rpc = await operator(controller);
    cleanups.push(() => rpc.close());
    const port = new URL(controller.mqttUrl).port;
    const caFile = join(controller.dataDir, 'tls', 'ca.pem');
    const claimSecret = (await readFile(join(controller.dataDir, 'claim.secret'), 'utf8')).trim();

    // Enrolment: the claim (a hello on `claim`) answered by a welcome with the node's credential.
    const asClaim = await mosquittoConfig(port, caFile, { username: 'claim', password: claimSecret });
    const welcome = await request(asClaim, topic('claim'), hello('boot-1', 1), topic('welcome'));
    expect(welcome).toMatchObject({ v: 1, outcome: 'credential', credential: { username: NODE_ID } });
    const credential = welcome.credential as { username: string; password: string };

    // Logged in as the node: a hello brings the first step; each result brings the next.
    const asNode = await mosquittoConfig(port, caFile, credential);
    const kinds: string[] = [];
    let cmd = await request(asNode, topic('hello'), hello('boot-1', 1), topic('cmd'));
    for (;;) {
      const body = cmd.body as { type: string; step: { kind: string } };
      expect(body.type).toBe('run-step');
      const kind = body.step.kind;
      kinds.push(kind);
      // The plan for an entry without kubeadm has no reboot step; one would need a new hello
      // with a new bootId instead of a result (docs/protocol.md, steps).
      expect(kind).not.toBe('reboot');
      const result = succeeded(String(cmd.id), kind);
      // The last step: no command follows its result.
      if (kind === 'mark-provisioned') {
        await publish(asNode, 'cmd-result', result);
        break;
      }
      cmd = await request(asNode, topic('cmd-result'), result, topic('cmd'));
    }
    expect(kinds).toEqual(['set-hostname', 'configure-network', 'run-script', 'mark-provisioned']);

    const node = await waitFor('the node provisioned', async () => {
      const n = (await rpc.call('nodes.list', {})).find((x) => x.nodeId === NODE_ID);
      return n?.phase === 'provisioned' ? n : null;
    });
    expect(node).toMatchObject({ name: HOSTNAME, phase: 'provisioned' });

    // An operator reboot, the way a node lives through one. The tools disconnect cleanly, so no
    // last will fires: publish what the agent's will would (retained offline status), and the
    // command waits in the queue for the node's next hello.
    const pub = (kind: string, message: unknown, retain = false) => publish(asNode, kind, message, retain);
    await pub('status', { v: 1, online: false, at: new Date().toISOString() }, true);
    await waitFor('the node offline', async () => {
      const n = (await rpc.call('nodes.list', {})).find((x) => x.nodeId === NODE_ID);
      return n?.online === false;
    });
    const { command } = await rpc.call('commands.create', { action: 'reboot', name: HOSTNAME });
    expect(command.state).toBe('queued');
    const reboot = await request(asNode, topic('hello'), hello('boot-1', 1), topic('cmd'));
    expect(reboot).toMatchObject({ v: 1, id: command.id, body: { type: 'reboot' } });
    const at = () => new Date().toISOString();
    await pub('cmd-result', {
      v: 1,
      type: 'ack',
      id: command.id,
      at: at(),
      duplicate: false,
      bootId: 'boot-1',
    });
    await pub('cmd-result', { v: 1, type: 'progress', id: command.id, at: at(), state: 'rebooting' });
    await waitFor('the command rebooting', async () => {
      const c = await rpc.call('commands.show', { id: command.id });
      return c.state === 'rebooting';
    });
    // Back from the reboot: a hello with a new boot id, then the result the journal settles.
    await pub('hello', hello('boot-2', 2));
    await pub('cmd-result', succeeded(command.id, 'reboot'));
    const done = await waitFor('the reboot confirmed', async () => {
      const c = await rpc.call('commands.show', { id: command.id });
      return c.state === 'succeeded' ? c : null;
    });
    expect(done).toMatchObject({ bootIdBefore: 'boot-1', bootIdAfter: 'boot-2' });

    // Nothing it sent was refused on the way.
    expect((await rpc.call('controller.stats', {})).rejectedMessages).toEqual({});
  });
});
