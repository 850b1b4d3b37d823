import type { VariantMetrics } from '../core/score/measure.js';
import type { JobView, ReportData } from '../core/view/types.js';
import { heatmap, rateBar, shareBars } from './charts.js';
import { fmt, h, mount, type Child } from './dom.js';
import { rowsSection, type RowsControl } from './rows.js';
import type { RowParams, Source } from './source.js';

/** A job (or file) page: metrics and charts per variant, the variants side by side, and the rows. */
export async function jobPage(root: HTMLElement, source: Source, id: string, params: RowParams, report?: ReportData): Promise<void> {
  mount(root, h('p', null, 'Loading…'));
  const view = await source.view(id);
  const job = view.job;
  const metrics = job?.metrics ?? {};
  const names = view.schema?.variants.map((v) => v.name) ?? job?.settings.variants.map((v) => v.name) ?? [];
  let rows: RowsControl | undefined;
  const filterRows = (variant: number, change: Partial<RowParams>) => rows?.set({ ...change, variant });
  mount(root,
    h('header', { class: 'top' },
      source.kind === 'server' ? h('a', { href: '#/jobs', class: 'back' }, '← jobs') : null,
      h('h1', null, view.title),
      job ? h('span', { class: `badge ${job.status}` }, job.status) : null),
    summary(view),
    report ? h('p', { class: 'note', 'data-testid': 'selection' }, selectionNote(report)) : null,
    names.length > 1 ? variantsTable(view) : null,
    names.map((name, i) => metrics[name] ? variantSection(name, metrics[name], names.length > 1, (change) => filterRows(i, change)) : null),
    view.schema ? h('section', { id: 'rows' }) : h('p', { class: 'note' }, view.unavailable));
  if (view.schema) rows = await rowsSection(root.querySelector('#rows')!, source, view, params, report);
}

function summary(view: JobView): HTMLElement {
  const job = view.job;
  const items: [string, Child][] = [['output', h('code', null, view.output)], ['rows', fmt.count(view.row_count ?? job?.rows)]];
  if (job) {
    items.push(['progress', `${fmt.count(job.progress.processed)} of ${fmt.count(job.progress.total)}`], ['failed', fmt.count(job.failed_rows)],
      ['tokens', `${fmt.count(job.prompt_tokens_used)} prompt + ${fmt.count(job.completion_tokens_used)} completion`], ['cost', fmt.cost(job.cost_usd)],
      ['models', job.settings.variants.map((v) => `${v.name}: ${v.model}`).join(', ')]);
  }
  return h('dl', { class: 'summary' }, items.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))));
}

function selectionNote(report: ReportData): string {
  const s = report.selection;
  const n = fmt.count;
  const matter = s.matter_shown < s.matter_rows ? `the first ${n(s.matter_shown)} of the ${n(s.matter_rows)} failed, invalid or incorrect rows` : `all ${n(s.matter_rows)} failed, invalid or incorrect rows`;
  return `This report shows ${n(s.matter_shown + s.sampled)} of ${n(s.total_rows)} rows: ${matter}, and a random sample of ${n(s.sampled)} of the other ${n(s.other_rows)}. Cells are cut at ${n(s.cell_chars)} characters. Metrics cover every row.`;
}

/** Per-variant figures side by side, with the agreement between them. */
function variantsTable(view: JobView): HTMLElement {
  const job = view.job!;
  const metrics = job.metrics ?? {};
  const agreement = job.agreement;
  return h('section', null, h('h2', null, 'Variants'),
    h('table', { class: 'grid', 'data-testid': 'variants' },
      h('thead', null, h('tr', null, ['variant', 'model', 'accuracy', 'macro F1', 'pass rate', 'failed', 'cached', 'tokens', 'cost', 'latency p50/p95'].map((c) => h('th', null, c)))),
      h('tbody', null, job.variants.map((v) => {
        const m = metrics[v.name];
        const e = m?.evaluators.find((x) => x.pass_rate !== null);
        return h('tr', null, h('td', null, v.name), h('td', null, v.model), h('td', { class: 'num' }, fmt.pct(m?.accuracy)),
          h('td', { class: 'num' }, fmt.ratio(m?.classification?.macro_avg.f1)), h('td', { class: 'num' }, e ? `${e.name} ${fmt.pct(e.pass_rate)}` : '–'),
          h('td', { class: 'num' }, fmt.count(v.failed_rows)), h('td', { class: 'num' }, fmt.count(v.cached_rows)), h('td', { class: 'num' }, fmt.count(v.tokens_used)),
          h('td', { class: 'num' }, fmt.cost(v.cost_usd)), h('td', { class: 'num' }, v.latency_ms ? `${v.latency_ms.p50} / ${v.latency_ms.p95} ms` : '–'));
      }))),
    agreement ? h('p', { 'data-testid': 'agreement' }, `All variants agree on ${fmt.pct(agreement.rate)} of ${fmt.count(agreement.rows_compared)} rows they all answered.`,
      (agreement.pairs ?? []).map((p) => h('span', { class: 'pair' }, ` ${p.a} vs ${p.b}: ${fmt.pct(p.rate)}`))) : null,
    pairwise(job as unknown as Record<string, unknown>));
}

/** Pairwise win/tie/loss per variant, from `metrics.<variant>.pairwise` (a run with `--pairwise`). */
function pairwise(job: Record<string, unknown>): HTMLElement | null {
  const metrics = (job.metrics ?? {}) as Record<string, { pairwise?: Record<string, unknown> } | undefined>;
  const rows = Object.entries(metrics).filter(([, m]) => m?.pairwise).map(([name, m]) => ({ variant: name, ...m!.pairwise! }));
  if (!rows.length) return null;
  const keys = ['variant', 'opponent', 'wins', 'ties', 'losses', 'errors', 'win_rate'];
  return h('table', { class: 'grid', 'data-testid': 'pairwise' }, h('thead', null, h('tr', null, keys.map((c) => h('th', null, c.replace('_', ' '))))),
    h('tbody', null, rows.map((p: Record<string, unknown>) => h('tr', null, keys.map((k) => h('td', k === 'variant' || k === 'opponent' ? null : { class: 'num' },
      k === 'win_rate' ? fmt.pct(p[k] as number | null) : String(p[k] ?? '–')))))));
}

function variantSection(name: string, m: VariantMetrics, several: boolean, filter: (change: Partial<RowParams>) => void): HTMLElement {
  const k = m.classification;
  const c = m.counts;
  const cards: [string, string, Partial<RowParams> | null][] = [
    ['accuracy', fmt.pct(m.accuracy), null], ['macro F1', fmt.ratio(k?.macro_avg.f1), null], ['scored', fmt.count(c.scored), null],
    ['correct', fmt.count(c.correct), null], ['invalid', fmt.count(c.invalid), { invalid: true }], ['failed', fmt.count(c.failed), { failed: true }], ['not run', fmt.count(c.not_run), null],
  ];
  const d = m.distribution;
  return h('section', { class: 'variant', 'data-variant': name },
    h('h2', null, several ? `Metrics: ${name}` : 'Metrics'),
    h('div', { class: 'cards' }, cards.map(([label, value, change]) => h(change ? 'button' : 'div', { class: 'card', 'data-metric': label, ...(change ? { onclick: () => filter(change) } : {}) }, h('div', { class: 'card-value' }, value), h('div', { class: 'card-label' }, label)))),
    h('div', { class: 'panels' },
      k && k.labels.length ? h('div', { class: 'panel' }, h('h3', null, 'Confusion matrix'), heatmap(k.labels, k.confusion.matrix, k.confusion.invalid, (truth, predicted) => filter(predicted === null ? { truth, invalid: true, predicted: '' } : { truth, predicted, invalid: false }))) : null,
      k && k.labels.length ? h('div', { class: 'panel' }, h('h3', null, 'Per label'), h('table', { class: 'grid compact', 'data-testid': 'per-label' },
        h('thead', null, h('tr', null, ['label', 'precision', 'recall', 'F1', 'support'].map((x) => h('th', null, x)))),
        h('tbody', null, k.per_label.map((l) => h('tr', null, h('td', null, h('a', { href: 'javascript:void 0', onclick: () => filter({ truth: l.label, predicted: '', invalid: false }) }, l.label)),
          h('td', { class: 'num' }, fmt.ratio(l.precision)), h('td', { class: 'num' }, fmt.ratio(l.recall)), h('td', { class: 'num' }, fmt.ratio(l.f1)), h('td', { class: 'num' }, fmt.count(l.support))))))) : null,
      d && d.labels.length ? h('div', { class: 'panel' }, h('h3', null, 'Label distribution'), shareBars(d.labels.map((l) => l.label), [
        { name: 'ground truth', className: 'truth', values: d.labels.map((l) => l.ground_truth_pct) },
        { name: 'predicted', className: 'predicted', values: d.labels.map((l) => l.predicted_pct) },
        { name: 'expected', className: 'expected', values: d.labels.map((l) => l.expected_pct) },
      ]), d.conformance !== null ? h('p', { class: 'muted' }, `conformance ${d.conformance.toFixed(1)}`, d.explanation ? `: ${d.explanation}` : '') : null) : null,
      m.evaluators.length ? h('div', { class: 'panel' }, h('h3', null, 'Evaluators'), h('table', { class: 'grid compact' },
        h('thead', null, h('tr', null, ['evaluator', 'pass rate', 'passed', 'errors', 'mean score'].map((x) => h('th', null, x)))),
        h('tbody', null, m.evaluators.map((e) => h('tr', null, h('td', null, e.name), h('td', null, rateBar(e.pass_rate)), h('td', { class: 'num' }, `${fmt.count(e.passed)} of ${fmt.count(e.evaluated)}`),
          h('td', { class: 'num' }, fmt.count(e.errors)), h('td', { class: 'num' }, fmt.ratio(e.mean_score))))))) : null,
      m.numeric ? h('div', { class: 'panel' }, h('h3', null, 'Numeric'), h('p', null, `MAE ${fmt.ratio(m.numeric.mae)}, RMSE ${fmt.ratio(m.numeric.rmse)}, exact ${fmt.pct(m.numeric.exact_match_rate)}`)) : null),
    m.note ? h('p', { class: 'note' }, m.note) : null);
}
