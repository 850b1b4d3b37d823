import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateSource } from '../../src/core/source/locate.js';
import { sniffFormat } from '../../src/core/source/stdin.js';
import { differs } from '../../src/core/source/verify.js';

const cwd = '/work/project';

describe('locateSource', () => {
  it.each([
    ['data/a.csv', {}, { kind: 'file', path: '/work/project/data/a.csv' }],
    ['file:///tmp/a.parquet', {}, { kind: 'file', path: '/tmp/a.parquet' }],
    ['-', {}, { kind: 'stdin' }],
    ['https://example.com/d/train.parquet?x=1', {}, { kind: 'http', name: 'train.parquet', target: { url: 'https://example.com/d/train.parquet?x=1', headers: {}, label: 'https://example.com/d/train.parquet?x=1' } }],
    ['https://u:p%40ss@example.com/a.csv?sig=abc&X-Amz-Signature=def', {}, { kind: 'http', target: { url: 'https://example.com/a.csv?sig=abc&X-Amz-Signature=def', headers: { authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}` }, label: 'https://***:***@example.com/a.csv?sig=***&X-Amz-Signature=***' } }],
    ['hf://datasets/acme/reviews/data/train.csv', {}, { kind: 'http', name: 'train.csv', target: { url: 'https://huggingface.co/datasets/acme/reviews/resolve/main/data/train.csv', headers: {}, label: 'hf://datasets/acme/reviews/data/train.csv' } }],
    ['hf://datasets/acme/reviews@refs/convert/x.csv', { HF_ENDPOINT: 'http://127.0.0.1:9999/', HF_TOKEN: 'hf_abc' }, { kind: 'http', target: { url: 'http://127.0.0.1:9999/datasets/acme/reviews/resolve/refs/convert/x.csv', headers: { authorization: 'Bearer hf_abc' } } }],
    ['hf://datasets/acme/reviews@v1.0/a%20b/c d.csv', {}, { kind: 'http', name: 'c d.csv', target: { url: 'https://huggingface.co/datasets/acme/reviews/resolve/v1.0/a%2520b/c%20d.csv' } }],
    ['s3://bucket/dir/key.parquet', {}, { kind: 's3', name: 'key.parquet', target: { bucket: 'bucket', key: 'dir/key.parquet', endpoint: null, label: 's3://bucket/dir/key.parquet' } }],
    ['s3://bucket/key.csv', { AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' }, { kind: 's3', target: { endpoint: 'http://127.0.0.1:9000' } }],
    ['s3://bucket/key.csv', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://b' }, { kind: 's3', target: { endpoint: 'http://b' } }],
  ] as const)('%s %j', (source, env, expected) => {
    expect(locateSource(source, { cwd, env })).toMatchObject(expected);
  });

  it('prefers --s3-endpoint to the environment', () => {
    expect(locateSource('s3://b/k.csv', { cwd, env: { AWS_ENDPOINT_URL: 'http://env' }, s3Endpoint: 'http://flag' })).toMatchObject({ target: { endpoint: 'http://flag' } });
  });

  it.each([
    ['ftp://user:pw@host/a.csv', /^Cannot read ftp:\/\/ sources \(ftp:\/\/\*\*\*:\*\*\*@host\/a\.csv\)\.$/],
    ['gs://bucket/a.csv', /^Cannot read gs:\/\/ sources/],
    ['s3://bucket-only', /^s3:\/\/bucket-only is not an S3 object URL\.$/],
    ['hf://models/acme/m/a.csv', /^hf:\/\/models\/acme\/m\/a\.csv is not a Hugging Face dataset file\.$/],
    ['hf://datasets/acme/reviews', /is not a Hugging Face dataset file/],
  ])('refuses %s in one line', (source, message) => {
    expect(() => locateSource(source, { cwd, env: {} })).toThrow(message);
  });
});

describe('sniffFormat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evalctl-sniff-'));
  it.each([
    ['a,b\n1,2\n', 'csv'],
    ['a\tb\tc,d\n1\t2\t3\n', 'tsv'],
    ['\uFEFF{"a":1}\n{"a":2}\n', 'jsonl'],
    ['  [{"a":1}]', 'json'],
    ['PAR1....PAR1', 'parquet'],
    ['only one column\nx\n', 'csv'],
  ])('%j is %s', (text, format) => {
    const path = join(dir, `${format}-${Math.random()}`);
    writeFileSync(path, text);
    expect(sniffFormat(path)).toBe(format);
  });
});

describe('differs (remote change on resume)', () => {
  const meta = { etag: '"a"', last_modified: 'Mon, 01 Jan 2024 00:00:00 GMT', size: 10 };
  it.each([
    [meta, undefined],
    [{ ...meta, etag: '"b"' }, 'ETag "a" -> "b"'],
    // An ETag decides when both have one: a re-upload of the same bytes keeps it on S3.
    [{ ...meta, last_modified: 'Tue, 02 Jan 2024 00:00:00 GMT' }, undefined],
    [{ ...meta, etag: null, size: 11 }, 'size 10 -> 11 bytes'],
    [{ ...meta, etag: null, last_modified: 'Tue, 02 Jan 2024 00:00:00 GMT' }, 'Last-Modified Mon, 01 Jan 2024 00:00:00 GMT -> Tue, 02 Jan 2024 00:00:00 GMT'],
  ])('%j -> %s', (now, expected) => {
    expect(differs(meta, now)).toBe(expected);
  });
});
