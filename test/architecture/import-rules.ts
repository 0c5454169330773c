/**
 * The architecture rules engine: walks every .ts file under the given src roots with the TypeScript
 * parser and reports broken rules. The rules themselves are data (see rules-table.ts for this repo's),
 * so the engine can run on a fixture tree (import-rules-selftest.test.ts) as well as on the repo.
 */
import { Codebase } from './codebase.ts';
import {
  applyKnown,
  checkCycles,
  checkFileSizes,
  checkFolders,
  checkLibraries,
  checkSql,
  checkWriters,
} from './rule-checks.ts';

export interface PackageSpec {
  /** Short name used as the key of the folder table: `controller`. */
  name: string;
  /** Source root relative to the repo root: `controller/src`. */
  src: string;
  /** The name other packages import it by: `@osbuild/controller`. */
  importName: string;
}

/**
 * Per package: key = a folder (or a single file) under src/, value = what it may import besides
 * itself: other folders/files of the same package, other packages by import name, or `'../x'` for a
 * file next to src/. Every matching key applies, so `'cli/commands/serve.ts'` adds to `'cli'` for one file.
 */
export type FolderTable = Record<string, readonly string[]>;

export interface WriterRule {
  /** What is being written, for messages: `node phase`. */
  what: string;
  method: string;
  /** Matched against the receiver text (without `this.` and `?.`): `d.store.nodes`. */
  receiver: RegExp;
  /** Who to ask instead, for messages: `controller/src/lifecycle/node-phase.ts`. */
  owner: string;
  /** Repo-relative files or folders allowed to write. */
  allowedIn: readonly string[];
}

export interface KnownViolation {
  rule: RuleId;
  /** The file (for cycles: the cycle's members joined by ' <-> ', as reported). */
  file: string;
  /** How many violations of `rule` that file has today; more fails, fewer asks to lower it. */
  count: number;
}

export interface ArchitectureRules {
  packages: readonly PackageSpec[];
  folders: Readonly<Record<string, FolderTable>>;
  /**
   * Library (npm package name; `node:x` for a builtin, subpaths folded: node:fs covers node:fs/promises)
   * -> the repo-relative files/folders that may import it. Unlisted packages fail; unlisted builtins are free.
   */
  libraries: Readonly<Record<string, readonly string[]>>;
  writers: readonly WriterRule[];
  sql: { allowedIn: readonly string[]; prepareReceiver: RegExp; statement: RegExp };
  maxLines: number;
  knownViolations: readonly KnownViolation[];
  /** Where the tables live, named in messages. */
  tableFile: string;
}

export const RULES = [
  'folders',
  'libraries',
  'state-writers',
  'sql',
  'file-size',
  'cycles',
  'known',
] as const;
export type RuleId = (typeof RULES)[number];

export interface Violation {
  rule: RuleId;
  file: string;
  line: number;
  message: string;
  /** Identity for KNOWN_VIOLATIONS: the file, or a cycle's members. */
  key: string;
}

/** Every broken rule in the tree under `root`, after KNOWN_VIOLATIONS; sorted by rule, file, line. */
export function checkArchitecture(root: string, rules: ArchitectureRules): Violation[] {
  const code = new Codebase(root, rules);
  const raw = [
    ...checkFolders(code),
    ...checkLibraries(code),
    ...checkWriters(code),
    ...checkSql(code),
    ...checkFileSizes(code),
    ...checkCycles(code),
  ];
  return applyKnown(raw, rules).sort(
    (a, b) =>
      RULES.indexOf(a.rule) - RULES.indexOf(b.rule) || a.file.localeCompare(b.file) || a.line - b.line,
  );
}

/** One line per violation, `file:line [rule] message`; empty when there is none. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.file}:${v.line} [${v.rule}] ${v.message}`).join('\n');
}
