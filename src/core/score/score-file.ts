import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Dataset, type InputFormat } from '../dataset.js';
import { EvalctlError, messageOf } from '../errors.js';
import { ident, literal } from '../sql.js';
import { copyOptions, outputFormatFromPath } from '../writer.js';
import { scoreColumns, statusFromAnswer } from './columns.js';
import { evaluatorColumn, loadEvaluator, ROW_SUFFIXES, type RowEvaluator } from './evaluators.js';
import { measure, type ScoreTarget, type VariantMetrics } from './measure.js';
import { checkColumn, checkScoringColumns, type ScoringSpec } from './scoring.js';

export interface ScoreFileRequest {
  /** The table to score; never modified (except by `create`, rewriting its own output). */
  path: string;
  format?: InputFormat;
  targets: readonly ScoreTarget[];
  scoring: ScoringSpec;
  /** Where to write the table with the score columns added; null writes nothing. */
  output: string | null;
  /** Called with the open DuckDB connection and the scored relation, e.g. to write a JUnit report. */
  report?: (connection: import('@duckdb/node-api').DuckDBConnection, relation: string, targets: readonly ScoreTarget[], scoring: ScoringSpec) => Promise<void>;
}

export interface ScoreResult {
  /** Per target name (a job's variant, or the prediction column). */
  metrics: Record<string, VariantMetrics>;
  /** The file written, if any. */
  written: string | null;
}

/**
 * Scores a table without calling any model: runs code evaluators over its rows (their
 * verdicts kept in a temp file, row by row), adds `<target>_correct` and the evaluators'
 * columns as SQL, writes the result to `output` if asked (beside it, then renamed), and
 * measures every target with DuckDB.
 */
export async function scoreFile(request: ScoreFileRequest): Promise<ScoreResult> {
  const dataset = await Dataset.open(request.path, { format: request.format });
  const connection = await dataset.connect();
  try {
    const names = dataset.columns.map((c) => c.name);
    for (const target of request.targets) {
      checkColumn('Prediction column', target.prediction, names, dataset.label, 'Name the column holding the answers with -t.');
    }
    checkScoringColumns(request.scoring, names, dataset.label);
    const evaluators = await Promise.all(request.scoring.evaluators.map(loadEvaluator));
    const rowEvaluators = evaluators.filter((e): e is RowEvaluator => e.kind === 'row');

    const added: { name: string; sql: string }[] = [];
    for (const target of request.targets) {
      const prediction = ident(target.prediction);
      const status = target.status ? ident(target.status) : statusFromAnswer(prediction);
      added.push(...scoreColumns(request.scoring, target.prediction, { prediction, status }, (column) => `s.${ident(column)}`));
    }
    let verdicts: string | undefined;
    if (rowEvaluators.length > 0) {
      const columns = await runRowEvaluators(dataset, request.targets, rowEvaluators);
      verdicts = `read_json(${literal(columns.path)}, format = 'newline_delimited', columns = {${columns.names.map((name) => `${literal(name)}: '${name.endsWith('_pass') ? 'BOOLEAN' : name.endsWith('_score') ? 'DOUBLE' : 'VARCHAR'}'`).join(', ')}})`;
      added.push(...columns.names.map((name) => ({ name, sql: `v.${ident(name)}` })));
    }
    const existing = new Set(names);
    const replaced = added.filter((c) => existing.has(c.name)).map((c) => `${c.sql} AS ${ident(c.name)}`);
    const appended = added.filter((c) => !existing.has(c.name)).map((c) => `${c.sql} AS ${ident(c.name)}`);
    const star = `s.*${replaced.length ? ` REPLACE (${replaced.join(', ')})` : ''}`;
    let relation = `(SELECT ${[star, ...appended].join(', ')} FROM evalctl_source s${verdicts ? ` POSITIONAL JOIN ${verdicts} v` : ''})`;

    let written: string | null = null;
    if (request.output !== null) {
      await writeTable(connection, relation, request.output);
      written = request.output;
      relation = `(SELECT * FROM ${readerOf(written)})`;
    }
    const rowNames = new Set(rowEvaluators.map((e) => e.name));
    const metrics: Record<string, VariantMetrics> = {};
    for (const target of request.targets) metrics[target.name] = await measure(connection, relation, target, request.scoring, rowNames);
    await request.report?.(connection, relation, request.targets, request.scoring);
    return { metrics, written };
  } catch (error) {
    if (error instanceof EvalctlError) throw error;
    // DuckDB refusing a --evaluator regex:<pattern>, or a column it cannot compare.
    throw new EvalctlError(`Could not score ${dataset.label}: ${messageOf(error).split('\n')[0]}`, { code: 'score', hint: 'Check the --evaluator patterns (RE2 syntax) and the columns named.', cause: error });
  } finally {
    connection.closeSync();
    dataset.close();
  }
}

/**
 * Calls each code evaluator on every row with an answer, in file order, one chunk of rows at
 * a time, and writes one JSON line of verdicts per row to a temp file. Returns its path and
 * column names (`<target>_<evaluator>_pass`, `_score`, `_reason`, `_error`).
 */
async function runRowEvaluators(dataset: Dataset, targets: readonly ScoreTarget[], evaluators: readonly RowEvaluator[]): Promise<{ path: string; names: string[] }> {
  const columns = dataset.columns.map((c) => c.name);
  const path = dataset.tempFile('verdicts.jsonl');
  const names = targets.flatMap((t) => evaluators.flatMap((e) => ROW_SUFFIXES.map((suffix) => evaluatorColumn(t.prediction, e.name, suffix))));
  const at = new Map(columns.map((name, i) => [name, i]));
  const fd = openSync(path, 'w');
  try {
    for await (const chunk of dataset.stream(columns)) {
      const lines: string[] = [];
      for (const values of chunk.values) {
        const row = Object.fromEntries(columns.map((name, i) => [name, values[i]]));
        const line: Record<string, unknown> = {};
        for (const target of targets) {
          const prediction = values[at.get(target.prediction)!];
          const status = target.status ? values[at.get(target.status)!] : prediction === null ? 'not_run' : 'answered';
          const answered = status === 'answered' || status === 'cached';
          for (const evaluator of evaluators) {
            const verdict = answered ? await evaluator.evaluate(row, prediction) : { pass: null, score: null, reason: null, error: null };
            line[evaluatorColumn(target.prediction, evaluator.name, 'pass')] = verdict.pass;
            line[evaluatorColumn(target.prediction, evaluator.name, 'score')] = verdict.score;
            line[evaluatorColumn(target.prediction, evaluator.name, 'reason')] = verdict.reason;
            line[evaluatorColumn(target.prediction, evaluator.name, 'error')] = verdict.error;
          }
        }
        lines.push(JSON.stringify(line));
      }
      writeSync(fd, lines.join('\n') + '\n');
    }
  } finally {
    closeSync(fd);
  }
  return { path, names };
}

async function writeTable(connection: import('@duckdb/node-api').DuckDBConnection, relation: string, output: string): Promise<void> {
  const partial = join(dirname(output), `.${basename(output)}.${process.pid}.partial`);
  try {
    await connection.run(`COPY (SELECT * FROM ${relation}) TO ${literal(partial)} (${copyOptions(outputFormatFromPath(output), 122_880)})`);
    renameSync(partial, output);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new EvalctlError(`Could not write ${output}: ${messageOf(error).split('\n')[0]}`, { code: 'output', cause: error });
  }
}

function readerOf(path: string): string {
  const format = outputFormatFromPath(path);
  if (format === 'parquet') return `read_parquet(${literal(path)})`;
  if (format === 'csv' || format === 'tsv') return `read_csv(${literal(path)}, header = true, all_varchar = true${format === 'tsv' ? `, delim = '\t'` : ''})`;
  return `read_json(${literal(path)}${format === 'jsonl' ? `, format = 'newline_delimited'` : ''})`;
}
