import { describe, expect, it } from 'vitest';
import { cell, renderKeyValue, renderTable } from '../../src/cli/output/table.js';

describe('renderTable', () => {
  it('aligns columns three spaces past the widest cell, without trailing spaces', () => {
    const out = renderTable(
      ['NAME', 'PHASE', 'REASON'],
      [
        ['k8s-master-01', 'ready', '-'],
        ['w1', 'provisioning', 'step 3 of 5'],
      ],
    );
    expect(out).toBe(
      [
        'NAME            PHASE          REASON',
        'k8s-master-01   ready          -',
        'w1              provisioning   step 3 of 5',
        '',
      ].join('\n'),
    );
  });

  it('keeps rows on one line', () => {
    expect(renderTable(['A', 'B'], [['x\ny', 'z']])).toBe('A     B\nx y   z\n');
  });
});

describe('renderKeyValue', () => {
  it('aligns values', () => {
    expect(
      renderKeyValue([
        ['Name', 'a'],
        ['Boot source', 'netboot'],
      ]),
    ).toBe('Name:        a\nBoot source: netboot\n');
  });
});

describe('cell', () => {
  it('shows missing values as a dash', () => {
    expect([cell(null), cell(undefined), cell(''), cell(0), cell(false)]).toEqual([
      '-',
      '-',
      '-',
      '0',
      'false',
    ]);
  });
});
