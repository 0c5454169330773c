import { commandSchema } from '../protocol/command.js';
import { exampleCommands, exampleSteps } from '../protocol/examples.js';
import { stepSecrets } from '../protocol/kube-steps.js';
import { MAX_PAYLOAD_BYTES } from '../protocol/parse.js';
import { RPC_METHODS, rpcMethods } from '../protocol/rpc.js';
import { STEP_KINDS, stepSchema } from '../protocol/steps.js';
import { TELEMETRY_MAX_BYTES, TELEMETRY_MAX_ENTRIES } from '../protocol/telemetry.js';
import { MESSAGE_KINDS, type MessageKind } from './catalog.js';
import { fieldRows, fieldTable, variantsOf } from './field-rows.js';
import { type JsonSchema, toJsonSchema } from './json-schemas.js';

/** One bound as limits.ts declares it: its TSDoc line, name and value. */
export interface LimitEntry {
  name: string;
  value: number;
  what: string;
}

/** The bounds declared in limits.ts, read from its source so the doc line stays the only text. */
export function parseLimits(source: string, values: Record<string, unknown>): LimitEntry[] {
  const entries: LimitEntry[] = [];
  for (const m of source.matchAll(/\/\*\* ([^*]+?) \*\/\nexport const (\w+) = /g)) {
    const [, what = '', name = ''] = m;
    const value = values[name];
    if (typeof value !== 'number') throw new Error(`limits.ts: ${name} is not an exported number`);
    entries.push({ name, value, what });
  }
  return entries;
}

const json = (v: unknown) => ['```json', JSON.stringify(v, null, 2), '```'].join('\n');
const list = (xs: string[]) => xs.map((x) => `\`${x}\``).join(', ');

function who(kind: MessageKind): { pub: string; sub: string } {
  return { pub: list(kind.publishers), sub: list(kind.subscribers) };
}

/** The discriminator naming one branch of a union (`type: ack`, `ok: true`), if it has one. */
function discriminator(branch: JsonSchema): string | null {
  const props = (branch.properties ?? {}) as Record<string, JsonSchema>;
  for (const key of ['type', 'outcome', 'kind', 'ok']) {
    if (props[key] && 'const' in props[key]) return `${key}: ${String(props[key].const)}`;
  }
  return null;
}

function fieldsOf(schema: JsonSchema): string[] {
  const branches = variantsOf(schema);
  if (!branches || schema.type === 'object') return [fieldTable(fieldRows(schema))];
  return branches.flatMap((b, i) => {
    // cmd-result's final result is the one shape without a `type`.
    const name = discriminator(b) ?? (i > 0 ? 'no `type`: the result' : `shape ${i + 1}`);
    const about = b.description ? `: ${String(b.description)}` : '';
    return [`**${name}**${about}`, '', fieldTable(fieldRows(b)), ''];
  });
}

function messageSection(kind: MessageKind): string[] {
  const schema = toJsonSchema(kind.schema, 'input', `messages/${kind.name}.schema.json`, kind.name);
  const { pub, sub } = who(kind);
  const out = [
    `### ${kind.name}`,
    '',
    String(schema.description ?? ''),
    '',
    `- Topic: \`${kind.topic}\``,
    `- Direction: ${kind.direction}`,
    `- May publish: ${pub}; may subscribe: ${sub}`,
    `- QoS ${kind.qos}, ${kind.retained ? 'retained' : 'not retained'}`,
    `- Schema: ${kind.source}, JSON Schema [messages/${kind.name}.schema.json](../shared/schema/messages/${kind.name}.schema.json)`,
    ...kind.notes.map((n) => `- ${n}`),
    '',
  ];
  out.push(...fieldsOf(schema), '');
  for (const ex of kind.examples) out.push(`Example: ${ex.title}`, '', json(ex.payload), '');
  return out;
}

function commandBodies(): string[] {
  const out = ['## Command bodies', '', 'The `body` of a `cmd` message, tagged by `type`.', ''];
  for (const option of commandSchema.shape.body.options) {
    const type = option.shape.type.value;
    const schema = toJsonSchema(option, 'input', `body/${type}`, type);
    out.push(
      `### body: ${type}`,
      '',
      String(schema.description ?? ''),
      '',
      fieldTable(fieldRows(schema)),
      '',
    );
    out.push('Example:', '', json(exampleCommands[type]), '');
  }
  const secrets = toJsonSchema(stepSecrets, 'input', 'secrets', 'secrets');
  out.push(
    '### run-step secrets',
    '',
    String(secrets.description ?? ''),
    '',
    fieldTable(fieldRows(secrets)),
    '',
  );
  return out;
}

function steps(): string[] {
  const out = ['## Steps', '', 'The `step` of a `run-step` body, tagged by `kind`.', ''];
  const byKind = new Map(stepSchema.options.map((o) => [o.shape.kind.value, o]));
  for (const kind of STEP_KINDS) {
    const option = byKind.get(kind);
    if (!option) continue;
    const schema = toJsonSchema(option, 'input', `step/${kind}`, kind);
    out.push(
      `### step: ${kind}`,
      '',
      String(schema.description ?? ''),
      '',
      fieldTable(fieldRows(schema)),
      '',
    );
    out.push('Example:', '', json(exampleSteps[kind]), '');
  }
  return out;
}

function rpc(): string[] {
  const out = [
    '## RPC methods',
    '',
    'The `params` of an `rpc-request` and the `data` of a successful `rpc-response`, per method.',
    '',
  ];
  for (const method of RPC_METHODS) {
    const params = toJsonSchema(rpcMethods[method].params, 'input', `rpc/${method}`, method);
    const rows = fieldRows(params);
    out.push(
      `### ${method}`,
      '',
      `Params ([rpc/${method}.params.schema.json](../shared/schema/rpc/${method}.params.schema.json)): ${rows.length === 0 ? '`{}`' : ''}`,
      '',
      ...(rows.length > 0 ? [fieldTable(rows), ''] : []),
      `Result data: [rpc/${method}.result.schema.json](../shared/schema/rpc/${method}.result.schema.json).`,
      '',
    );
  }
  return out;
}

/** docs/protocol-reference.md: every topic, message, command body, step and RPC method, generated. */
export function protocolReference(limits: LimitEntry[]): string {
  const topicRows = MESSAGE_KINDS.map((k) => {
    const { pub, sub } = who(k);
    return `| [${k.name}](#${k.name}) | \`${k.topic}\` | ${pub} | ${sub} | ${k.qos} | ${k.retained ? 'yes' : 'no'} |`;
  });
  const limitRows = [
    ...limits.map((l) => `| \`${l.name}\` | ${l.value} | ${l.what} |`),
    `| \`TELEMETRY_MAX_ENTRIES\` | ${TELEMETRY_MAX_ENTRIES} | Entries of each telemetry array (telemetry.ts). |`,
    `| \`TELEMETRY_MAX_BYTES\` | ${TELEMETRY_MAX_BYTES} | Largest valid telemetry sample, serialised (telemetry.ts). |`,
    `| \`MAX_PAYLOAD_BYTES\` | ${MAX_PAYLOAD_BYTES} | Largest payload any receiver parses (parse.ts). |`,
  ];
  const lines = [
    '# OSBuild protocol reference (osbuild/v1)',
    '',
    '<!-- Generated by `npm run gen:schema` from shared/src/protocol and shared/src/contract; do not edit. -->',
    '',
    'Generated from the zod schemas (`shared/src/protocol/`), the topic table',
    '(`shared/src/contract/catalog.ts`) and the examples (`shared/src/protocol/examples.ts`); a test',
    'fails when this file or a JSON Schema in `shared/schema/` is stale. The message order, the',
    're-delivery rules and the version rule are in [protocol.md](protocol.md).',
    '',
    'Every payload is one UTF-8 JSON object carrying `v: 1`. Bounds on strings count UTF-16 code',
    'units (JavaScript string length), not bytes. A receiver ignores (drops) fields it does not know.',
    'Principals: `node` (an enrolled agent, its own topics only), `claim` (a board enrolling with',
    'the claim secret, its own topics only), `operator` (the CLI; its own `<clientId>` only),',
    '`monitor` (read-only), `controller` (may publish and subscribe anything under `osbuild/v1/`).',
    '',
    '## Topics',
    '',
    '| Message | Topic | May publish | May subscribe | QoS | Retained |',
    '| --- | --- | --- | --- | --- | --- |',
    ...topicRows,
    '',
    '## Bounds',
    '',
    'From `shared/src/protocol/limits.ts`. A message over a bound is refused by its receiver, counted',
    'and logged (the controller: `rejectedMessages` in `osbuild status`).',
    '',
    '| Constant | Value | What |',
    '| --- | --- | --- |',
    ...limitRows,
    '',
    '## Messages',
    '',
    ...MESSAGE_KINDS.flatMap(messageSection),
    ...commandBodies(),
    ...steps(),
    ...rpc(),
  ];
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
