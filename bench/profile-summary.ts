// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function and per area (evalctl's
// src files via source maps, npm packages, Node internals, GC).
//   node --import tsx bench/profile-summary.ts file.cpuprofile [--top 15]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO } from './paths.js';
import { originalPosition } from './source-map.js';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface CpuProfile { nodes: { id: number; callFrame: CallFrame; children?: number[] }[]; samples: number[]; timeDeltas: number[] }

export interface ProfileEntry {
  function: string;
  location: string;
  area: string;
  selfMs: number;
  selfPct: number;
  /** the caller most of this self time came through (useful for native frames like writev) */
  topCaller: string;
}
export interface ProfileSummary { totalMs: number; top: ProfileEntry[]; byArea: { area: string; selfMs: number; selfPct: number }[] }

/** Where a frame lives: src file (through the source map), package, or Node internal. */
function place(frame: CallFrame): { location: string; area: string } {
  const { url, lineNumber: line, columnNumber: column } = frame;
  if (!url) return { location: '', area: frame.functionName.startsWith('(') ? frame.functionName : '(native)' };
  if (url.startsWith('node:')) {
    const area = url.includes('deps/undici') ? 'node: undici (fetch)'
      : url.includes('stream_base_commons') ? 'node: socket writes (stream_base_commons)'
      : url.replace(/^node:(internal\/)?/, 'node: ').replace(/\/.*$/, '');
    return { location: `${url}:${line + 1}`, area };
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (pkg) return { location: `${pkg[1]}/${pkg[2]}:${line + 1}`, area: pkg[1] };
  const original = path.startsWith(REPO + '/dist/') ? originalPosition(path, line, column, REPO) : undefined;
  if (original) return { location: original, area: original.replace(/:\d+$/, '') };
  const rel = path.startsWith(REPO) ? path.slice(REPO.length + 1) : path;
  return { location: `${rel}:${line + 1}`, area: rel };
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const callers = new Map<string, Map<string, number>>();
  // Native frames (writev, runMicrotasks...) count toward the area of their nearest JS caller.
  const ownerArea = (id: number): string => {
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const frame = byNode.get(up)!.callFrame;
      if (frame.url) return place(frame).area;
    }
    return '(native)';
  };
  const selfUs = new Map<number, number>();
  // DevTools' model: sample i lasts until sample i+1.
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }
  const byFunction = new Map<string, ProfileEntry>();
  const byArea = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byNode.get(id)!.callFrame;
    const { location, area } = place(frame);
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${location}`;
    const entry = byFunction.get(key) ?? { function: name, location, area, selfMs: 0, selfPct: 0, topCaller: '' };
    entry.selfMs += us / 1000;
    const up = parent.get(id);
    if (up !== undefined) {
      const frame = byNode.get(up)!.callFrame;
      const caller = `${frame.functionName || '(anonymous)'} ${place(frame).location}`.trim();
      const tally = callers.get(key) ?? new Map<string, number>();
      tally.set(caller, (tally.get(caller) ?? 0) + us);
      callers.set(key, tally);
    }
    byFunction.set(key, entry);
    const owner = area === '(native)' ? ownerArea(id) : area;
    byArea.set(owner, (byArea.get(owner) ?? 0) + us / 1000);
    totalUs += us;
  }
  const totalMs = totalUs / 1000;
  const pct = (ms: number) => Math.round((1000 * ms) / totalMs) / 10;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    totalMs: round(totalMs),
    top: [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)
      .map((e) => {
        const tally = [...(callers.get(`${e.function}@${e.location}`) ?? [])].sort((a, b) => b[1] - a[1]);
        return { ...e, selfMs: round(e.selfMs), selfPct: pct(e.selfMs), topCaller: tally[0]?.[0] ?? '' };
      }),
    byArea: [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([area, ms]) => ({ area, selfMs: round(ms), selfPct: pct(ms) })),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [`total sampled ${(summary.totalMs / 1000).toFixed(2)} s`, '', '   self ms   self %  function  (location)'];
  for (const e of summary.top) {
    lines.push(`${e.selfMs.toFixed(1).padStart(10)} ${e.selfPct.toFixed(1).padStart(7)}%  ${e.function}  (${e.location || e.area})${e.topCaller ? `  <- ${e.topCaller}` : ''}`);
  }
  lines.push('', '   self ms   self %  area');
  for (const a of summary.byArea) lines.push(`${a.selfMs.toFixed(1).padStart(10)} ${a.selfPct.toFixed(1).padStart(7)}%  ${a.area}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '15' } }, allowPositionals: true });
  if (positionals.length !== 1) { process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [--top n]\n'); process.exit(2); }
  const summary = summarizeProfile(JSON.parse(readFileSync(positionals[0], 'utf8')), Number(values.top));
  process.stdout.write(formatProfile(summary) + '\n');
}
