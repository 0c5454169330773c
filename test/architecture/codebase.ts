/** The scanned source tree: every .ts file under the packages' src roots, and import resolution. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import type { Edge } from './cycles.ts';
import type { ArchitectureRules, PackageSpec } from './import-rules.ts';
import { type FileFacts, scanSource } from './source-scan.ts';

export type Target =
  | { kind: 'file'; path: string }
  | { kind: 'package'; pkg: PackageSpec; path: string }
  | { kind: 'library'; name: string }
  | { kind: 'outside'; path: string };

/** `p` is `entry` or inside the folder `entry`. */
export function within(p: string, entry: string): boolean {
  const e = entry.replace(/\/+$/, '');
  return p === e || p.startsWith(`${e}/`);
}

/** Repo-relative paths of the .ts files under `dir`, sorted. */
function listTs(root: string, dir: string): string[] {
  if (!existsSync(path.join(root, dir))) return [];
  const found: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) found.push(...listTs(root, rel));
    else if (entry.isFile() && entry.name.endsWith('.ts')) found.push(rel);
  }
  return found.sort();
}

const BUILTINS = new Set(builtinModules);

export class Codebase {
  readonly files = new Map<string, FileFacts>();

  constructor(
    readonly root: string,
    readonly rules: ArchitectureRules,
  ) {
    const members = new Set([...rules.writers.map((w) => w.method), 'prepare']);
    for (const pkg of rules.packages) {
      for (const file of listTs(root, pkg.src)) {
        const text = readFileSync(path.join(root, file), 'utf8');
        this.files.set(file, scanSource(file, text, { members, literalPattern: rules.sql.statement }));
      }
    }
  }

  packageOf(file: string): PackageSpec | undefined {
    return this.rules.packages.find((p) => within(file, p.src));
  }

  resolve(from: string, specifier: string): Target {
    if (specifier.startsWith('.')) {
      const base = path.posix.join(path.posix.dirname(from), specifier);
      const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`];
      const hit = candidates.find((c) => this.files.has(c) || existsSync(path.join(this.root, c)));
      const resolved = hit ?? base;
      return this.packageOf(resolved) && this.files.has(resolved)
        ? { kind: 'file', path: resolved }
        : { kind: 'outside', path: resolved };
    }
    const bare = specifier.replace(/^node:/, '');
    if (specifier.startsWith('node:') || BUILTINS.has(bare.split('/')[0]!)) {
      return { kind: 'library', name: `node:${bare.split('/')[0]}` }; // node:fs/promises is node:fs
    }
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    const pkg = this.rules.packages.find((p) => p.importName === name);
    if (pkg) return { kind: 'package', pkg, path: `${pkg.src}/index.ts` };
    return { kind: 'library', name };
  }

  /** Runtime import edges between src files (type-only imports left out). */
  runtimeGraph(): Map<string, Edge[]> {
    const graph = new Map<string, Edge[]>();
    for (const [file, facts] of this.files) {
      const edges: Edge[] = [];
      for (const imp of facts.imports) {
        if (imp.typeOnly) continue;
        const t = this.resolve(file, imp.specifier);
        if ((t.kind === 'file' || t.kind === 'package') && this.files.has(t.path)) {
          edges.push({ to: t.path, line: imp.line, dynamic: imp.dynamic });
        }
      }
      graph.set(file, edges);
    }
    return graph;
  }
}
