// Benchmark datasets, generated with DuckDB: `id` and a `review` of ~100-200 characters that
// differs on every row (it carries the row number), so no two prompts are the same.
import { duckdb } from '../test/helpers/table.js';
import { literal } from '../src/core/sql.js';

const OPENINGS = [
  'Bought this for my kitchen and', 'After two weeks of daily use I can say', 'Gift for my sister;',
  'Honestly not what I expected, but', 'Ordered the blue one and', 'Third purchase from this brand and',
  'Arrived a day late, still', 'My kids use it every morning and',
];
const MIDDLES = [
  'the build feels solid and the buttons click', 'it broke after the second wash on a cold cycle',
  'the battery lasts about as long as advertised', 'setup took about five minutes with the app',
  'the colour is a bit darker than in the photos', 'customer support answered within an hour',
  'it is louder than my old one at full speed', 'the instructions were missing a page or two', 'it does the job it says on the box',
];
const ENDINGS = [
  'Would buy again.', 'Returning it.', 'Four stars because of the price.', 'Fine for the money, nothing more.',
  'Exactly what I needed for the cabin.', 'Not sure it is worth the hype.',
];

/** SQL list literal of strings. */
const list = (items: string[]) => `[${items.map(literal).join(', ')}]`;

/** The SELECT behind every dataset: `rows` rows of (id BIGINT, review VARCHAR). */
export function reviewsQuery(rows: number): string {
  return `SELECT i AS id,
    'Review ' || i || ': ' || ${list(OPENINGS)}[(1 + hash(i) % ${OPENINGS.length})::BIGINT]
      || ' ' || ${list(MIDDLES)}[(1 + hash(i + 1) % ${MIDDLES.length})::BIGINT]
      || ', and ' || ${list(MIDDLES)}[(1 + hash(i + 2) % ${MIDDLES.length})::BIGINT]
      || '. ' || ${list(ENDINGS)}[(1 + hash(i + 3) % ${ENDINGS.length})::BIGINT] AS review
    FROM range(${rows}) t(i)`;
}

/** Writes the dataset to `path` (.csv or .parquet, chosen by extension). */
export async function writeDataset(path: string, rows: number): Promise<void> {
  const format = path.endsWith('.parquet') ? 'FORMAT parquet' : 'FORMAT csv, HEADER true';
  await duckdb(`COPY (${reviewsQuery(rows)}) TO ${literal(path)} (${format})`);
}
