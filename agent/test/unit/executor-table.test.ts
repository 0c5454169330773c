import { STEP_KINDS, type StepKind } from '@osbuild/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { executors } from '../../src/steps/executors.js';
import type { Executor, ExecutorTable } from '../../src/steps/types.js';

describe('executor table', () => {
  it('has an executor for every step kind (runtime)', () => {
    for (const kind of STEP_KINDS) expect(typeof executors[kind], kind).toBe('function');
    expect(Object.keys(executors).sort()).toEqual([...STEP_KINDS].sort());
  });

  it('is exhaustive over StepKind (type level)', () => {
    expectTypeOf<keyof ExecutorTable>().toEqualTypeOf<StepKind>();
    expectTypeOf(executors['run-script']).toEqualTypeOf<Executor<'run-script'>>();
    // @ts-expect-error a table missing a kind does not compile
    const partial: ExecutorTable = { 'set-hostname': executors['set-hostname'] };
    expect(partial).toBeDefined();
  });
});
