import { relative, resolve } from 'node:path';
import { JobStore } from '../core/jobs.js';
import { FILE_ID, resolveSubject, ViewCatalog } from '../core/view/catalog.js';
import { writeReport } from '../core/view/report.js';
import type { Context } from './main.js';
import { say } from './render.js';
import { appendStepSummary } from './step-summary.js';

/** `evalctl report [job | file] -o report.html`: one self-contained HTML file for CI artifacts. */
export default async function report(context: Context, subject: string | undefined, flags: { output?: string; json?: boolean }): Promise<number> {
  const store = JobStore.fromEnv(context.env, context.cwd);
  const resolved = resolveSubject(store, subject ?? store.read().id, context.cwd);
  const catalog = new ViewCatalog(store, resolved.kind === 'file' ? resolved.path : null);
  const id = resolved.kind === 'job' ? resolved.id : FILE_ID;
  const path = resolve(context.cwd, flags.output ?? 'report.html');
  try {
    const { selection } = await writeReport(catalog, id, path);
    const n = (x: number) => x.toLocaleString('en-US');
    say(context.t, `Wrote ${path}: ${n(selection.matter_shown + selection.sampled)} of ${n(selection.total_rows)} rows (${n(selection.matter_shown)} failed, invalid or incorrect; ${n(selection.sampled)} sampled).`);
    appendStepSummary(context.env, () => `\nHTML report: [${relative(context.cwd, path) || path}](${relative(context.cwd, path)}) (${n(selection.total_rows)} rows; upload it as an artifact to open it)\n`);
    if (flags.json) context.t.out.write(`${JSON.stringify({ path, ...selection })}\n`);
  } finally {
    await catalog.close();
  }
  return 0;
}
