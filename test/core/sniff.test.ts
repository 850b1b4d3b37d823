import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkContent, headerShape, lineLongerThan } from '../../src/core/sniff.js';
import { tempDir } from '../helpers/cli.js';

const temp = tempDir('evalctl-sniff-');
afterAll(() => temp.cleanup());
let n = 0;
const file = (content: string | Buffer, extension = 'csv'): string => {
  const path = join(temp.dir, `f${n++}.${extension}`);
  writeFileSync(path, content);
  return path;
};

/** 3 MB of lines mixing 1- to 4-byte characters: pieces of 1 MiB cut through characters. */
const multibyte = (lines: number) => `id,text\n${Array.from({ length: lines }, (_, i) => `${i},é€😀 ${'ab'.repeat(i % 7)}\n`).join('')}`;

describe('checkContent: UTF-8 over the whole file', () => {
  it.each([
    ['valid, characters across piece boundaries', () => multibyte(150_000), undefined],
    // 'id,text\n1,' is 10 bytes: the emoji's 4 bytes start 2 bytes before the 1 MiB mark.
    ['valid, an emoji astride the 1 MiB mark', () => `id,text\n1,${'a'.repeat(1024 * 1024 - 12)}😀\n2,b\n`, undefined],
    ['a Latin-1 byte on line 100,002', () => Buffer.concat([Buffer.from(multibyte(100_000)), Buffer.from('x,caf\xe9\n', 'latin1')]), 'line 100002'],
    ['a Latin-1 byte on line 2', () => Buffer.from('id,text\n1,caf\xe9\n', 'latin1'), 'line 2'],
    ['a character cut off at the end', () => Buffer.concat([Buffer.from('id,text\n1,ok\n2,'), Buffer.from('€').subarray(0, 2)]), 'line 3'],
  ])('%s', (_name, content, line) => {
    const check = () => checkContent(file(content()), 'csv');
    if (line === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(`(${line} has a byte that is not UTF-8): try --encoding latin-1.`);
  });

  it('accepts the same Latin-1 bytes with --encoding latin-1', () => {
    expect(() => checkContent(file(Buffer.from('id,text\n1,caf\xe9\n', 'latin1')), 'csv', 'latin-1')).not.toThrow();
  });
});

describe('headerShape', () => {
  it.each([
    ['id,review,label\n1,a,b\n', 'csv', ',', 3],
    ['id;review\n1;a,b\n', 'csv', ';', 2],
    ['id\treview\ttext, with comma\n', 'tsv', '\t', 3],
    [`${Array.from({ length: 3000 }, (_, i) => `c${i}`).join('|')}\n`, 'csv', '|', 3000],
  ] as const)('%j', (content, format, delimiter, fields) => {
    expect(headerShape(file(content), format)).toEqual({ delimiter, fields });
  });
});

describe('lineLongerThan', () => {
  it.each([
    ['a\nbb\nccc\n', 2, 3],
    ['a\nbbb\ncc\n', 2, 2],
    ['a\nbb\n', 2, undefined],
    [`a\n${'x'.repeat(3 * 1024 * 1024)}\nb\n`, 2_000_000, 2],
    [`a\n${'x'.repeat(3 * 1024 * 1024)}`, 2_000_000, 2],
  ])('line over %#', (content, limit, line) => {
    expect(lineLongerThan(file(content), limit)).toBe(line);
  });
});
