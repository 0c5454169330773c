/**
 * Proves each architecture rule can fail: the engine runs on a tiny tree written to a temp dir, once
 * clean (no violation) and once with one violation of each kind added.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ArchitectureRules,
  checkArchitecture,
  type KnownViolation,
  type Violation,
} from './import-rules.ts';
import { SQL } from './rules-table.ts';

const rules = (knownViolations: KnownViolation[] = []): ArchitectureRules => ({
  packages: [
    { name: 'lib', src: 'lib/src', importName: '@fx/lib' },
    { name: 'app', src: 'app/src', importName: '@fx/app' },
  ],
  folders: {
    lib: { 'index.ts': ['proto'], proto: [] },
    app: {
      store: ['@fx/lib'],
      lifecycle: ['store'],
      logic: ['@fx/lib', 'store', '../package.json'],
      cli: ['@fx/lib'],
      'cli/serve.ts': ['logic'],
    },
  },
  libraries: {
    mqtt: ['app/src/logic/transport.ts'],
    'better-sqlite3': ['app/src/store/db.ts'],
    'node:child_process': ['app/src/logic/exec.ts'],
  },
  writers: [
    {
      what: 'node phase',
      method: 'setPhase',
      receiver: /(^|\.)nodes$/,
      owner: 'lifecycle/node-phase.ts',
      allowedIn: ['app/src/lifecycle/node-phase.ts', 'app/src/store'],
    },
  ],
  sql: { ...SQL, allowedIn: ['app/src/store'] },
  maxLines: 20,
  knownViolations,
  tableFile: 'the fixture table',
});

const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const x${i} = ${i};\n`).join('');

const CLEAN: Record<string, string> = {
  'app/package.json': '{ "version": "1.0.0" }\n',
  'lib/src/index.ts': "export * from './proto/hello.js';\n",
  'lib/src/proto/hello.ts': "export const HELLO = 'hello';\nexport type Phase = 'new' | 'ready';\n",
  'app/src/store/db.ts': [
    "import Database from 'better-sqlite3';",
    "import { HELLO } from '@fx/lib';",
    "export const db = new Database(':memory:');",
    'export const nodes = {',
    '  setPhase(id: string, phase: string) {',
    "    db.prepare('UPDATE nodes SET phase = ? WHERE id = ?').run(phase, id);",
    '  },',
    '};',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of a fixture file
    'export const label = `SELECT is a word; ${HELLO}`.slice(1);',
  ].join('\n'),
  'app/src/lifecycle/node-phase.ts':
    "import { nodes } from '../store/db.js';\nexport const advance = (id: string) => nodes.setPhase(id, 'ready');\n",
  'app/src/logic/transport.ts': "import mqtt from 'mqtt';\nexport const connect = mqtt.connect;\n",
  'app/src/logic/exec.ts': "import { execFile } from 'node:child_process';\nexport const run = execFile;\n",
  'app/src/logic/version.ts':
    "import pkg from '../../package.json' with { type: 'json' };\nexport const v = pkg;\n",
  // Type-only edges in both directions are not a runtime cycle.
  'app/src/logic/a.ts': "import type { B } from './b.js';\nexport type A = { b?: B };\nexport const a = 1;\n",
  'app/src/logic/b.ts':
    "import { type A } from './a.js';\nexport type { A } from './a.js';\nexport type B = { a?: A };\n",
  // A `.prepare` that is not SQL, and words that only look like SQL.
  'app/src/logic/kube.ts': [
    "import type { Phase } from '@fx/lib';",
    'declare const kube: { prepare(id: string, n: number): Phase };',
    "export const p = kube.prepare('node-1', 2);",
    "export const s = ['Selected', 'update later', 'UPDATED'];",
  ].join('\n'),
  'app/src/logic/at-limit.ts': lines(20),
  'app/src/cli/main.ts': "import { HELLO } from '@fx/lib';\nexport const main = () => HELLO;\n",
  'app/src/cli/serve.ts':
    "export const serve = async () => (await import('../logic/transport.js')).connect;\n",
};

const DIRTY: Record<string, string> = {
  ...CLEAN,
  // folders: type imports count, the store may not look up at logic/.
  'app/src/store/leak.ts': "import type { A } from '../logic/a.js';\nexport type Leak = A;\n",
  'app/src/cli/main-bad.ts': "import { db } from '../store/db.js';\nexport const d = db;\n",
  'app/src/mystery/thing.ts': 'export const thing = 1;\n',
  'app/src/logic/rel.ts':
    "import { HELLO } from '../../../lib/src/proto/hello.js';\nexport const h = HELLO;\n",
  'lib/src/proto/up.ts': "export { main } from '@fx/app';\n",
  // libraries
  'app/src/logic/plan.ts': [
    "import mqtt from 'mqtt';",
    "import pad from 'left-pad';",
    "import { spawn } from 'child_process';",
    'export const all = [mqtt, pad, spawn];',
  ].join('\n'),
  // state-writers
  'app/src/logic/phase.ts': [
    "import { nodes } from '../store/db.js';",
    'export class P {',
    '  constructor(private d: { store: { nodes?: typeof nodes } }) {}',
    "  go() { this.d.store.nodes?.setPhase('n', 'ready'); nodes.setPhase('n', 'new'); }",
    '}',
  ].join('\n'),
  // sql
  'app/src/logic/query.ts': [
    "import { db } from '../store/db.js';",
    "export const one = db.prepare('SELECT 1').get();",
    'export const ins = (t: string) => `',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of a fixture file
    '  INSERT INTO ${t} VALUES (1)`;',
  ].join('\n'),
  // file-size
  'app/src/logic/big.ts': lines(21),
  // cycles (one of them lazy)
  'app/src/logic/ping.ts': "import { pong } from './pong.js';\nexport const ping = () => pong();\n",
  'app/src/logic/pong.ts': "export const pong = async () => (await import('./ping.js')).ping;\n",
};

const EXPECTED = [
  'folders app/src/cli/main-bad.ts:1',
  'folders app/src/logic/rel.ts:1',
  'folders app/src/mystery/thing.ts:1',
  'folders app/src/store/leak.ts:1',
  'folders lib/src/proto/up.ts:1',
  'libraries app/src/logic/plan.ts:1',
  'libraries app/src/logic/plan.ts:2',
  'libraries app/src/logic/plan.ts:3',
  'state-writers app/src/logic/phase.ts:4',
  'state-writers app/src/logic/phase.ts:4',
  'sql app/src/logic/query.ts:2',
  'sql app/src/logic/query.ts:3',
  'file-size app/src/logic/big.ts:21',
  'cycles app/src/logic/ping.ts:1',
];

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'osbuild-arch-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const brief = (vs: Violation[]) => vs.map((v) => `${v.rule} ${v.file}:${v.line}`);

describe('architecture rules engine on a fixture tree', () => {
  it('reports nothing on a clean tree', () => {
    expect(checkArchitecture(tree(CLEAN), rules())).toEqual([]);
  });

  it('reports each broken rule, once per violation, with file and line', () => {
    const found = checkArchitecture(tree(DIRTY), rules());
    expect(brief(found)).toEqual(EXPECTED);
    const msg = (rule: string, file: string) =>
      found.filter((v) => v.rule === rule && v.file === file).map((v) => v.message);
    expect(msg('folders', 'app/src/mystery/thing.ts')[0]).toMatch(/not in the folder table: add 'mystery'/);
    expect(msg('folders', 'app/src/store/leak.ts')[0]).toMatch(
      /'store' \(app\) may import only itself and @fx\/lib/,
    );
    expect(msg('folders', 'app/src/logic/rel.ts')[0]).toMatch(/import @fx\/lib by its name/);
    expect(msg('libraries', 'app/src/logic/plan.ts')).toEqual([
      expect.stringMatching(/'mqtt': only app\/src\/logic\/transport.ts may/),
      expect.stringMatching(/'left-pad', which is not in the library table/),
      expect.stringMatching(/'node:child_process': only app\/src\/logic\/exec.ts may/),
    ]);
    expect(msg('state-writers', 'app/src/logic/phase.ts')).toEqual([
      expect.stringMatching(
        /^d\.store\.nodes\.setPhase\(\) writes the node phase .* ask lifecycle\/node-phase.ts/,
      ),
      expect.stringMatching(/^nodes\.setPhase\(\)/),
    ]);
    expect(msg('cycles', 'app/src/logic/ping.ts')[0]).toMatch(
      /^runtime import cycle app\/src\/logic\/ping.ts:1 -> app\/src\/logic\/pong.ts:1 \(dynamic\) -> app\/src\/logic\/ping.ts:/,
    );
  });

  it('KNOWN_VIOLATIONS hides exactly what it lists and reports what it over-allows', () => {
    const known: KnownViolation[] = [
      { rule: 'file-size', file: 'app/src/logic/big.ts', count: 1 },
      { rule: 'cycles', file: 'app/src/logic/ping.ts <-> app/src/logic/pong.ts', count: 1 },
      { rule: 'state-writers', file: 'app/src/logic/phase.ts', count: 1 },
      { rule: 'sql', file: 'app/src/logic/query.ts', count: 3 },
      { rule: 'sql', file: 'app/src/logic/gone.ts', count: 1 },
    ];
    const found = checkArchitecture(tree(DIRTY), rules(known));
    const rest = EXPECTED.filter((e) => !/^(file-size|cycles|sql) /.test(e));
    expect(brief(found)).toEqual([
      ...rest,
      'known app/src/logic/gone.ts:1',
      'known app/src/logic/query.ts:1',
    ]);
    const phase = found.filter((v) => v.rule === 'state-writers');
    expect(phase.every((v) => v.message.includes('KNOWN_VIOLATIONS allows 1 here, found 2'))).toBe(true);
    expect(found.find((v) => v.file === 'app/src/logic/query.ts')?.message).toMatch(/lower its count to 2/);
    expect(found.find((v) => v.file === 'app/src/logic/gone.ts')?.message).toMatch(/delete the entry/);
  });
});
