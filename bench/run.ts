// `npm run bench [-- --quick] [--case a|b|c|help] [--profile] [--keep]`: evalctl against a bare
// HTTP loop on the project's stub server, plus memory on 1M rows and --help start-up time.
// Prints a table; writes bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCase } from './case.js';
import { CASES, type CaseId } from './cases.js';
import { REPO, RESULTS } from './paths.js';
import { profileCase } from './profile.js';
import { formatReport, type BenchResults } from './report.js';
import { measureStartup } from './startup.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    case: { type: 'string', multiple: true },
    profile: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  strict: true,
});
const all = ['a', 'b', 'c', 'help'];
const chosen = (values.case ?? all).flatMap((c) => c.split(','));
const unknown = chosen.filter((c) => !all.includes(c));
if (unknown.length) {
  process.stderr.write(`bench: unknown --case ${unknown.join(', ')} (choose from ${all.join(', ')})\n`);
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const scale = (id: CaseId) => (values.quick ? CASES[id].quickRows : CASES[id].rows);

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO }).toString().trim() !== '';
    return dirty ? `${head} (src/ modified)` : head;
  } catch {
    return 'unknown';
  }
}

const results: BenchResults = {
  meta: {
    date: new Date().toISOString(), quick: values.quick!, node: process.version, cpus: cpus().length,
    loadavgBefore: loadavg(), commit: commit(),
    note: 'Stub server, bare loop and evalctl each run in their own process; on a shared or 2-core machine the numbers are noisy.',
  },
  cases: {},
};
const tmp = mkdtempSync(join(tmpdir(), 'evalctl-bench-'));
try {
  for (const id of ['a', 'b', 'c'] as CaseId[]) {
    if (chosen.includes(id)) results.cases[id] = await runCase(CASES[id], scale(id), tmp, log);
  }
  if (chosen.includes('help')) {
    log('--help start-up time');
    results.startup = measureStartup(10);
  }
  if (values.profile) results.profile = await profileCase(CASES.a, scale('a'), tmp, log);
  results.meta.loadavgAfter = loadavg();
} finally {
  if (values.keep) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

mkdirSync(RESULTS, { recursive: true });
const jsonPath = values.out ?? join(RESULTS, 'latest.json');
writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n');
process.stdout.write(formatReport(results) + '\n\nJSON: ' + jsonPath + '\n');
