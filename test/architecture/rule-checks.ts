/** One function per rule; each returns every violation it finds, before KNOWN_VIOLATIONS. */
import path from 'node:path';
import type { Codebase, Target } from './codebase.ts';
import { within } from './codebase.ts';
import { cyclicComponents, shortestCycle } from './cycles.ts';
import type { ArchitectureRules, PackageSpec, RuleId, Violation } from './import-rules.ts';
import type { ImportFact } from './source-scan.ts';

/** Collects violations of `rule`: `report(file, line, message)`. */
function collector(rule: RuleId) {
  const out: Violation[] = [];
  const report = (file: string, line: number, message: string, key = file) =>
    out.push({ rule, file, line, message, key });
  return { out, report };
}

const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'nothing');

/** The keys of `table` covering `rel` (a path under src/): its folder, then narrower subfolders/files. */
function tableKeys(table: Readonly<Record<string, readonly string[]>>, rel: string): string[] {
  return Object.keys(table)
    .filter((k) => within(rel, k))
    .sort((a, b) => a.length - b.length);
}

interface FolderContext {
  code: Codebase;
  pkg: PackageSpec;
  folder: string;
  allowed: readonly string[];
  /** `'cli' (controller) may import only itself and ...` */
  where: string;
}

/** What is wrong with one import under the folder rules, or undefined when it is allowed. */
function folderProblem(c: FolderContext, imp: ImportFact, t: Target): string | undefined {
  const at = `imports '${imp.specifier}'`;
  const widen = `or, if the layering really changed, widen the table in ${c.code.rules.tableFile}`;
  switch (t.kind) {
    case 'library':
      return undefined; // the library rule's business
    case 'package':
      if (t.pkg === c.pkg) return `${at}, its own package by name: import the file by a relative path`;
      return c.allowed.includes(t.pkg.importName) ? undefined : `${at}: ${c.where}; move the code ${widen}`;
    case 'outside':
      if (c.allowed.includes(path.posix.relative(c.pkg.src, t.path))) return undefined;
      return `${at} (${t.path}), not a src file: src imports only src and packages (a file next to src/ can be allowed as '../name')`;
    case 'file': {
      const other = c.code.packageOf(t.path)!;
      if (other !== c.pkg)
        return `${at}: import ${other.importName} by its name, not by a path into ${other.src}`;
      const rel = t.path.slice(c.pkg.src.length + 1);
      if (rel.split('/')[0] === c.folder || c.allowed.some((a) => within(rel, a))) return undefined;
      return `${at} (${t.path}): ${c.where}; move the code, invert the dependency (a port the caller passes in), ${widen}`;
    }
  }
}

export function checkFolders(code: Codebase): Violation[] {
  const { out, report } = collector('folders');
  const unknown = new Set<string>();
  for (const [file, facts] of code.files) {
    const pkg = code.packageOf(file)!;
    const rel = file.slice(pkg.src.length + 1);
    const folder = rel.split('/')[0]!;
    const table = code.rules.folders[pkg.name] ?? {};
    const keys = tableKeys(table, rel);
    if (keys.length === 0) {
      if (unknown.has(`${pkg.name}/${folder}`)) continue;
      unknown.add(`${pkg.name}/${folder}`);
      report(
        file,
        1,
        `${pkg.src}/${folder} is not in the folder table: add '${folder}': [...what it may import]` +
          ` to the ${pkg.name} table in ${code.rules.tableFile} (a new folder is a decision)`,
      );
      continue;
    }
    const allowed = keys.flatMap((k) => table[k]!);
    const where = `'${keys.join("' + '")}' (${pkg.name}) may import only itself and ${list(allowed)}`;
    const c: FolderContext = { code, pkg, folder, allowed, where };
    for (const imp of facts.imports) {
      const problem = folderProblem(c, imp, code.resolve(file, imp.specifier));
      if (problem) report(file, imp.line, problem);
    }
  }
  return out;
}

export function checkLibraries(code: Codebase): Violation[] {
  const { libraries, tableFile } = code.rules;
  const { out, report } = collector('libraries');
  for (const [file, facts] of code.files) {
    for (const imp of facts.imports) {
      const t = code.resolve(file, imp.specifier);
      if (t.kind !== 'library') continue;
      const allowed = libraries[t.name];
      if (allowed === undefined && !t.name.startsWith('node:')) {
        report(
          file,
          imp.line,
          `imports '${t.name}', which is not in the library table: add it to ${tableFile}` +
            ' with the one file that may import it (the adapter everything else goes through)',
        );
      } else if (allowed !== undefined && !allowed.some((a) => within(file, a))) {
        report(
          file,
          imp.line,
          `imports '${t.name}': only ${list(allowed)} may; use what that module exports` +
            ' (or move this code there)',
        );
      }
    }
  }
  return out;
}

export function checkWriters(code: Codebase): Violation[] {
  const { out, report } = collector('state-writers');
  for (const rule of code.rules.writers) {
    for (const [file, facts] of code.files) {
      if (rule.allowedIn.some((a) => within(file, a))) continue;
      for (const m of facts.members) {
        if (m.name !== rule.method || !rule.receiver.test(m.receiver)) continue;
        report(
          file,
          m.line,
          `${m.receiver}.${m.name}() writes the ${rule.what} outside its owner:` +
            ` ask ${rule.owner} for the transition instead`,
        );
      }
    }
  }
  return out;
}

export function checkSql(code: Codebase): Violation[] {
  const { allowedIn, prepareReceiver, statement } = code.rules.sql;
  const { out, report } = collector('sql');
  const fix = `move the query into a repository in ${list(allowedIn)} and call that`;
  for (const [file, facts] of code.files) {
    if (allowedIn.some((a) => within(file, a))) continue;
    for (const m of facts.members) {
      const sqlArg = m.literalArg !== undefined && statement.test(m.literalArg);
      if (m.name === 'prepare' && (sqlArg || prepareReceiver.test(m.receiver))) {
        report(file, m.line, `${m.receiver}.prepare() prepares SQL outside the store: ${fix}`);
      }
    }
    for (const lit of facts.literals) {
      const head = lit.text.trim().split(/\s+/).slice(0, 3).join(' ');
      report(file, lit.line, `SQL text '${head} ...' outside the store: ${fix}`);
    }
  }
  return out;
}

export function checkFileSizes(code: Codebase): Violation[] {
  const { out, report } = collector('file-size');
  const max = code.rules.maxLines;
  for (const [file, f] of code.files) {
    if (f.lines > max) report(file, max + 1, `${f.lines} lines (limit ${max}): split it by idea`);
  }
  return out;
}

export function checkCycles(code: Codebase): Violation[] {
  const { out, report } = collector('cycles');
  const graph = code.runtimeGraph();
  for (const members of cyclicComponents(graph)) {
    const steps = shortestCycle(graph, members);
    const route = steps.map((s) => `${s.from}:${s.line}${s.dynamic ? ' (dynamic)' : ''}`).join(' -> ');
    const more = members.length > steps.length ? ` (the tangle also holds ${list(members)})` : '';
    report(
      members[0]!,
      steps[0]?.line ?? 1,
      `runtime import cycle ${route} -> ${members[0]}${more}:` +
        ' make one edge `import type`, pass a port in instead, or move the shared piece down a layer',
      members.join(' <-> '),
    );
  }
  return out;
}

/** Drops what KNOWN_VIOLATIONS allows; reports entries that allow more than exists (lower or delete them). */
export function applyKnown(raw: readonly Violation[], rules: ArchitectureRules): Violation[] {
  const groups = new Map<string, Violation[]>();
  for (const x of raw) {
    const id = `${x.rule} ${x.key}`;
    groups.set(id, [...(groups.get(id) ?? []), x]);
  }
  const { out, report } = collector('known');
  for (const k of rules.knownViolations) {
    const id = `${k.rule} ${k.file}`;
    const found = groups.get(id) ?? [];
    groups.delete(id);
    const note = ` [KNOWN_VIOLATIONS allows ${k.count} here, found ${found.length}: fix the new one]`;
    if (found.length > k.count) out.push(...found.map((x) => ({ ...x, message: x.message + note })));
    if (found.length < k.count) {
      const what = found.length === 0 ? 'delete the entry' : `lower its count to ${found.length}`;
      report(
        k.file,
        1,
        `KNOWN_VIOLATIONS { rule: '${k.rule}', file: '${k.file}', count: ${k.count} }` +
          ` allows more than the ${found.length} left: ${what} in ${rules.tableFile}`,
      );
    }
  }
  for (const found of groups.values()) out.push(...found);
  return out;
}
