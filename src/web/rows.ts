import type { ViewVariant } from '../core/view/schema.js';
import type { JobView, ReportData, RowsPage } from '../core/view/types.js';
import { fmt, h, mount } from './dom.js';
import { toSearch, type RowParams, type Source } from './source.js';

export interface RowsControl {
  /** Changes some filters (back to the first page) and reloads. */
  set(change: Partial<RowParams>): void;
}

type Row = Record<string, string | null>;

/** The rows: filters, a table paged and sorted by the source, and a detail panel for the row clicked. */
export async function rowsSection(root: HTMLElement, source: Source, view: JobView, initial: RowParams, report?: ReportData): Promise<RowsControl> {
  const schema = view.schema!;
  const variants = schema.variants;
  let params = { ...initial };
  let sequence = 0;
  const status = h('span', { class: 'muted', 'data-testid': 'total' });
  const filters = h('div', { class: 'filters' });
  const table = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });
  const detail = h('aside', { class: 'detail', hidden: true, 'data-testid': 'detail' });
  mount(root, h('h2', null, 'Rows ', status), filters, h('div', { class: 'rows-layout' }, table, detail), pager);

  const labels = [...new Set(Object.values(view.job?.metrics ?? {}).flatMap((m) => m.classification?.labels ?? m.distribution?.labels.map((l) => l.label) ?? []))];
  const hasJudge = variants.some((v) => v.judge?.pass || v.evaluators.some((e) => e.pass));
  const shown = [...schema.promptColumns.slice(0, 3), ...(schema.groundTruth && !schema.promptColumns.includes(schema.groundTruth) ? [schema.groundTruth] : [])];

  const load = async () => {
    const mine = ++sequence;
    if (source.kind === 'server') history.replaceState(null, '', `#/job/${encodeURIComponent(view.id)}${toSearch(params).size ? `?${toSearch(params)}` : ''}`);
    renderFilters();
    status.textContent = 'loading…';
    root.dataset.loading = '1';
    const page = await source.rows(view.id, params).catch((error: Error) => error);
    if (mine !== sequence) return;
    if (page instanceof Error) mount(table, h('p', { class: 'error' }, page.message));
    else renderTable(page);
    root.dataset.loading = '0';
  };
  const set = (change: Partial<RowParams>) => { params = { ...params, offset: 0, ...change }; void load(); };

  const toggle = (key: 'failed' | 'invalid' | 'incorrect' | 'disagree', label: string) =>
    h('label', { class: `toggle${params[key] ? ' on' : ''}` }, h('input', { type: 'checkbox', 'data-filter': key, ...(params[key] ? { checked: true } : {}), onchange: (e) => set({ [key]: (e.target as HTMLInputElement).checked }) }), label);
  const select = (key: 'truth' | 'predicted' | 'judge', label: string, options: string[]) =>
    h('label', null, `${label} `, h('select', { 'data-filter': key, onchange: (e) => set({ [key]: (e.target as HTMLSelectElement).value }) },
      ['', ...options].map((o) => h('option', { value: o, ...(params[key] === o ? { selected: true } : {}) }, o === '' ? 'any' : o))));
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  const search = h('input', { type: 'search', placeholder: 'search prompts and answers', 'data-filter': 'q', value: params.q,
    oninput: (e) => { clearTimeout(searchTimer); searchTimer = setTimeout(() => set({ q: (e.target as HTMLInputElement).value }), 250); } });

  function renderFilters(): void {
    mount(filters,
      variants.length > 1 ? h('label', null, 'variant ', h('select', { 'data-filter': 'variant', onchange: (e) => set({ variant: Number((e.target as HTMLSelectElement).value) }) },
        variants.map((v, i) => h('option', { value: i, ...(params.variant === i ? { selected: true } : {}) }, v.name)))) : null,
      toggle('failed', 'failed'), toggle('invalid', 'invalid'), variants[params.variant]?.correct ? toggle('incorrect', 'incorrect') : null,
      variants.length > 1 ? toggle('disagree', 'variants disagree') : null,
      labels.length ? select('truth', 'truth', labels) : null, labels.length ? select('predicted', 'predicted', labels) : null,
      hasJudge ? select('judge', 'judge', ['pass', 'fail']) : null,
      search, h('button', { class: 'link', onclick: () => { (search as HTMLInputElement).value = ''; set({ failed: false, invalid: false, incorrect: false, disagree: false, truth: '', predicted: '', judge: '', q: '' }); } }, 'clear'));
  }

  function renderTable(page: RowsPage): void {
    const first = page.total === 0 ? 0 : page.offset + 1;
    status.textContent = `${fmt.count(first)}–${fmt.count(page.offset + page.rows.length)} of ${fmt.count(page.total)}${report ? ' in this report' : ''}`;
    status.setAttribute('data-total', String(page.total));
    const header = (column: string, label: string) => h('th', { class: 'sortable', onclick: () => set({ sort: column, dir: params.sort === column && params.dir === 'asc' ? 'desc' : 'asc' }) },
      label, params.sort === column ? (params.dir === 'asc' ? ' ▲' : ' ▼') : '');
    mount(table, h('table', { class: 'grid rows', 'data-testid': 'rows' },
      h('thead', null, h('tr', null, header('__row', '#'), shown.map((c) => header(c, c)), variants.map((v) => header(v.answer, v.answer)))),
      h('tbody', null, page.rows.map((row) => h('tr', { 'data-row': row.__row ?? '', onclick: () => showDetail(row) },
        h('td', { class: 'num' }, row.__row), shown.map((c) => h('td', { class: 'cell-text' }, short(row[c]))),
        variants.map((v, i) => h('td', { class: 'cell-text' }, answerCell(v, i, row))))))));
    mount(pager,
      h('button', { disabled: page.offset === 0, onclick: () => { params = { ...params, offset: Math.max(0, params.offset - params.limit) }; void load(); } }, '← previous'),
      h('span', { class: 'muted' }, `page ${fmt.count(Math.floor(page.offset / params.limit) + 1)} of ${fmt.count(Math.max(1, Math.ceil(page.total / params.limit)))}`),
      h('button', { disabled: page.offset + page.rows.length >= page.total, 'data-testid': 'next', onclick: () => { params = { ...params, offset: params.offset + params.limit }; void load(); } }, 'next →'));
  }

  function showDetail(row: Row): void {
    detail.hidden = false;
    const block = (title: string, text: string | null) => (text === null || text === '' ? null : h('div', null, h('h4', null, title), h('pre', null, text)));
    mount(detail,
      h('div', { class: 'detail-head' }, h('h3', null, `Row ${row.__row}`), h('button', { class: 'link', onclick: () => { detail.hidden = true; } }, 'close')),
      variants.map((v, i) => h('div', { class: 'detail-variant' },
        h('h4', { class: 'variant-name' }, v.name, ' ', statusBadge(v, i, row)),
        v.system ? block('system', v.system) : null,
        v.template ? block('prompt', renderPrompt(v, row)) : null,
        block('answer', row[v.answer]),
        v.error ? block('error', row[v.error]) : null,
        v.evaluators.map((e) => h('p', { class: 'muted' }, `${e.name}: `, e.pass ? `pass ${row[e.pass] ?? '–'}` : '', e.score ? `, score ${row[e.score] ?? '–'}` : '', e.reason && row[e.reason] ? ` — ${row[e.reason]}` : '')),
        v.promptTokens || v.completionTokens ? h('p', { class: 'muted' }, `tokens: ${row[v.promptTokens ?? ''] ?? '–'} prompt, ${row[v.completionTokens ?? ''] ?? '–'} completion`) : null)),
      h('h4', null, 'all columns'),
      h('table', { class: 'grid compact' }, h('tbody', null, schema.columns.map((c) => h('tr', null, h('th', null, c.name), h('td', null, h('pre', null, row[c.name] ?? 'NULL')))))));
  }

  await load();
  return { set };
}

function short(text: string | null): string {
  if (text === null) return '';
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

function answerCell(v: ViewVariant, i: number, row: Row): HTMLElement {
  return h('span', null, statusBadge(v, i, row), ' ', short(row[v.answer]));
}

function statusBadge(v: ViewVariant, i: number, row: Row): HTMLElement | null {
  const outcome = row[`__outcome_${i}`];
  if (outcome === 'failed') return h('span', { class: 'badge errored', title: row[v.error ?? ''] ?? '' }, 'failed');
  if (outcome === 'not_run') return h('span', { class: 'badge cancelled' }, 'not run');
  if (v.correct && row[v.correct] === 'true') return h('span', { class: 'badge completed' }, '✓');
  if (v.correct && row[v.correct] === 'false') return h('span', { class: `badge ${row[`__label_${i}`] === null ? 'invalid' : 'errored'}` }, row[`__label_${i}`] === null ? 'invalid' : '✗');
  return null;
}

/** The prompt as the model saw it: the template with the row's values (`{{`, `}}` already literal in its parts). */
function renderPrompt(v: ViewVariant, row: Row): string {
  return (v.template ?? []).map((part) => (typeof part === 'string' ? part : row[part.column] ?? '')).join('');
}
