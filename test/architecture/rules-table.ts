/**
 * OSBuild's architecture rules as data. Edit this file when folders move; the engine
 * (import-rules.ts) never needs to change for that. Checked by import-rules.test.ts.
 *
 * Paths in LIBRARIES, WRITERS and SQL are repo-relative and name a file or a whole folder.
 * FOLDERS is per package: key = a folder (or file) directly under src/, value = what it may import
 * besides its own folder: other folders/files of the package, `'@osbuild/x'` packages, or
 * `'../package.json'` for a file next to src/. A key naming a subfolder or file
 * (`'cli/subcommands/serve.ts'`) adds to its folder's list for that path only. Type-only imports count
 * for FOLDERS and LIBRARIES (a type is a dependency too); only the cycle rule ignores them.
 *
 * - A folder moved or renamed: rename its key and every value naming it; fix paths in the other tables.
 * - A new folder: add a key (the test fails until you do) listing what it may import.
 * - A new library: add it to LIBRARIES with the one adapter file allowed to import it.
 * - A builtin to fence off (like node:child_process): add `'node:x': [files]`; unlisted builtins are free.
 * - A violation fixed: lower its count in KNOWN_VIOLATIONS or delete the entry (the test asks you to).
 * - A new kind of rule: a RuleId in RULES (import-rules.ts), a check in rule-checks.ts called from
 *   checkArchitecture, an `it` in import-rules.test.ts, and one fixture violation in the self-test.
 */
import type { ArchitectureRules, FolderTable, KnownViolation, WriterRule } from './import-rules.ts';

const SHARED = '@osbuild/shared';

export const FOLDERS: Record<string, FolderTable> = {
  // shared is the protocol: it imports nothing of agent or controller.
  shared: {
    'index.ts': ['errors.ts', 'image', 'inventory', 'protocol', 'tls-fingerprint.ts'],
    'errors.ts': [],
    'tls-fingerprint.ts': ['errors.ts'],
    image: [],
    inventory: ['protocol'],
    protocol: [],
  },
  // The agent never imports the controller.
  agent: {
    'bin.ts': ['cli.ts'],
    'cli.ts': [SHARED, 'app', 'config', 'host', 'identity', 'output-format.ts', 'session', 'version.ts'],
    'index.ts': ['app', 'host', 'identity', 'session', 'steps', 'telemetry', 'version.ts'], // what controller/sim runs
    'output-format.ts': [],
    'version.ts': ['../package.json'],
    host: [SHARED],
    config: [SHARED, 'host'],
    identity: [SHARED, 'host'],
    journal: [SHARED, 'host'],
    telemetry: [SHARED, 'host'],
    steps: [SHARED, 'host', 'journal', 'telemetry'],
    // The session talks through the transport's connection types only; app/ makes the connection.
    session: [SHARED, 'host', 'identity', 'journal', 'steps', 'telemetry', 'transport', 'version.ts'],
    transport: [SHARED, 'host'],
    // The composition root: wires host, identity, journal, session, steps, telemetry and transport.
    app: [SHARED, 'host', 'identity', 'journal', 'session', 'steps', 'telemetry', 'transport', 'version.ts'],
  },
  controller: {
    'bin.ts': ['cli'],
    // Edges: each wraps one library or the host and imports (almost) nothing of the controller.
    host: [],
    transport: [],
    // Pure helpers for what reaches the logs: field caps, refusal summaries, trace redaction.
    logging: [SHARED],
    store: [SHARED, 'host'],
    audit: [SHARED, 'logging'],
    inventory: [SHARED],
    telemetry: [SHARED],
    tls: [SHARED, 'host'],
    broker: [SHARED, 'auth', 'logging'],
    auth: [SHARED, 'broker', 'host', 'store'],
    // The owners of node phase and command state, the command id table, the service contract:
    // they sit on the store, below every module that asks them for a transition.
    lifecycle: [SHARED, 'host', 'logging', 'store'],
    // The middle.
    provisioning: [SHARED, 'auth', 'host', 'lifecycle', 'store'],
    'operator-commands': [SHARED, 'host', 'lifecycle', 'logging', 'provisioning', 'store'],
    // Node output lines from the agent's events topic, kept for `osbuild logs`.
    logs: [SHARED, 'host', 'store'],
    health: [SHARED, 'host', 'store'],
    metrics: [SHARED, 'store'],
    'bootstrap-repo': ['host', 'provisioning'],
    kubernetes: [SHARED, 'host', 'lifecycle', 'operator-commands', 'provisioning', 'store'],
    netboot: [SHARED, 'host', 'operator-commands'],
    rpc: [
      SHARED,
      'auth',
      'broker',
      'host',
      'inventory',
      'logging',
      'operator-commands',
      'provisioning',
      'store',
      'transport',
    ],
    // The composition root wires everything but the CLI and the simulator.
    server: [
      SHARED,
      '../package.json',
      'audit',
      'auth',
      'bootstrap-repo',
      'broker',
      'health',
      'host',
      'inventory',
      'kubernetes',
      'lifecycle',
      'logging',
      'logs',
      'metrics',
      'netboot',
      'operator-commands',
      'provisioning',
      'rpc',
      'store',
      'telemetry',
      'tls',
      'transport',
    ],
    // The simulator runs real agents against a controller.
    sim: [SHARED, '@osbuild/agent'],
    // The CLI talks to the controller over MQTT (rpc/transport); it never opens the store or the broker.
    cli: [SHARED, 'host', 'rpc', 'tls', 'transport'],
    'cli/program.ts': ['../package.json'],
    'cli/context.ts': ['server'], // the types of the controller `serve` starts
    'cli/subcommands/serve.ts': ['server'], // `osbuild serve` starts the controller in this process
    'cli/subcommands/audit.ts': ['audit'], // reads and verifies the audit log offline
    'cli/output/audit.ts': ['audit'],
    'cli/subcommands/cluster.ts': [
      'kubernetes/kube-api.ts',
      'kubernetes/kubeconfig-file.ts',
      'kubernetes/client-node-api.ts',
    ],
    'cli/subcommands/netboot.ts': ['netboot'], // netboot tree commands run on the controller host
    'cli/subcommands/sim.ts': ['sim'],
  },
};

/** Each library is imported by one adapter (per package); everything else goes through it. */
export const LIBRARIES: Record<string, readonly string[]> = {
  mqtt: ['controller/src/transport/mqtt.ts', 'agent/src/transport/mqtt-transport.ts'],
  aedes: ['controller/src/broker/embedded-broker.ts'],
  mqemitter: ['controller/src/broker/broker-emitter.ts'],
  'better-sqlite3': ['controller/src/store/db.ts'],
  '@kubernetes/client-node': ['controller/src/kubernetes/client-node-api.ts'],
  '@peculiar/x509': ['controller/src/tls/x509-issuer.ts'],
  'prom-client': ['controller/src/metrics/controller-metrics.ts'],
  execa: ['controller/src/host/exec.ts', 'agent/src/host/exec.ts'],
  'node:child_process': ['controller/src/host/exec.ts', 'agent/src/host/exec.ts'],
  systeminformation: ['agent/src/host/system-info.ts'],
  'node-cron': ['agent/src/telemetry/schedule.ts'],
  // General-purpose libraries, limited to where they are used.
  commander: ['agent/src/cli.ts', 'controller/src/cli'],
  pino: ['agent/src', 'controller/src'],
  zod: [
    'shared/src',
    'agent/src/config',
    'controller/src/netboot/config.ts',
    // Parse at the boundary: stored JSON (store/) and API error bodies (the client-node adapter).
    'controller/src/store',
    'controller/src/kubernetes/client-node-api.ts',
  ],
  yaml: [
    'shared/src/inventory/load.ts',
    'agent/src/config/load-config.ts',
    'agent/src/steps/kube/kubeadm-config.ts',
    'controller/src/cli/output/format.ts',
    'controller/src/netboot/config.ts',
  ],
};

export const WRITERS: readonly WriterRule[] = [
  {
    what: 'node phase',
    method: 'setPhase',
    receiver: /(^|\.)nodes$/,
    owner: 'the node-phase module (controller/src/lifecycle/node-phase.ts)',
    allowedIn: ['controller/src/lifecycle/node-phase.ts', 'controller/src/store'],
  },
  {
    what: 'command state',
    method: 'setState',
    receiver: /(^|\.)commands$/,
    owner: 'the command-state module (controller/src/lifecycle/command-state.ts)',
    allowedIn: ['controller/src/lifecycle/command-state.ts', 'controller/src/store'],
  },
];

export const SQL: ArchitectureRules['sql'] = {
  allowedIn: ['controller/src/store'],
  prepareReceiver: /(^|\.)(db|database|sqlite)$/i,
  statement: /^\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s|DELETE\s+FROM\s)/,
};

export const MAX_LINES = 300;

/**
 * What main breaks today, per rule and file, with how many times. A new violation (another file,
 * or a higher count) fails; fixing one fails too until its count here is lowered, so this only shrinks.
 * To be removed by issue 12.
 */
export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [];

export const REPO_RULES: ArchitectureRules = {
  packages: [
    { name: 'shared', src: 'shared/src', importName: '@osbuild/shared' },
    { name: 'agent', src: 'agent/src', importName: '@osbuild/agent' },
    { name: 'controller', src: 'controller/src', importName: '@osbuild/controller' },
  ],
  folders: FOLDERS,
  libraries: LIBRARIES,
  writers: WRITERS,
  sql: SQL,
  maxLines: MAX_LINES,
  knownViolations: KNOWN_VIOLATIONS,
  tableFile: 'test/architecture/rules-table.ts',
};
