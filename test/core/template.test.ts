import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/errors.js';
import { bindColumns, closest, compileTemplate, parseTemplate, templateWarnings } from '../../src/core/template.js';

/** Parses, binds against `columns` and renders one row given as an object. */
function render(text: string, row: Record<string, string | null>): string {
  const template = parseTemplate(text);
  const names = Object.keys(row);
  const binding = bindColumns(template, names, 'data.csv');
  const order = [...new Set(binding.values())];
  return compileTemplate(template, order, binding)(order.map((name) => row[name]));
}

describe('parseTemplate', () => {
  it.each([
    ['Classify: {review}', ['review']],
    ['{a} and {b} and {a}', ['a', 'b']],
    ['{Product Name}: {price}', ['Product Name', 'price']],
    ['no placeholders at all', []],
    ['{{literal}} {x}', ['x']],
    ['{{{x}}}', ['x']],
    ['{ spaced }', [' spaced ']],
    ['{naïve}{日本}', ['naïve', '日本']],
    ['{a-b.c:d}', ['a-b.c:d']],
  ])('%j reads columns %j', (text, columns) => {
    expect(parseTemplate(text).columns).toEqual(columns);
  });

  it('keeps literal text and placeholders in order', () => {
    expect(parseTemplate('A {x} B {{y}} C').parts).toEqual(['A ', { column: 'x' }, ' B {y} C']);
  });

  it.each([
    ['', /is empty/],
    ['   \n', /is empty/],
    ['Classify: {review', /unclosed "\{" at character 11/],
    ['{a {b}', /unclosed "\{" at character 1\b/],
    ['oops } here', /unmatched "\}" at character 6/],
    ['{x}}', /unmatched "\}" at character 4/],
    ['empty {} braces', /empty placeholder "\{\}" at character 7/],
    ['blank {  } braces', /empty placeholder/],
  ])('%j is rejected: %s', (text, message) => {
    const attempt = () => parseTemplate(text);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });

  it('names the template source in the message', () => {
    expect(() => parseTemplate('{x', 'prompt.txt')).toThrow(/\(prompt\.txt\)/);
  });

  it('gives a hint on how to write a literal brace', () => {
    try {
      parseTemplate('json: {"a": 1}}');
      expect.unreachable();
    } catch (error) {
      expect((error as UsageError).hint).toMatch(/\{\{|\}\}/);
    }
  });
});

describe('bindColumns', () => {
  it('binds exact names, and a padded placeholder to the trimmed column', () => {
    const binding = bindColumns(parseTemplate('{ review } {id}'), ['id', 'review'], 'x.csv');
    expect([...binding]).toEqual([[' review ', 'review'], ['id', 'id']]);
  });

  it('prefers a column named with the spaces when one exists', () => {
    const binding = bindColumns(parseTemplate('{ a }'), ['a', ' a '], 'x.csv');
    expect(binding.get(' a ')).toBe(' a ');
  });

  it.each([
    ['{reveiw}', ['id', 'review', 'label'], 'Column "reveiw" in the prompt is not in data.csv (columns: id, review, label). Did you mean "review"?'],
    ['{Review}', ['id', 'review'], 'Did you mean "review"?'],
    ['{product name}', ['Product Name', 'price'], 'Did you mean "Product Name"?'],
    ['{zzzzzz}', ['id', 'review'], 'Column "zzzzzz" in the prompt is not in data.csv (columns: id, review).'],
  ])('%j over %j fails: %s', (text, columns, message) => {
    const attempt = () => bindColumns(parseTemplate(text), columns, 'data.csv');
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(message);
  });

  it('does not suggest anything for an unrelated name', () => {
    expect(() => bindColumns(parseTemplate('{zzzzzz}'), ['id', 'review'], 'data.csv')).not.toThrow(/Did you mean/);
  });

  it('lists at most 30 columns of a wide table', () => {
    const columns = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const attempt = () => bindColumns(parseTemplate('{missing_column}'), columns, 'wide.parquet');
    expect(attempt).toThrow(/c29, …\)/);
    expect(attempt).not.toThrow(/c30/);
  });
});

describe('compileTemplate', () => {
  it.each([
    ['Classify: {review}', { review: 'great' }, 'Classify: great'],
    ['{a}-{b}-{a}', { a: '1', b: '2' }, '1-2-1'],
    ['{{"label": "{label}"}}', { label: 'pos' }, '{"label": "pos"}'],
    ['[{x}]', { x: null }, '[]'],
    ['[{x}]', { x: '' }, '[]'],
    ['{Product Name} costs {price}', { 'Product Name': 'Tea', price: '3' }, 'Tea costs 3'],
    ['{x}', { x: 'has {braces} and }} inside' }, 'has {braces} and }} inside'],
    ['line1\n{x}\nline3', { x: 'a\nb' }, 'line1\na\nb\nline3'],
    ['{ x }!', { x: 'v' }, 'v!'],
  ])('%j with %j renders %j', (text, row, expected) => {
    expect(render(text, row)).toBe(expected);
  });

  it('reads values by the column order it is given, not the template order', () => {
    const template = parseTemplate('{b} then {a}');
    const binding = bindColumns(template, ['a', 'b'], 'x.csv');
    expect(compileTemplate(template, ['a', 'b'], binding)(['A', 'B'])).toBe('B then A');
  });
});

describe('closest', () => {
  it.each([
    ['reveiw', ['review', 'label'], 'review'],
    ['LABEL', ['review', 'label'], 'label'],
    ['x', ['review', 'label'], undefined],
    ['anything', [], undefined],
  ])('%j among %j is %j', (name, candidates, expected) => {
    expect(closest(name, candidates)).toBe(expected);
  });
});

describe('templateWarnings', () => {
  it.each([
    ['Say hello', '--prompt', ['The prompt (--prompt) has no {column} placeholder: every row gets the same prompt.']],
    ['Literal {{braces}} only', 'prompt.txt', ['The prompt (prompt.txt) has no {column} placeholder: every row gets the same prompt.']],
    ['Classify: {review}', '--prompt', []],
  ])('%j', (text, label, expected) => {
    expect(templateWarnings(parseTemplate(text, label), label)).toEqual(expected);
  });
});
