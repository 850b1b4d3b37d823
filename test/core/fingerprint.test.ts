import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSourceUnchanged, edgeFingerprint, fingerprintFile } from '../../src/core/fingerprint.js';
import { tempDir } from '../helpers/cli.js';

const temp = tempDir('evalctl-fingerprint-');
afterAll(() => temp.cleanup());

/** 300 KB of text: its middle is outside the first and last 64 KiB. */
const ORIGINAL = Buffer.from('id,text\n' + Array.from({ length: 3000 }, (_, i) => `${i},${'x'.repeat(94)}`).join('\n') + '\n');
const middleEdit = (): Buffer => { const b = Buffer.from(ORIGINAL); b[b.length >> 1] ^= 1; return b; };
const lastByteEdit = (): Buffer => { const b = Buffer.from(ORIGINAL); b[b.length - 2] ^= 1; return b; };
const appended = (): Buffer => Buffer.concat([ORIGINAL, Buffer.from('3000,y\n')]);

function source(name: string, content: Buffer): string {
  const path = join(temp.dir, name);
  writeFileSync(path, content);
  return path;
}

describe('fingerprintFile', () => {
  it('is sha256 of the whole file, with a prefix, the size and the mtime', () => {
    const path = source('a.csv', ORIGINAL);
    const print = fingerprintFile(path);
    expect(print.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(print.size).toBe(ORIGINAL.length);
    expect(print.mtime_ms).toBeGreaterThan(0);
    expect(fingerprintFile(source('b.csv', middleEdit())).fingerprint).not.toBe(print.fingerprint);
  });

  it('of an empty file is the hash of nothing', () => {
    expect(fingerprintFile(source('empty.csv', Buffer.alloc(0))).fingerprint).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('checkSourceUnchanged', () => {
  const cases: { name: string; record: 'sha256' | 'edge'; now: () => Buffer; accepted: boolean }[] = [
    { name: 'same file', record: 'sha256', now: () => ORIGINAL, accepted: true },
    { name: 'one byte flipped in the middle, same size', record: 'sha256', now: middleEdit, accepted: false },
    { name: 'one byte flipped near the end', record: 'sha256', now: lastByteEdit, accepted: false },
    { name: 'a row appended', record: 'sha256', now: appended, accepted: false },
    // Jobs created by evalctl 0.1 hold the edge fingerprint; they still resume.
    { name: 'same file, 0.1 record', record: 'edge', now: () => ORIGINAL, accepted: true },
    { name: 'one byte flipped near the end, 0.1 record', record: 'edge', now: lastByteEdit, accepted: false },
    { name: 'a row appended, 0.1 record', record: 'edge', now: appended, accepted: false },
  ];
  for (const c of cases) it(`${c.accepted ? 'accepts' : 'refuses'}: ${c.name}`, () => {
    const path = source('job.csv', ORIGINAL);
    const record = { path, size: ORIGINAL.length, fingerprint: c.record === 'sha256' ? fingerprintFile(path).fingerprint : edgeFingerprint(path) };
    if (c.record === 'edge') expect(record.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    writeFileSync(path, c.now());
    const check = () => checkSourceUnchanged(record, 'abc123');
    if (c.accepted) expect(check).not.toThrow();
    else expect(check).toThrow(`The source ${path} changed since job abc123 started`);
  });

  it('refuses a source that is gone', () => {
    expect(() => checkSourceUnchanged({ path: join(temp.dir, 'gone.csv'), size: 1, fingerprint: 'sha256:00' }, 'abc123')).toThrow('cannot be read any more');
  });
});
