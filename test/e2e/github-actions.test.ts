// examples/github-actions/evaluate.yml, run as the runner would run it, against the stub: the
// Evaluate step's command and environment, the cache step's folder, the artifact's files, the
// step summary, and the --fail-under gate failing the job. Edit the workflow and this follows.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLoaders } from 'cosmiconfig';
import { runCli, tempDir } from '../helpers/cli.js';
import { readTable } from '../helpers/table.js';
import { startStub, type Stub } from '../stub/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKFLOW = join(ROOT, 'examples/github-actions/evaluate.yml');

interface Step { name?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, string> }
const workflow = defaultLoaders['.yaml'](WORKFLOW, readFileSync(WORKFLOW, 'utf8')) as { jobs: { evaluate: { env: Record<string, string>; steps: Step[] } } };
const job = workflow.jobs.evaluate;
const step = (match: (s: Step) => boolean) => job.steps.find(match)!;
const evaluate = step((s) => s.name === 'Evaluate');
const cache = step((s) => s.uses?.startsWith('actions/cache@') ?? false);
const upload = step((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);

/** `${{ github.workspace }}` and `${{ secrets.X }}` as the runner would fill them in. */
function expand(value: string, workspace: string): string {
  return value.replace(/\$\{\{\s*github\.workspace\s*\}\}/g, workspace).replace(/\$\{\{\s*secrets\.OPENAI_API_KEY\s*\}\}/g, 'sk-test');
}

/** Files the Evaluate step reads (the source after `create`, the `--prompt-file`), copied into a fresh workspace. */
function workspace(root: string, name: string): string {
  const dir = join(root, name);
  const words = evaluate.run!.trim().split(/\s+/);
  const inputs = words.filter((_, i) => words[i - 1] === 'create' || words[i - 1] === '--prompt-file');
  expect(inputs).toHaveLength(2);
  for (const path of inputs) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(join(ROOT, path), join(dir, path));
  }
  return dir;
}

/** Runs the Evaluate step: `npx --yes evalctl` is this checkout's CLI; the stub stands in for OpenAI. */
async function runEvaluate(dir: string, stub: Stub) {
  const words = evaluate.run!.trim().split(/\s+/);
  expect(words.slice(0, 3)).toEqual(['npx', '--yes', 'evalctl']);
  const env: Record<string, string> = { OPENAI_BASE_URL: stub.openaiBaseURL, GITHUB_STEP_SUMMARY: join(dir, 'summary.md') };
  for (const [key, value] of Object.entries({ ...job.env, ...evaluate.env })) env[key] = expand(value, dir);
  return runCli(words.slice(3), { cwd: dir, env, timeoutMs: 60_000 });
}

describe('examples/github-actions/evaluate.yml', () => {
  let temp: ReturnType<typeof tempDir>;
  let labels: Map<string, string>;
  let right: Stub;
  let wrong: Stub;

  beforeAll(async () => {
    temp = tempDir();
    const { rows } = await readTable(join(ROOT, 'examples/reviews.csv'));
    labels = new Map(rows.map((row) => [String(row.review), String(row.label)]));
    // A model that is right every time, and one that always says "neutral".
    right = await startStub({ answer: (prompt) => [...labels].find(([review]) => prompt.includes(review))?.[1] ?? 'unknown' });
    wrong = await startStub({ answer: () => 'neutral' });
  });
  afterAll(async () => {
    await right?.close();
    await wrong?.close();
    temp?.cleanup();
  });

  it('passes with a good model: exit 0, summary, artifact files, a cache the next run answers from', async () => {
    const dir = workspace(temp.dir, 'pass');
    const result = await runEvaluate(dir, right);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/accuracy/i);
    const artifact = upload.with!.path.trim().split('\n');
    expect(artifact).toEqual(['predictions.csv', 'eval-report.xml']);
    for (const path of artifact) expect(existsSync(join(dir, path)), path).toBe(true);
    expect((await readTable(join(dir, 'predictions.csv'))).rows).toHaveLength(labels.size);
    expect(readFileSync(join(dir, 'eval-report.xml'), 'utf8')).toContain('<testsuite');
    // The folder actions/cache saves is the one evalctl wrote its cache to.
    expect(existsSync(join(dir, cache.with!.path, 'responses.mdb'))).toBe(true);

    const paid = right.stats().paid;
    const again = await runEvaluate(dir, right);
    expect(again.code, again.stderr).toBe(0);
    expect(right.stats().paid).toBe(paid);
  });

  it('fails the job when accuracy is under the gate (exit 5), and still leaves the artifact', async () => {
    const dir = workspace(temp.dir, 'fail');
    const result = await runEvaluate(dir, wrong);
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/evalctl: accuracy [\d.]+ is below --fail-under accuracy=0\.8/);
    expect(upload).toMatchObject({ if: 'always()' });
    expect(existsSync(join(dir, 'predictions.csv'))).toBe(true);
  });
});
