import { closeSync, openSync, writeSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident } from '../sql.js';
import { correctSql, outcomeSql, statusFromAnswer } from './columns.js';
import { evaluatorRef } from './evaluators.js';
import { labelSql } from './labels.js';
import type { ScoreTarget } from './measure.js';
import type { ScoringSpec } from './scoring.js';

const escape = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
  // XML 1.0 has no place for most control characters.
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const clip = (text: string | null) => (text === null ? 'null' : JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text));

/**
 * Writes JUnit XML: a test suite per prediction column, a test case per row and check (`correct`
 * against the ground truth, then each evaluator, the LLM judge and the pairwise comparison when
 * the table has their columns). A wrong or invalid answer, a failed request, an evaluator or
 * the judge saying no (with its score and reason), or a pairwise loss is a failure; an evaluator
 * that threw, or a judge that gave no score, is an error; a row without an answer (not run) or
 * without a ground truth, or not judged, is skipped. Rows are streamed, never held.
 */
export async function writeJunit(connection: DuckDBConnection, relation: string, targets: readonly ScoreTarget[], scoring: ScoringSpec, path: string, rowEvaluators: ReadonlySet<string>): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="evalctl">\n');
    for (const target of targets) {
      const p = ident(target.prediction);
      const status = target.status ? `CAST(${ident(target.status)} AS VARCHAR)` : statusFromAnswer(p);
      const truth = scoring.ground_truth === null ? null : ident(scoring.ground_truth);
      const checks = scoring.evaluators.map((e) => `, TRY_CAST(${evaluatorRef(target.prediction, e.name, 'pass')} AS BOOLEAN), ${rowEvaluators.has(e.name) ? evaluatorRef(target.prediction, e.name, 'error') : 'NULL::VARCHAR'}`).join('');
      const judge = target.judge ? `, TRY_CAST(${evaluatorRef(target.judge, 'judge', 'pass')} AS BOOLEAN), TRY_CAST(${evaluatorRef(target.judge, 'judge', 'score')} AS DOUBLE), CAST(${evaluatorRef(target.judge, 'judge', 'reason')} AS VARCHAR), CAST(${evaluatorRef(target.judge, 'judge', 'error')} AS VARCHAR)` : '';
      const pairwise = target.pairwise ? `, CAST(${ident(target.pairwise.column)} AS VARCHAR)` : '';
      const sql = `SELECT row_number() OVER () - 1, ${outcomeSql(status)}, CAST(${p} AS VARCHAR), ${status},
          ${truth ? `CAST(${truth} AS VARCHAR), ${correctSql({ prediction: p, status }, truth, scoring.choices)}, ${labelSql(truth)} IS NULL` : 'NULL, NULL, true'}${checks}${judge}${pairwise}
        FROM ${relation}`;
      const judgeAt = 7 + 2 * scoring.evaluators.length;
      const pairwiseAt = judgeAt + (target.judge ? 4 : 0);
      writeSync(fd, `  <testsuite name="${escape(target.name)}">\n`);
      const result = await connection.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const columns = chunk.getColumns();
        const cases: string[] = [];
        for (let i = 0; i < chunk.rowCount; i++) {
          const [row, outcome, answer, rowStatus, expected, correct, noTruth] = columns.slice(0, 7).map((c) => c[i]);
          const name = `row ${Number(row)}`;
          const testcase = (check: string, body: string) => `    <testcase classname="${escape(`${target.name}.${check}`)}" name="${name}">${body}</testcase>\n`;
          const failure = (message: string) => `<failure message="${escape(message)}"/>`;
          if (truth) {
            cases.push(testcase('correct',
              outcome === 'failed' ? failure(`the request failed (${String(rowStatus)})`)
              : outcome === 'not_run' ? '<skipped message="not run"/>'
              : noTruth ? '<skipped message="no ground truth"/>'
              : correct ? '' : failure(`expected ${clip(expected as string | null)}, got ${clip(answer as string | null)}`)));
          }
          scoring.evaluators.forEach((e, k) => {
            const pass = columns[7 + 2 * k][i];
            const error = columns[8 + 2 * k][i] as string | null;
            cases.push(testcase(e.name,
              outcome === 'failed' ? failure('the request failed')
              : outcome === 'not_run' ? '<skipped message="not run"/>'
              : error ? `<error message="${escape(error)}"/>`
              : pass === true ? '' : pass === false ? failure(`${e.name} did not pass ${clip(answer as string | null)}`) : '<skipped message="not judged"/>'));
          });
          if (target.judge) {
            const [pass, score, reason, error] = columns.slice(judgeAt, judgeAt + 4).map((c) => c[i]) as [boolean | null, number | null, string | null, string | null];
            cases.push(testcase('judge',
              outcome === 'failed' ? failure('the request failed')
              : outcome === 'not_run' ? '<skipped message="not run"/>'
              : error ? `<error message="${escape(`the judge gave no score: ${error}`)}"/>`
              : pass === true ? '' : pass === false ? failure(`the judge scored ${Number(score)}${reason ? `: ${reason}` : ''}`) : '<skipped message="not judged"/>'));
          }
          if (target.pairwise) {
            const winner = columns[pairwiseAt][i] as string | null;
            // A win or a tie passes; a loss fails naming the variant the judge preferred in both orders.
            cases.push(testcase('pairwise',
              outcome === 'failed' ? failure('the request failed')
              : outcome === 'not_run' ? '<skipped message="not run"/>'
              : winner === null ? '<skipped message="not judged in both orders"/>'
              : winner === target.pairwise.name || winner === 'tie' ? '' : failure(`the judge preferred ${winner} in both orders`)));
          }
        }
        writeSync(fd, cases.join(''));
      }
      writeSync(fd, '  </testsuite>\n');
    }
    writeSync(fd, '</testsuites>\n');
  } finally {
    closeSync(fd);
  }
}
