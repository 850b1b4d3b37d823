import { fmt, h, s } from './dom.js';

/** Grouped horizontal bars: for each label, one bar per series (e.g. ground truth, predicted, expected), in percent. */
export function shareBars(labels: readonly string[], series: { name: string; className: string; values: (number | null)[] }[]): HTMLElement {
  const shown = series.filter((x) => x.values.some((v) => v !== null));
  const rowHeight = 12 * shown.length + 10;
  const width = 420;
  const labelWidth = 110;
  const max = Math.max(1, ...shown.flatMap((x) => x.values.map((v) => v ?? 0)));
  const svg = s('svg', { class: 'chart', width, height: rowHeight * labels.length + 4, role: 'img', 'aria-label': 'label distribution' },
    labels.map((label, i) => s('g', { transform: `translate(0, ${i * rowHeight})` },
      s('text', { x: labelWidth - 6, y: rowHeight / 2 + 2, 'text-anchor': 'end', class: 'axis' }, label),
      shown.map((x, j) => {
        const value = x.values[i] ?? 0;
        const w = ((width - labelWidth - 60) * value) / max;
        return s('g', null,
          s('rect', { x: labelWidth, y: 4 + j * 12, width: Math.max(1, w), height: 10, class: x.className }, s('title', null, `${x.name}: ${value.toFixed(1)}%`)),
          s('text', { x: labelWidth + w + 4, y: 13 + j * 12, class: 'value' }, `${value.toFixed(1)}%`));
      }))));
  return h('div', { class: 'chart-box' }, svg, h('div', { class: 'legend' }, shown.map((x) => h('span', null, h('i', { class: x.className }), x.name))));
}

/**
 * The confusion matrix as a heatmap table: rows ground truth, columns predicted, plus the
 * invalid answers; each cell's count is a button that filters the rows.
 */
export function heatmap(labels: readonly string[], matrix: readonly number[][], invalid: readonly number[], onCell: (truth: string, predicted: string | null) => void): HTMLElement {
  const max = Math.max(1, ...matrix.flat(), ...invalid);
  const cell = (count: number, i: number, j: number | null, diagonal: boolean) => {
    const alpha = count === 0 ? 0 : 0.12 + 0.88 * (count / max);
    const colour = diagonal ? `rgba(22, 130, 80, ${alpha})` : `rgba(200, 60, 50, ${alpha})`;
    return h('td', { class: 'cell', style: `background:${colour};color:${alpha > 0.55 ? '#fff' : 'inherit'}` },
      h('button', { 'data-cell': `${i},${j === null ? 'invalid' : j}`, title: `ground truth ${labels[i]}, predicted ${j === null ? '(invalid)' : labels[j]}: ${count}`, onclick: () => onCell(labels[i], j === null ? null : labels[j]) }, fmt.count(count)));
  };
  return h('table', { class: 'heatmap', 'data-testid': 'confusion' },
    h('thead', null, h('tr', null, h('th', { class: 'corner' }, 'truth \\ predicted'), labels.map((l) => h('th', null, l)), h('th', null, 'invalid'))),
    h('tbody', null, labels.map((label, i) => h('tr', null, h('th', null, label), matrix[i].map((n, j) => cell(n, i, j, i === j)), cell(invalid[i], i, null, false)))));
}

/** A plain bar for a rate from 0 to 1, with its figure. */
export function rateBar(rate: number | null): HTMLElement {
  return h('span', { class: 'rate' }, h('span', { class: 'rate-track' }, h('span', { class: 'rate-fill', style: `width:${((rate ?? 0) * 100).toFixed(1)}%` })), fmt.pct(rate));
}
