import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { jobIds, PROMPT, reviewsCsv, storedRecord } from '../helpers/jobs.js';
import { startS3, type S3Server } from '../helpers/s3-server.js';

// Several files read as one table: a local glob, a folder, an S3 key pattern. Split from one
// table, they must give exactly that table's output, in the files' sorted order; and resume
// must notice any one of them changing, or a file more or less.

const ROWS = 200;
const PARTS = 4;
const { dir, cleanup } = tempDir('evalctl-sources-many-');
const home = join(dir, 'home');
let s3: S3Server;
let expected: Buffer;
const create = (source: string, output: string) => runCli(['create', source, '-p', PROMPT, '-m', 'echo', '-o', output], { cwd: dir, env: { EVALCTL_HOME: home, ...s3.env } });

beforeAll(async () => {
  s3 = await startS3(['lake']);
  const lines = readFileSync(await reviewsCsv(dir, 'data.csv', ROWS), 'utf8').trimEnd().split('\n');
  const [header, ...rows] = lines;
  mkdirSync(join(dir, 'parts', 'zz'), { recursive: true });
  const per = ROWS / PARTS;
  for (let part = 0; part < PARTS; part++) {
    const text = `${[header, ...rows.slice(part * per, (part + 1) * per)].join('\n')}\n`;
    // One in a subfolder: the sorted path (zz/ after part-*) decides where its rows go.
    const name = part === PARTS - 1 ? join('zz', `part-${part}.csv`) : `part-${part}.csv`;
    writeFileSync(join(dir, 'parts', name), text);
    await s3.put('lake', `tables/reviews/${name.replace('\\', '/')}`, text);
  }
  writeFileSync(join(dir, 'parts', '.hidden.csv'), `${header}\nnot,a row\n`);
  await s3.put('lake', 'tables/reviews/notes.txt', 'not a table');
  const local = await create('data.csv', 'whole.csv');
  expect(local.code, local.stderr).toBe(0);
  expected = readFileSync(join(dir, 'whole.csv'));
});
afterAll(async () => { await s3?.close(); cleanup(); });

describe('several files read as one table in sorted order', () => {
  it.each([
    ['a folder (recursive, hidden files skipped)', 'parts', PARTS],
    ['a glob across folders', 'parts/**/*.csv', PARTS],
    ['a glob in one folder', 'parts/*.csv', PARTS - 1],
    ['an S3 key pattern', 's3://lake/tables/reviews/**.csv', PARTS],
  ] as const)('%s: %s', async (_name, source, files) => {
    const output = `out-${jobIds(home).length}.csv`;
    const result = await create(source, output);
    expect(result.code, result.stderr).toBe(0);
    const out = readFileSync(join(dir, output), 'utf8');
    const want = expected.toString('utf8').split('\n').slice(0, 1 + files * (ROWS / PARTS)).join('\n');
    expect(out.trimEnd()).toBe(want.trimEnd());
    const job = storedRecord(home, latest());
    expect(job.source.files).toHaveLength(files);
    expect(job.progress.total).toBe(files * (ROWS / PARTS));
  });
});

describe('resume checks every file of the table', () => {
  it.each([
    ['one file edited', (path: string) => writeFileSync(path, readFileSync(path, 'utf8').replace('review 60', 'review 6x')), /changed since job \w+ started/],
    ['one file more', () => writeFileSync(join(dir, 'parts', 'part-9.csv'), 'id,review\n999,extra\n'), /The files matching .*parts changed since job \w+ started \(5 now, 4 then\)/],
  ] as const)('%s', async (_name, change, message) => {
    const result = await create('parts', `resume-${jobIds(home).length}.csv`);
    expect(result.code, result.stderr).toBe(0);
    const id = latest();
    const record = storedRecord(home, id);
    writeFileSync(join(home, 'jobs', id, 'job.json'), JSON.stringify({ ...record, status: 'cancelled' }));
    const snapshot = new Map(record.source.files.map((file: { path: string }) => [file.path, readFileSync(file.path)]));
    change(record.source.files[1].path);
    try {
      const resumed = await runCli(['resume', id], { cwd: dir, env: { EVALCTL_HOME: home } });
      expect(resumed.code).toBe(1);
      expect(resumed.stderr).toMatch(message);
    } finally {
      for (const [path, bytes] of snapshot) writeFileSync(path as string, bytes as Buffer);
      try { (await import('node:fs')).rmSync(join(dir, 'parts', 'part-9.csv')); } catch { /* not made */ }
    }
  });
});

function latest(): string {
  return jobIds(home).map((id) => storedRecord(home, id)).sort((a, b) => b.created_at.localeCompare(a.created_at))[0].id;
}
