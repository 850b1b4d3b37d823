// The plain-text report: one table of runs, the memory detail, and the targets with verdicts.
import type { CaseResult } from './case.js';
import { TARGETS } from './cases.js';
import type { ProfileResult } from './profile.js';
import { formatProfile } from './profile-summary.js';
import type { StartupResult } from './startup.js';

export interface BenchResults {
  meta: { date: string; quick: boolean; node: string; cpus: number; loadavgBefore: number[]; loadavgAfter?: number[]; commit: string; note: string };
  cases: Record<string, CaseResult>;
  startup?: StartupResult;
  profile?: ProfileResult;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(2));
const x = (r: number | null) => (r === null ? '-' : `${r.toFixed(2)}x`);
const mb = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `${Math.round(n)} MB`);
/** CPU time per row in µs: steadier than rows/s on a shared machine (the bare loop's excludes loading its rows). */
const cpuPerRow = (ms: number | null | undefined, rows: number) => (ms === null || ms === undefined ? '-' : int((ms * 1000) / rows));
const yes = (b: boolean) => (b ? 'yes' : 'NO');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function runsTable(cases: CaseResult[]): string {
  const rows: string[][] = [];
  for (const c of cases) {
    const label = `${c.id} ${c.title}`;
    for (const b of c.bare) {
      rows.push([label, `bare loop (${b.client === 'http' ? 'node:http' : 'fetch'})`, int(c.rows), String(c.concurrency), `${c.latencyMs} ms`,
        secs(b.wallMs), int(b.rowsPerSec), '-', cpuPerRow(b.cpuMs, c.rows), '-', '-', int(b.stub.paid), String(b.stub.duplicates), '-', yes(b.exactlyOnce)]);
    }
    const e = c.evalctl;
    rows.push([label, 'evalctl create', int(c.rows), String(c.concurrency), `${c.latencyMs} ms`,
      secs(e.wallMs), int(e.rowsPerSec), e.sendRowsPerSec === null ? '-' : int(e.sendRowsPerSec), cpuPerRow(e.cpuMs, c.rows),
      c.bare.map((b) => x(e.rowsPerSec / b.rowsPerSec)).join(' / '), mb(e.peakRssMB),
      int(e.stub.paid), String(e.stub.duplicates), e.output ? int(e.output.rows) : `exit ${e.exitCode}`, yes(e.exactlyOnce)]);
  }
  return table(['case', 'runner', 'rows', 'conc', 'latency', 'wall s', 'rows/s', 'send rows/s', 'CPU µs/row', 'vs bare', 'peak RSS', 'paid', 'dup', 'out rows', 'once'], rows);
}

function targetsTable(results: BenchResults): string {
  const rows: string[][] = [];
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const { a, b, c } = results.cases;
  if (a) {
    const others = a.bare.slice(1).map((bl) => `${x(a.ratioByClient[bl.client])} of the ${bl.client} loop`).join(', ');
    rows.push([`a  evalctl >= ${TARGETS.instantRatio}x bare loop (${a.bare[0].client}) rows/s`, `${x(a.ratio)} (${int(a.evalctl.rowsPerSec)} vs ${int(a.bare[0].rowsPerSec)} rows/s)${others ? `; ${others}` : ''}`, verdict(a.ratio >= TARGETS.instantRatio)]);
  }
  if (b && b.ratioToIdeal !== null) {
    rows.push([`b  evalctl >= ${TARGETS.latencyRatio}x ideal ${int(b.idealRowsPerSec!)} rows/s`, `${x(b.ratioToIdeal)} (${int(b.evalctl.rowsPerSec)} rows/s; bare loop ${x(b.bare[0].rowsPerSec / b.idealRowsPerSec!)})`, verdict(b.ratioToIdeal >= TARGETS.latencyRatio)]);
  }
  if (c?.memory) {
    const m = c.memory;
    rows.push([`c  peak RSS < ${TARGETS.peakRssMB} MB`, `${mb(c.evalctl.peakRssMB)} (${mb(m.peakSendingMB)} until the output write began${c.evalctl.peakRssMB > m.peakSendingMB + 1 ? '; the rest during the write' : ''})`, verdict(c.evalctl.peakRssMB < TARGETS.peakRssMB)]);
    const flat = m.growthMB !== null && m.growthMB < TARGETS.flatGrowthMB;
    rows.push([`c  flat: RSS near end - RSS at ${int(m.checkpointRows)} rows < ${TARGETS.flatGrowthMB} MB`,
      m.growthMB === null ? 'too few samples' : `${m.growthMB >= 0 ? '+' : ''}${m.growthMB} MB (median ${mb(m.rssAtCheckpointMB)} from ${int(m.checkpointProcessed!)} rows -> ${mb(m.rssAtEndMB)} up to ${int(m.endProcessed!)}; slope ${m.mbPer100kRows ?? '-'} MB/100k rows)`,
      verdict(flat)]);
    if (m.heapAtCheckpoint && m.heapAtEnd) {
      const h0 = m.heapAtCheckpoint, h1 = m.heapAtEnd;
      const heap = (h: typeof h0) => `used ${mb(h.heapUsedMB)} of ${mb(h.heapTotalMB)}, external ${mb(h.externalMB)}`;
      rows.push(['c  (detail) V8 heap, checkpoint -> end', `${heap(h0)} -> ${heap(h1)}; RSS minus V8 heap total is native (DuckDB, code)`, '']);
    }
  }
  for (const k of Object.values(results.cases)) rows.push([`${k.id}  every row answered exactly once`, `paid ${int(k.evalctl.stub.paid)}/${int(k.rows)}, dup ${k.evalctl.stub.duplicates}, output ${k.evalctl.output ? `${int(k.evalctl.output.rows)} rows, ${int(k.evalctl.output.correct)} correct answers` : `missing (exit ${k.evalctl.exitCode})`}`, verdict(k.evalctl.exactlyOnce)]);
  const s = results.startup;
  if (s) rows.push([`help  evalctl --help < ${TARGETS.helpMs} ms (median of ${s.runs})`, `${Math.round(s.medianMs)} ms (min ${Math.round(s.minMs)}, max ${Math.round(s.maxMs)}; node -e floor ${Math.round(s.nodeFloorMedianMs)} ms)`, verdict(s.ok && s.medianMs < TARGETS.helpMs)]);
  return table(['target', 'result', 'verdict'], rows);
}

export function formatReport(results: BenchResults): string {
  const m = results.meta;
  const parts = [
    `evalctl bench ${m.quick ? '(--quick: sizes scaled down, a smoke run; the targets are set for the full sizes)' : '(full sizes)'}`,
    `node ${m.node}, ${m.cpus} cpus, commit ${m.commit}, load average before ${m.loadavgBefore.map((l) => l.toFixed(2)).join(' ')}${m.loadavgAfter ? `, after ${m.loadavgAfter.map((l) => l.toFixed(2)).join(' ')}` : ''}`,
    m.note,
  ];
  const cases = Object.values(results.cases);
  if (cases.length) parts.push('', runsTable(cases));
  for (const c of cases) {
    for (const w of c.evalctl.warnings) parts.push(`  ${c.id}: evalctl stderr: ${w}`);
    if (c.evalctl.stderrTail) parts.push(`  ${c.id}: evalctl exited ${c.evalctl.exitCode}; stderr tail:\n${c.evalctl.stderrTail}`);
  }
  parts.push('', targetsTable(results));
  if (results.profile) {
    const p = results.profile;
    parts.push('', `CPU profile of evalctl, case a (${int(p.rows)} rows, ${secs(p.wallMs)} s under --cpu-prof; ${p.profilePath})`, formatProfile(p));
  }
  return parts.join('\n');
}
