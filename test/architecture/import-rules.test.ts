/**
 * The module rules of docs/architecture.md, checked on shared/src, agent/src and controller/src.
 * The tables are in rules-table.ts; the engine is import-rules.ts. Prints nothing when all rules hold;
 * otherwise the failure lists every violation as `file:line [rule] what is wrong: what to do`.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkArchitecture, formatViolations, type RuleId, type Violation } from './import-rules.ts';
import { REPO_RULES } from './rules-table.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let violations: Violation[] = [];

function expectNone(rule: RuleId): void {
  const found = violations.filter((v) => v.rule === rule);
  if (found.length > 0) {
    expect.fail(`${found.length} violation(s) of rule '${rule}':\n${formatViolations(found)}\n`);
  }
}

describe('architecture rules (test/architecture/rules-table.ts)', () => {
  beforeAll(() => {
    violations = checkArchitecture(ROOT, REPO_RULES);
  });

  it('each folder imports only the folders its table entry allows (and every folder has an entry)', () =>
    expectNone('folders'));
  it('each third-party library is imported only by its adapter', () => expectNone('libraries'));
  it('only the lifecycle owners write node phases and command states', () => expectNone('state-writers'));
  it('only store/ prepares SQL', () => expectNone('sql'));
  it(`no src file is over ${REPO_RULES.maxLines} lines`, () => expectNone('file-size'));
  it('there is no runtime import cycle', () => expectNone('cycles'));
  it('KNOWN_VIOLATIONS lists only what still exists', () => expectNone('known'));
});
