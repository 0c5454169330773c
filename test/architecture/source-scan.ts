/**
 * Reads one TypeScript source file with the compiler's parser (no program, no type checker) and
 * returns the facts the architecture rules look at: its imports, the `.method(` accesses the rules
 * care about, and string literals that start like SQL.
 */
import ts from 'typescript';

export interface ImportFact {
  /** The module specifier as written: `'./db.js'`, `'mqtt'`, `'@osbuild/shared'`. */
  specifier: string;
  line: number;
  /** `import type`, `export type`, `import { type A }` with every specifier typed, or `import('x').T`. */
  typeOnly: boolean;
  /** `await import('x')`: runtime, but loaded lazily. */
  dynamic: boolean;
}

export interface MemberFact {
  /** The member name: `setPhase`, `prepare`. */
  name: string;
  /** The receiver as text without `this.`, optional chaining or whitespace: `d.store.nodes`. */
  receiver: string;
  line: number;
  /** The first call argument when the access is called with a string or template literal. */
  literalArg?: string;
}

export interface LiteralFact {
  text: string;
  line: number;
}

export interface FileFacts {
  lines: number;
  imports: ImportFact[];
  members: MemberFact[];
  /** String and template literals whose text matches `literalPattern` (and are not a member's literalArg). */
  literals: LiteralFact[];
}

export interface ScanOptions {
  /** Member names to record (others are ignored). */
  members: ReadonlySet<string>;
  /** Literals to record, e.g. SQL statements. */
  literalPattern: RegExp;
}

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text;
  return undefined;
}

function everyTyped(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import 'x'` runs x
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && named !== undefined && ts.isNamedImports(named) && everyTyped(named.elements);
}

function exportIsTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && everyTyped(clause.elements);
}

function receiverText(expr: ts.Expression, sf: ts.SourceFile): string {
  return expr
    .getText(sf)
    .replace(/\s+/g, '')
    .replace(/\?\./g, '.')
    .replace(/^this\./, '');
}

export function scanSource(fileName: string, text: string, opts: ScanOptions): FileFacts {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const facts: FileFacts = { lines: 0, imports: [], members: [], literals: [] };
  const consumed = new Set<ts.Node>();
  const addImport = (spec: ts.Expression | undefined, at: ts.Node, typeOnly: boolean, dynamic = false) => {
    if (spec && ts.isStringLiteralLike(spec)) {
      facts.imports.push({ specifier: spec.text, line: lineOf(at), typeOnly, dynamic });
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      addImport(node.moduleSpecifier, node, importIsTypeOnly(node));
    } else if (ts.isExportDeclaration(node)) {
      addImport(node.moduleSpecifier, node, exportIsTypeOnly(node));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      addImport(node.moduleReference.expression, node, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) addImport(arg.literal, node, true);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      addImport(node.arguments[0], node, false, true);
    } else if (ts.isPropertyAccessExpression(node) && opts.members.has(node.name.text)) {
      const member: MemberFact = {
        name: node.name.text,
        receiver: receiverText(node.expression, sf),
        line: lineOf(node.name),
      };
      const call = node.parent;
      const first = ts.isCallExpression(call) && call.expression === node ? call.arguments[0] : undefined;
      const arg = first && literalText(first);
      if (first && arg !== undefined) {
        member.literalArg = arg;
        consumed.add(first);
      }
      facts.members.push(member);
    } else if (!consumed.has(node)) {
      const lit = literalText(node);
      if (lit !== undefined && opts.literalPattern.test(lit))
        facts.literals.push({ text: lit, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);

  const starts = sf.getLineStarts().length;
  facts.lines = text.length === 0 ? 0 : text.endsWith('\n') ? starts - 1 : starts;
  return facts;
}
