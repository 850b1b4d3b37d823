import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchBrowser, openPage, settled, shownRows } from '../helpers/browser.js';
import { runCli, startCli, tempDir } from '../helpers/cli.js';
import { stubEnv } from '../helpers/jobs.js';
import { duckdb, readTable } from '../helpers/table.js';
import { startStub, type Stub } from '../stub/server.js';

// The viewer and the report in a real browser (Debian's Chromium through playwright-core): a
// scored job of two variants (two prompts; the stub answers "A:" + prompt, so each answer names
// the label we chose), checked against the output file read independently with DuckDB.

const LABELS = ['negative', 'neutral', 'positive'];
// [ground truth, first prompt's guess, second prompt's guess]
const ROWS: [string, string, string][] = [
  ['positive', 'positive', 'positive'], ['positive', 'Positive', 'negative'], ['positive', 'negative', 'negative'], ['positive', 'no idea', 'positive'],
  ['negative', 'negative', 'negative'], ['negative', 'neutral', 'negative'], ['negative', 'positive or negative', 'neutral'], ['neutral', 'neutral', 'neutral'],
  ['neutral', 'neutral', 'positive'], ['neutral', 'positive', 'positive'], ['positive', 'positive', 'positive'], ['neutral', 'FAILME', 'neutral'],
  ['negative', 'a 50% case', 'negative'], ['positive', 'positive', 'neutral'],
];

let stub: Stub;
let browser: Browser;
let job: Record<string, any>;
let rows: Record<string, unknown>[];
const { dir, cleanup } = tempDir('evalctl-viewer-');
const KEEP = process.env.EVALCTL_KEEP_TEST_DIR === '1';
const env = () => stubEnv(stub, join(dir, 'home'));

describe.skipIf(!CHROMIUM)('viewer and report in Chromium', () => {
  beforeAll(async () => {
    stub = await startStub({ failPrompts: ['FAILME'], failPromptsStatus: 500 });
    writeFileSync(join(dir, 'labelled.csv'), `id,g1,g2,label\n${ROWS.map(([label, g1, g2], i) => `${i},${g1},${g2},${label}`).join('\n')}\n`);
    const created = await runCli(['create', 'labelled.csv', '-p', '{g1}', '-p', '{g2}', '-m', 'gpt-4o-mini', '-c', '1', '--max-retries', '0', '--ground-truth', 'label', '--choices', LABELS.join(','), '--json'], { cwd: dir, env: env() });
    expect(created.code, created.stderr).toBe(3);
    job = JSON.parse(created.stdout);
    rows = (await readTable(job.output)).rows;
    browser = await launchBrowser();
  });
  afterAll(async () => { await browser?.close(); await stub?.close(); if (!KEEP) cleanup(); });

  const variants = () => job.settings.variants.map((v: { name: string }) => v.name) as string[];
  const col = (v: number, suffix = '') => `prediction_${variants()[v]}${suffix}`;
  /** What an answer names, computed here: the one label mentioned after "A:", else none. */
  const named = (answer: unknown) => {
    const found = LABELS.filter((l) => new RegExp(`\\b${l}\\b`).test(String(answer).replace(/^A:/, '').toLowerCase()));
    return found.length === 1 ? found[0] : null;
  };
  const where = (keep: (r: Record<string, unknown>, i: number) => boolean) => rows.map((r, i) => (keep(r, i) ? i : -1)).filter((i) => i >= 0);
  const answered = (r: Record<string, unknown>, v: number) => r[col(v, '_status')] === 'answered' || r[col(v, '_status')] === 'cached';

  /** Starts `evalctl view ...args`, returns its URL (from --json) and the process. */
  async function startView(args: string[]) {
    const view = startCli(['view', ...args, '--json'], { cwd: dir, env: env() });
    const deadline = Date.now() + 20_000;
    while (!view.output().stdout.includes('\n')) {
      if (Date.now() > deadline) throw new Error(`view printed no URL: ${view.output().stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const { url } = JSON.parse(view.output().stdout);
    expect(view.output().stderr).toContain(url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    return { ...view, url: url as string };
  }

  async function confusionOf(page: Page, variant: string): Promise<number[][]> {
    const cells = await page.$$eval(`[data-variant="${variant}"] [data-cell]`, (buttons) => buttons.map((b) => [b.getAttribute('data-cell'), b.textContent]));
    const matrix = LABELS.map(() => LABELS.map(() => -1));
    for (const [cell, text] of cells) {
      const [i, j] = cell!.split(',');
      if (j !== 'invalid') matrix[Number(i)][Number(j)] = Number(text!.replace(/,/g, ''));
    }
    return matrix;
  }

  // Each filter, set through the page's own controls, against the rows computed from the file.
  const FILTERS: { name: string; apply: (page: Page) => Promise<unknown>; expected: () => number[] }[] = [
    { name: 'failed', apply: (p) => p.check('[data-filter=failed]'), expected: () => where((r) => r[col(0, '_status')] === 'failed') },
    { name: 'invalid', apply: (p) => p.check('[data-filter=invalid]'), expected: () => where((r) => answered(r, 0) && named(r[col(0)]) === null) },
    { name: 'incorrect', apply: (p) => p.check('[data-filter=incorrect]'), expected: () => where((r) => answered(r, 0) && named(r[col(0)]) !== r.label) },
    { name: 'truth label', apply: (p) => p.selectOption('[data-filter=truth]', 'negative'), expected: () => where((r) => r.label === 'negative') },
    { name: 'predicted label', apply: (p) => p.selectOption('[data-filter=predicted]', 'positive'), expected: () => where((r) => answered(r, 0) && named(r[col(0)]) === 'positive') },
    { name: 'second variant, incorrect', apply: async (p) => { await p.selectOption('[data-filter=variant]', '1'); await settled(p); await p.check('[data-filter=incorrect]'); }, expected: () => where((r) => answered(r, 1) && named(r[col(1)]) !== r.label) },
    { name: 'variants disagree', apply: (p) => p.check('[data-filter=disagree]'), expected: () => where((r) => answered(r, 0) && answered(r, 1) && String(r[col(0)]).trim().toLowerCase() !== String(r[col(1)]).trim().toLowerCase()) },
    { name: 'search', apply: (p) => p.fill('[data-filter=q]', 'IDEA'), expected: () => where((r) => /idea/i.test(`${r.g1} ${r.g2} ${r[col(0)]} ${r[col(1)]}`)) },
    { name: 'search with %', apply: (p) => p.fill('[data-filter=q]', '50%'), expected: () => [12] },
    { name: 'confusion cell (negative, negative)', apply: (p) => p.click(`[data-variant="${variants()[0]}"] [data-cell="0,0"]`), expected: () => where((r) => r.label === 'negative' && answered(r, 0) && named(r[col(0)]) === 'negative') },
  ];

  it('view <output>: the rows match the file, each filter and the search return the right rows, the confusion matrix equals the metrics', async () => {
    const view = await startView([job.output]);
    const { page, errors } = await openPage(browser, view.url);
    try {
      expect(await page.textContent('h1')).toContain(job.id);
      expect(await shownRows(page)).toEqual(rows.map((_, i) => i));
      const cells = await page.$$eval('[data-testid=rows] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      cells.forEach((cell, i) => {
        expect(cell.slice(1, 4)).toEqual([rows[i].g1, rows[i].g2, rows[i].label].map(String));
        expect(cell[4]!.endsWith(String(rows[i][col(0)] ?? ''))).toBe(true);
        expect(cell[5]!.endsWith(String(rows[i][col(1)] ?? ''))).toBe(true);
      });
      for (const [v, name] of variants().entries()) {
        expect(await confusionOf(page, name), name).toEqual(job.metrics[name].classification.confusion.matrix);
        expect(await page.textContent(`[data-variant="${name}"] [data-metric=accuracy] .card-value`)).toBe(`${(job.metrics[name].accuracy * 100).toFixed(1)}%`);
        expect(v).toBeGreaterThanOrEqual(0);
      }
      await page.screenshot({ path: join(dir, 'viewer.png'), fullPage: true });
      for (const filter of FILTERS) {
        await page.click('.filters button.link'); // clear
        await settled(page);
        await filter.apply(page);
        const expected = filter.expected();
        expect(expected.length, `${filter.name}: a case that selects nothing proves little`).toBeGreaterThan(0);
        await expect.poll(() => shownRows(page), { timeout: 5_000, message: filter.name }).toEqual(expected);
        expect(await page.getAttribute('[data-testid=total]', 'data-total')).toBe(String(expected.length));
        if (filter.name === 'failed') await page.screenshot({ path: join(dir, 'viewer-failed.png'), fullPage: true });
      }
      // A row opens to show the rendered prompts, answers and the error.
      await page.click('.filters button.link');
      await settled(page);
      await page.click('[data-testid=rows] tbody tr[data-row="11"]');
      const detail = await page.textContent('[data-testid=detail]');
      expect(detail).toContain('FAILME');
      expect(detail).toContain(String(rows[11][col(0, '_error')]));
      expect(detail).toContain(`A:${rows[11].g2}`);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      view.child.kill('SIGTERM');
      const done = await view.done;
      expect(done.code, done.stderr).toBe(0);
    }
  });

  it('view <job id> opens the job; view with no argument lists the jobs, live, and links to the job; SIGINT stops it with 0', async () => {
    const view = await startView([]);
    const { page } = await openPage(browser, view.url);
    try {
      const row = await page.textContent(`[data-testid=jobs] tr[data-job="${job.id}"]`);
      expect(row).toContain('completed');
      expect(row).toContain(`accuracy ${(job.metrics[variants()[0]].accuracy * 100).toFixed(1)}%`);
      await page.click(`[data-testid=jobs] tr[data-job="${job.id}"] a`);
      await settled(page);
      expect(await shownRows(page)).toEqual(rows.map((_, i) => i));
      const byId = await startView([job.id.slice(0, 6)]);
      const other = await openPage(browser, byId.url);
      expect(await confusionOf(other.page, variants()[1])).toEqual(job.metrics[variants()[1]].classification.confusion.matrix);
      await other.page.close();
      byId.child.kill('SIGINT');
      expect((await byId.done).code).toBe(0);
    } finally {
      await page.close();
      view.child.kill('SIGINT');
      expect((await view.done).code).toBe(0);
    }
  });

  it('report <job> -o report.html: one file that opens offline with the same metrics, rows and filters, linked from the step summary', async () => {
    const summary = join(dir, 'summary.md');
    const result = await runCli(['report', job.id, '-o', 'report.html'], { cwd: dir, env: { ...env(), GITHUB_STEP_SUMMARY: summary } });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(summary, 'utf8')).toContain('[report.html](report.html)');
    const { page, requests, errors } = await openPage(browser, `file://${join(dir, 'report.html')}`, { offline: true });
    try {
      expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
      for (const name of variants()) expect(await confusionOf(page, name)).toEqual(job.metrics[name].classification.confusion.matrix);
      // 14 rows: every row fails, is invalid or incorrect for some variant, or is in the sample.
      expect(await page.textContent('[data-testid=selection]')).toMatch(/This report shows 14 of 14 rows: all \d+ failed, invalid or incorrect rows, and a random sample of \d+ of the other \d+\./);
      expect(await shownRows(page)).toEqual(rows.map((_, i) => i));
      for (const filter of FILTERS.filter((f) => f.name !== 'search with %')) {
        await page.click('.filters button.link');
        await filter.apply(page);
        await expect.poll(() => shownRows(page), { timeout: 5_000, message: `report: ${filter.name}` }).toEqual(filter.expected());
      }
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('report <file>: caps the rows that matter and the sample, and says so', async () => {
    const path = join(dir, 'big.parquet');
    // 5,000 rows, every other one incorrect: more than the report keeps.
    await duckdb(`COPY (SELECT i AS id, 'text ' || i AS text, 'yes' AS prediction, 'answered' AS prediction_status, NULL::VARCHAR AS prediction_error,
        i % 2 = 0 AS prediction_correct FROM range(5000) t(i)) TO '${path}' (FORMAT parquet)`);
    const result = await runCli(['report', 'big.parquet', '-o', 'big.html', '--json'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ total_rows: 5000, matter_rows: 2500, matter_shown: 2000, sampled: 200, other_rows: 2500 });
    const { page } = await openPage(browser, `file://${join(dir, 'big.html')}`, { offline: true });
    try {
      expect(await page.textContent('[data-testid=selection]')).toContain('This report shows 2,200 of 5,000 rows: the first 2,000 of the 2,500 failed, invalid or incorrect rows, and a random sample of 200 of the other 2,500.');
      expect(await page.getAttribute('[data-testid=total]', 'data-total')).toBe('2200');
      await page.check('[data-filter=incorrect]');
      await expect.poll(() => page.getAttribute('[data-testid=total]', 'data-total')).toBe('2000');
      expect((await shownRows(page)).every((row) => row % 2 === 1)).toBe(true);
    } finally {
      await page.close();
    }
  });
});
