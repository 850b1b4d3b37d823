import { describe, expect, it } from 'vitest';
import { choiceSql, labelSql, numberSql, parseChoices } from '../../src/core/score/labels.js';
import { literal } from '../../src/core/sql.js';
import { duckdb } from '../helpers/table.js';

// Normalisation runs as SQL inside DuckDB: each case goes through a real DuckDB.
const sqlOf = async (expression: string) => (await duckdb(`SELECT ${expression} AS v`))[0].v;
const text = (value: string | null) => (value === null ? 'NULL::VARCHAR' : literal(value));

describe('labelSql: trim, case-fold, strip surrounding punctuation and quotes', () => {
  it.each([
    [' "Positive!". ', 'positive'],
    ['NEGATIVE', 'negative'],
    ["'neutral'", 'neutral'],
    ['`yes`', 'yes'],
    ['(maybe)', 'maybe'],
    ["it's fine", "it's fine"],
    ['  ... ', null],
    ['', null],
    [null, null],
    ['1.0', '1'],
    ['"42".', '42'],
    ['-3', '-3'],
    ['2.50', '2.5'],
    ['007', '7'],
    ['nan', 'nan'],
  ])('%j -> %j', async (value, expected) => {
    expect(await sqlOf(labelSql(text(value)))).toBe(expected);
  });

  it('a typed number and its text are the same label', async () => {
    expect(await sqlOf(labelSql('1.0::DOUBLE'))).toBe('1');
    expect(await sqlOf(labelSql('true'))).toBe('true');
  });
});

describe('numberSql', () => {
  it.each([
    ['42', 42], [' -1.5 ', -1.5], ['"3".', 3], ['1e3', 1000], ['abc', null], ['inf', null], ['', null],
  ])('%j -> %j', async (value, expected) => {
    const got = await sqlOf(numberSql(text(value)));
    expect(got === null ? null : Number(got)).toBe(expected);
  });
});

describe('choiceSql: the one allowed label a free-text answer names', () => {
  const choices = ['positive', 'negative', 'neutral'];
  it.each([
    ['Positive', 'positive'],
    ['Neutral!', 'neutral'],
    ['I think it is positive.', 'positive'],
    ['POSITIVE sentiment', 'positive'],
    ['positive or negative', null],
    ['positively glowing', null],
    ['no idea', null],
    ['', null],
  ])('%j -> %j', async (answer, expected) => {
    expect(await sqlOf(choiceSql(text(answer), choices))).toBe(expected);
  });

  it.each([
    ['very positive', 'very positive'],
    ['Positive', 'positive'],
    // Both labels are mentioned as words: invalid (the README says so).
    ['it is very positive', null],
  ])('with labels that contain each other: %j -> %j', async (answer, expected) => {
    expect(await sqlOf(choiceSql(text(answer), ['very positive', 'positive']))).toBe(expected);
  });
});

describe('parseChoices', () => {
  it('trims and case-folds', () => expect(parseChoices(' Positive,negative , NEUTRAL')).toEqual(['positive', 'negative', 'neutral']));
  it.each([
    ['a,,b', /empty choice/],
    ['a,b,A', /lists "a" twice/],
    ['a', /at least two/],
  ])('refuses %j', (value, message) => expect(() => parseChoices(value)).toThrow(message));
});
