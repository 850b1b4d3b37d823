import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StubOptions } from '../stub/server.js';
import { stubAnswer } from '../stub/server.js';
import type { Wire } from '../helpers/create.js';
import { benchFactory, errorLines } from '../helpers/faults.js';
import { answerLines, promptFor } from '../helpers/jobs.js';
import { readTable } from '../helpers/table.js';

// A 200 with nothing usable in it is a failure, never an answer (issue 9): the real SDKs against
// a stub that answers with empty choices, null content, an HTML login page or a broken body.

const benches = benchFactory();
afterAll(benches.close);

type Malformed = NonNullable<StubOptions['malformed']>;

const UNUSABLE: [Wire, Malformed][] = [
  ['openai', 'no-choices'], ['openai', 'null-content'], ['openai', 'html'], ['openai', 'not-json'],
  ['anthropic', 'null-content'], ['anthropic', 'html'], ['anthropic', 'not-json'],
];

describe('a server that answers every request with nothing usable', () => {
  it.each(UNUSABLE)('%s wire, %s: the run stops early with one line, no output, nothing cached', async (wire, malformed) => {
    const bench = await benches.make(30, { malformed });
    const result = await bench.run(['-o', 'out.csv'], { wire });
    expect(result.code, result.stderr).toBe(1);
    const errors = errorLines(result.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(wire === 'openai' ? /does not answer like an OpenAI-compatible API/ : /does not answer like an Anthropic API/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    // Stopped after the first wave, not after trying every row.
    expect(bench.stub.stats().requests).toBeLessThanOrEqual(16);
    expect(readdirSync(bench.root)).not.toContain('out.csv');
    // Never cached: once the server is fixed, the same command sends every row.
    bench.stub.configure({ malformed: null as never });
    bench.stub.reset();
    const again = await bench.run(['-o', 'out.csv'], { wire });
    expect(again.code, again.stderr).toBe(0);
    expect(bench.stub.stats().paid).toBe(30);
  });
});

describe('some rows answered with nothing usable', () => {
  it.each([
    ['openai', 'null-content', 'bad-response', /no content/],
    ['openai', 'content-filter', 'refusal', /^refused: I cannot help with that\./],
    ['anthropic', 'content-filter', 'refusal', /^refused: /],
    ['anthropic', 'null-content', 'bad-response', /not a message/],
  ] as [Wire, Malformed, string, RegExp][])('%s wire, %s: those rows fail as %s, the rest are answered', async (wire, malformed, kind, message) => {
    // Rows 5 and 15 ("review 5", "review 15") get the unusable answer; "review 1" alone would match 10-19 too.
    const bench = await benches.make(20, { malformed, malformedPrompts: [promptFor(5), promptFor(15)] });
    const result = await bench.run(['-o', 'out.csv', '--max-retries', '0'], { wire });
    expect(result.code, result.stderr).toBe(3);
    const rows = (await readTable(join(bench.root, 'out.csv'))).rows;
    rows.forEach((row, i) => {
      if (i === 5 || i === 15) {
        expect([row.answer, row.answer_status]).toEqual([null, 'failed']);
        expect(String(row.answer_error)).toMatch(message);
      } else {
        expect([row.answer, row.answer_status, row.answer_error]).toEqual([stubAnswer(promptFor(i)), 'answered', null]);
      }
    });
    const id = readdirSync(join(bench.home, 'jobs'))[0];
    const failed = answerLines(bench.home, id).filter((line) => line.error !== null) as { error_kind?: string }[];
    expect(failed.map((line) => line.error_kind)).toEqual([kind, kind]);
  });
});

describe('a server that echoes the API key into its answers', () => {
  it.each(['openai', 'anthropic'] as Wire[])('%s wire: the key is masked in the output, the answer log and the cache', async (wire) => {
    const bench = await benches.make(5, { echoKey: true });
    const key = bench.env(wire)[wire === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'];
    const result = await bench.run(['-o', 'out.csv'], { wire });
    expect(result.code, result.stderr).toBe(0);
    const rows = (await readTable(join(bench.root, 'out.csv'))).rows;
    expect(rows.map((r) => r.answer)).toEqual(rows.map((_, i) => `${stubAnswer(promptFor(i))} (key: ***)`));
    for (const file of filesUnder(bench.root)) expect(readFileSync(file).includes(key), file).toBe(false);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('answers of any size', () => {
  it.each(['out.csv', 'out.parquet', 'out.jsonl'])('a 24 MB answer is written whole (%s), and the job finishes', async (name) => {
    const bytes = 24 * 1024 * 1024;
    const bench = await benches.make(6, { bigAnswer: { bytes, prompts: [promptFor(2)] } });
    const result = await bench.run(['-o', name]);
    expect(result.code, result.stderr).toBe(0);
    const rows = (await readTable(join(bench.root, name))).rows;
    expect((rows[2].answer as string).length).toBe(bytes);
    expect(rows.filter((_, i) => i !== 2).map((r) => r.answer)).toEqual([0, 1, 3, 4, 5].map((i) => stubAnswer(promptFor(i))));
  }, 60_000);

  it('--max-answer-bytes refuses a larger answer as a row failure (paid, counted), and the rest are answered', async () => {
    const bench = await benches.make(6, { bigAnswer: { bytes: 5000, prompts: [promptFor(4)] } });
    const result = await bench.run(['-o', 'out.csv', '--max-answer-bytes', '1000']);
    expect(result.code, result.stderr).toBe(3);
    const rows = (await readTable(join(bench.root, 'out.csv'))).rows;
    expect([rows[4].answer, rows[4].answer_status, rows[4].answer_error]).toEqual([null, 'failed', 'the answer is 5,000 bytes, over --max-answer-bytes 1,000']);
    expect(rows.filter((r) => r.answer_status === 'answered')).toHaveLength(5);
    // Paid once, and its tokens are in the bill.
    expect(bench.stub.stats().paid).toBe(6);
    expect(result.stderr).toMatch(/tokens {5}\d+ prompt \+ 1,\d{3} completion/);
  });
});
