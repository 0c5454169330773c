import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderOutput } from '../../src/cli/output/format.js';
import { NODE_LIST } from '../fixtures/cli-nodes.js';

describe('renderOutput', () => {
  const table = () => 'TABLE';

  it('json is the data exactly, as valid JSON', () => {
    const out = renderOutput('json', NODE_LIST, table);
    expect(JSON.parse(out)).toEqual(NODE_LIST);
    expect(out.endsWith('\n')).toBe(true);
  });

  it('json keeps every nodes ls field, nulls included', () => {
    const first = (JSON.parse(renderOutput('json', NODE_LIST, table)) as object[])[1];
    expect(Object.keys(first ?? {}).sort()).toEqual(
      [
        'name',
        'nodeId',
        'hostname',
        'mac',
        'serial',
        'role',
        'ip',
        'phase',
        'reason',
        'online',
        'lastSeen',
        'phaseSince',
        'conditions',
      ].sort(),
    );
  });

  it('yaml round-trips to the same data', () => {
    expect(parse(renderOutput('yaml', NODE_LIST, table))).toEqual(NODE_LIST);
  });

  it('table uses the human view and ends with a newline', () => {
    expect(renderOutput('table', NODE_LIST, table)).toBe('TABLE\n');
  });
});
