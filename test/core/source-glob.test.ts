import { describe, expect, it } from 'vitest';
import { fixedPrefix, isPattern, patternRegExp } from '../../src/core/source/glob.js';

describe('patternRegExp', () => {
  it.each([
    ['data/*.parquet', 'data/a.parquet', true],
    ['data/*.parquet', 'data/sub/a.parquet', false],
    ['data/*.parquet', 'data/a.parquet.bak', false],
    ['data/**/*.csv', 'data/a.csv', true],
    ['data/**/*.csv', 'data/x/y/a.csv', true],
    ['data/**.csv', 'data/x/a.csv', true],
    ['part-?.csv', 'part-1.csv', true],
    ['part-?.csv', 'part-10.csv', false],
    ['a+b(1).csv', 'a+b(1).csv', true],
    ['a.csv', 'abcsv', false],
  ])('%s ~ %s: %s', (pattern, path, matches) => {
    expect(patternRegExp(pattern).test(path)).toBe(matches);
  });
});

describe('isPattern and fixedPrefix', () => {
  it.each([
    ['data/*.parquet', true, 'data/'],
    ['tables/reviews/**.csv', true, 'tables/reviews/'],
    ['data/part-?.csv', true, 'data/part-'],
    ['data/a.csv', false, 'data/a.csv'],
  ])('%s', (text, pattern, prefix) => {
    expect(isPattern(text)).toBe(pattern);
    expect(fixedPrefix(text)).toBe(prefix);
  });
});
