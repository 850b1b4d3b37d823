import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/core/dataset.js';
import { renamedHeaderWarning } from '../../src/core/header.js';
import { tempDir } from '../helpers/cli.js';

const { dir, cleanup } = tempDir('evalctl-header-');
afterAll(cleanup);

describe('renamedHeaderWarning', () => {
  it.each([
    [['id', 'x', 'x', null], ['id', 'x', 'x_1', 'column3'], 'DuckDB calls them x_1 (the second "x"), column3 (column 4, no name).'],
    [['a', 'a', 'a'], ['a', 'a_1', 'a_2'], 'DuckDB calls them a_1 (the second "a"), a_2 (the third "a").'],
    [['id', ''], ['id', 'column1'], 'DuckDB calls them column1 (column 2, no name).'],
    [['id', 'x_1', 'column3'], ['id', 'x_1', 'column3'], undefined],
    [['id', 'x'], ['id', 'x', 'y'], undefined],
  ])('%j -> %j', (header, names, expected) => {
    const warning = renamedHeaderWarning('t.csv', header, names);
    if (expected === undefined) expect(warning).toBeUndefined();
    else expect(warning).toBe(`The header of t.csv has duplicate or empty names; ${expected} Use these names in {placeholders}.`);
  });
});

describe('Dataset.open: header names DuckDB changed', () => {
  it.each([
    ['dup.csv', 'id,review,review,,label,\n1,a,b,c,d,e\n', ['id', 'review', 'review_1', 'column3', 'label', 'column5'],
      ['The header of dup.csv has duplicate or empty names; DuckDB calls them review_1 (the second "review"), column3 (column 4, no name), column5 (column 6, no name). Use these names in {placeholders}.']],
    ['dup.tsv', 'id\treview\treview\n1\ta\tb\n', ['id', 'review', 'review_1'],
      ['The header of dup.tsv has duplicate or empty names; DuckDB calls them review_1 (the second "review"). Use these names in {placeholders}.']],
    ['fine.csv', 'id,review_1,column3\n1,a,b\n', ['id', 'review_1', 'column3'], []],
    ['plain.csv', 'id,review\n1,a\n', ['id', 'review'], []],
  ])('%s', async (name, content, columns, warnings) => {
    writeFileSync(join(dir, name), content);
    const dataset = await Dataset.open(join(dir, name));
    try {
      expect(dataset.columns.map((c) => c.name)).toEqual(columns);
      expect(dataset.warnings).toEqual(warnings);
    } finally {
      dataset.close();
    }
  });
});

describe('Dataset.open: a column named like evalctl\'s row numbers', () => {
  it.each([
    ['__evalctl_row,review\n7,a\n8,b\n', '__evalctl_row', '__evalctl_row_2'],
    ['__EVALCTL_ROW,__evalctl_row_2,review\n7,x,a\n8,y,b\n', '__EVALCTL_ROW', '__evalctl_row_3'],
    ['id,review\n7,a\n8,b\n', 'id', '__evalctl_row'],
  ])('%j', async (content, column, rowColumn) => {
    writeFileSync(join(dir, 'internal.csv'), content);
    const dataset = await Dataset.open(join(dir, 'internal.csv'));
    try {
      expect(dataset.rowColumn).toBe(rowColumn);
      const chunks = [];
      for await (const chunk of dataset.stream([column, 'review'])) chunks.push(chunk);
      expect(chunks).toEqual([{ rows: [0, 1], values: [['7', 'a'], ['8', 'b']] }]);
    } finally {
      dataset.close();
    }
  });
});
