import { setFlagsFromString } from 'node:v8';
import { Command, Option } from 'commander';
import { ExitCode } from '../core/errors.js';
import { judgeOptions } from './judge-flags.js';
import { parse } from './options.js';
import { register as registerTemplates } from './templates.js';
import { register as registerConfig } from './config.js';
import { register as registerInit } from './init.js';
import { addHelpExamples } from './help-examples.js';
import { unknownVariableWarnings } from '../core/setting-origins.js';
import { paint, printError, say, terminal, type Terminal } from './render.js';
import { handleError, usageMessage } from './error-line.js';

/** What every command gets: the terminal, environment, and the Ctrl-C signal. */
export interface Context {
  readonly t: Terminal;
  /** Where answers to questions come from (the interactive `create`). */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted by the first Ctrl-C or SIGTERM while `cancellable` is on. */
  readonly signal: AbortSignal;
  /** While on, the first Ctrl-C cancels gracefully instead of exiting at once. */
  cancellable(on: boolean): void;
}

const VERSION = '0.2.0';

/** The flags of how a job runs, which `create` sets and `resume` may change; `defaults` are help-text suffixes. */
function runOptions(command: Command, timeoutDefault: string, retriesDefault: string, waitDefault: string): void {
  command
    .option('--rpm <n>', 'requests per minute at most', parse.positive)
    .option('--tpm <n>', 'tokens per minute at most', parse.positive)
    .option('--timeout <seconds>', `per-request timeout${timeoutDefault}`, parse.positive)
    .option('--max-retries <n>', `retries per row for 5xx, timeouts and dropped connections${retriesDefault}`, parse.nonNegativeInt)
    .option('--max-retry-wait <seconds>', `longest single wait before a retry${waitDefault}`, parse.positive);
}

/** Commander parser for a repeatable flag: every value, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Wraps a lazily loaded command as a commander action that records its exit code. */
export type Runner = (load: () => Promise<{ default: (context: Context, ...args: never[]) => Promise<number> }>) => (...args: unknown[]) => Promise<void>;

function program(context: Context, setExit: (code: number) => void): Command {
  const run: Runner = (load) =>
    async (...args: unknown[]) => {
      const module = await load();
      setExit(await module.default(context, ...(args as never[])));
    };

  const root = new Command('evalctl')
    .description('Run an LLM over every row of a dataset (parquet, CSV, JSONL) and write the answers to a new file.')
    .version(VERSION, '-V, --version')
    .option('--verbose', 'show stack traces for errors')
    .configureOutput({ writeOut: (s) => context.t.out.write(s), writeErr: (s) => context.t.err.write(s) })
    .exitOverride();

  const create = root.command('create')
    .summary('run a prompt over every row of a table')
    .description('Render the prompt for every row of <source>, call the model, and write every input column plus the answers to a new file.')
    .argument('[source]', 'a .parquet, .csv, .tsv, .jsonl/.ndjson or .json file, a glob or folder; an http(s)://, s3:// or hf://datasets/ URL; - for stdin (asked for on a terminal when left out)')
    .option('-p, --prompt <template>', 'prompt with {column} placeholders; {{ and }} for literal braces (repeatable: one variant each)', collect)
    .option('--prompt-file <path>', 'read a prompt template from a file (repeatable)', collect)
    .option('--template <name>', 'a built-in template (`evalctl templates`) or a template file: its prompt, plus defaults from its front matter')
    .option('--system <text>', 'system prompt sent with every row')
    .option('-m, --model <id>', 'gpt-*, o*, claude-*, openai:<id>, anthropic:<id>, or echo (offline) (default: gpt-4o-mini; repeatable: one variant each)', collect)
    .option('--base-url <url>', 'OpenAI-compatible or Anthropic endpoint (Ollama, vLLM, LM Studio, a gateway)')
    .option('--temperature <n>', 'sampling temperature, 0 to 2 (default: 0)', parse.temperature)
    .option('--max-tokens <n>', 'cap on completion tokens per row', parse.positiveInt)
    .option('-c, --concurrency <n>', 'requests in flight at most, per endpoint (default: 8)', parse.positiveInt)
    .option('--batch-size <n>', 'rows per request where an endpoint takes several (embeddings); chat models take one (default: 10)', parse.positiveInt)
    .addOption(new Option('--sample [n]', 'evaluate only the first n rows').argParser(parse.positiveInt).preset(10))
    .option('--sample-seed <n>', 'with --sample: a random n rows chosen with this seed', parse.nonNegativeInt)
    .option('--shard <k/n>', 'evaluate only the k-th of n contiguous row ranges (join them with `evalctl merge`)', parse.shard)
    .option('-t, --target-column <name>', 'name of the answer column (default: prediction)')
    .option('-o, --output <path>', 'output file; format from extension (default: beside the input); - for stdout')
    .addOption(new Option('--output-format <format>', 'format written to stdout with -o - (default: csv)').choices(['csv', 'tsv', 'jsonl', 'json', 'parquet']))
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// sources and outputs (MinIO, R2, Ceph); default AWS_ENDPOINT_URL')
    .option('--overwrite', 'replace an existing output file or target column')
    .option('--commit', 'commit the output file to the git repository holding it when the job completes')
    .option('--commit-message <text>', 'message of that commit (default: names the job, model and source)')
    .option('--target-branch <name>', 'commit on this branch (created if missing) without touching the working tree, index or HEAD')
    .addOption(new Option('--input-format <format>', 'read the source as this format').choices(['parquet', 'csv', 'tsv', 'jsonl', 'json']))
    .addOption(new Option('--encoding <name>', 'text encoding of a CSV or TSV source (default: utf-8)').choices(['utf-8', 'utf-16', 'latin-1']))
    .option('--name <name>', 'a name for the job')
    .option('--usage-columns', 'also write <target>_prompt_tokens and <target>_completion_tokens per variant')
    .option('--max-cost <usd>', 'stop before the spend would pass this budget', parse.positive)
    .option('--schema <schema>', "structured output into typed columns: a JSON Schema file, or 'sentiment: positive|negative, confidence: number, topics: string[]'")
    .option('--structured', 'with --choices: also ask the model for {"label": <one of the choices>}')
    .addOption(new Option('--output-type <type>', 'text (default), embeddings: a vector per row (text-embedding-* models imply it), or image: an image generated per row, written beside the output (gpt-image-*, dall-e-* imply it)').choices(['text', 'embeddings', 'image']))
    .option('--embed-images', 'with --output-type image and a parquet output: also put each image\'s bytes in a BLOB column <target>_image')
    .addOption(new Option('--input-type <type>', 'text (default), image or video: placeholders of image (video) columns (URLs, data: URLs, paths, BLOBs) are sent as images (videos; OpenAI-compatible servers only)').choices(['text', 'image', 'video']))
    .option('--image-column <name>', 'with --input-type image: a column whose placeholder is an image (repeatable; default: BLOB columns and names ending in image, img, photo or url)', collect)
    .option('--video-column <name>', 'with --input-type video: a column whose placeholder is a video (repeatable; default: BLOB columns and names ending in video, vid, clip, movie or url)', collect)
    .option('--dimensions <n>', 'with embeddings: vector length, for models that can shorten theirs', parse.positiveInt)
    .option('--max-answer-bytes <n>', 'refuse (as a row failure) an answer larger than this (default: any size)', parse.positiveInt)
    .option('--cache', 'use the response cache even where a config file or EVALCTL_CACHE turns it off')
    .option('--no-cache', 'do not answer from (or add to) the response cache')
    .option('--dry-run', 'show prompts, row count and estimated cost without calling the model')
    .option('--detach', 'run in the background; print the job id and return')
    .option('--batch-api', "send the rows through the providers' batch APIs: half the price, results within 24 hours (collected by `status`)")
    .option('--json', 'print the result as JSON on stdout')
    .option('--config <path>', 'config file (default: nearest .evalrc)');
  scoringOptions(create);
  judgeOptions(create);
  create.action(run(() => import('./create.js')));

  const score = root.command('score')
    .summary('score an existing output against a ground truth, without calling a model')
    .description('Score the answers in a job\'s output or any table: metrics against a ground-truth column, evaluators, CI gates. Never modifies the input; added columns go to a new file.')
    .argument('<subject>', 'a job id (or unique prefix), or a .parquet, .csv, .tsv, .jsonl or .json file')
    .option('-t, --target-column <name>', 'the column holding the answers (default: the job\'s, or columns with _status and _error beside them, or prediction)')
    .option('-o, --output <path>', 'write the table with the score columns here (default: beside the input, when columns are added)')
    .option('--overwrite', 'replace an existing -o file')
    .option('--json', 'print the metrics alone as JSON on stdout')
    .option('--config <path>', 'config file (default: nearest .evalrc)');
  scoringOptions(score);
  score.action(run(() => import('./score.js')));

  root.command('merge')
    .description('Join the parquet outputs of `create --shard k/n` runs into one file, in source order, checking they fit together.')
    .argument('<outputs...>', 'the shards\' parquet outputs, in any order')
    .requiredOption('-o, --output <path>', 'the merged file; format from extension')
    .option('--overwrite', 'replace an existing output file')
    .action(run(() => import('./merge.js')));

  root.command('status')
    .description('Show a job: status, progress, rate, ETA, tokens, cost, output, error (default: the latest job).')
    .argument('[id]', 'job id or a unique prefix of it')
    .option('--watch', 'follow a running job with a progress bar until it ends')
    .option('--json', 'print the job record as JSON on stdout')
    .action(run(() => import('./status.js')));

  root.command('list')
    .description('List recent jobs, newest first.')
    .option('-n, --limit <n>', 'how many jobs (default: 20)', parse.positiveInt)
    .option('--json', 'print the job records as a JSON array on stdout')
    .action(run(() => import('./list.js')));

  root.command('cancel')
    .description('Stop a running job, keeping every answer received and writing the partial output.')
    .argument('<id>', 'job id or a unique prefix of it')
    .option('--json', 'print the job record as JSON on stdout')
    .action(run(() => import('./cancel.js')));

  root.command('export')
    .description('Write a stopped job\'s output again from its answers, in any format; nothing is sent.')
    .argument('<id>', 'job id or a unique prefix of it')
    .option('-o, --output <path>', 'where to write; format from extension (.parquet, .csv, .tsv, .jsonl, .json)')
    .option('--overwrite', 'replace an existing file; without -o, write the job\'s own output again')
    .action(run(() => import('./export.js')));

  runOptions(create, ' (default: 120)', ' (default: 6; 429s get three times as many)', ' (default: 60)');

  const resume = root.command('resume')
    .description('Continue a cancelled, errored or crashed job; only rows without an answer are sent. Settings that change how it runs may change; those that change the answers may not.')
    .argument('<id>', 'job id or a unique prefix of it')
    .option('--base-url <url>', 'a new endpoint for the job\'s variants (a typo fixed, a server moved)')
    .option('-c, --concurrency <n>', 'requests in flight at most, per endpoint', parse.positiveInt)
    .option('--max-cost <usd>', 'a new budget for the whole job', parse.positive)
    .option('--live', 'a --batch-api job: send the rows without an answer as live requests instead of a new batch')
    .option('--detach', 'run in the background')
    .option('--json', 'print the result as JSON on stdout')
    .action(run(() => import('./resume.js')));
  runOptions(resume, '', '', '');
  // Flags that would change what a job asks: accepted only to be refused by name.
  for (const flags of ['-m, --model <id>', '-p, --prompt <template>', '--prompt-file <path>', '--system <text>', '--temperature <n>', '--max-tokens <n>', '-t, --target-column <name>', '--sample [n]', '--sample-seed <n>', '-o, --output <path>']) {
    resume.addOption(new Option(flags).hideHelp());
  }

  root.command('view')
    .description('Browse jobs and their rows in a local web viewer on 127.0.0.1 (Ctrl-C to stop).')
    .argument('[subject]', 'a job id (or unique prefix) or an output file (default: the jobs page)')
    .option('--port <n>', 'port to listen on (default: a free one)', parse.positiveInt)
    .option('--open', 'open the viewer in the default browser')
    .option('--json', 'print {"url": ...} as JSON on stdout')
    .action(run(() => import('./view.js')));

  root.command('report')
    .description('Write one self-contained HTML file with a job\'s metrics, charts and the rows that matter.')
    .argument('[subject]', 'a job id (or unique prefix) or an output file (default: the latest job)')
    .option('-o, --output <path>', 'where to write the report (default: report.html)')
    .option('--json', 'print what was written as JSON on stdout')
    .action(run(() => import('./report.js')));
  registerTemplates(root, run);
  registerConfig(root, run);
  registerInit(root, run);
  addHelpExamples(root);

  root.command('__run', { hidden: true })
    .argument('<id>')
    .action(run(() => import('./detached.js')));

  // Commander's own usage errors ("error: unknown option ...") in evalctl's one-line style,
  // with a hint naming the help of the command that was typed.
  for (const command of [root, ...root.commands]) {
    const name = command === root ? 'evalctl' : `evalctl ${command.name()}`;
    command.configureOutput({ outputError: (text) => printError(context.t, usageMessage(text, context.env), `Run \`${name} --help\` for usage.`) });
  }
  return root;
}

/** Flags `create` and `score` share: what to score against, and the CI gates and reports. */
function scoringOptions(command: Command): void {
  command
    .option('--ground-truth <column>', 'score the answers against this column: accuracy, per-label precision/recall/F1, confusion matrix')
    .option('--choices <labels>', 'allowed labels, comma-separated: a free-text answer counts as the one label it names')
    .option('--expect-distribution <shares>', 'expected share of each label, e.g. positive=40,negative=30,neutral=30')
    .option('--evaluator <spec>', 'exact, contains, regex:<pattern>, json, numeric:<tolerance>, a config name, or ./check.mjs (repeatable)', collect)
    .option('--fail-under <metric=value>', 'exit 5 when a metric is below the value: accuracy, macro_f1, weighted_f1, f1:<label>, pass_rate[:<evaluator>], conformance, judge_score, win_rate:<variant> (repeatable)', collect)
    .option('--junit <file>', 'write JUnit XML: a test case per row and check');
}

/** The one place that turns outcomes into exit codes and errors into one-line messages. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Each request leaves ~50 KB of short-lived SDK objects; with V8's default heap growth that
  // garbage alone adds ~100 MB of peak memory on a fast endpoint. Trade a little CPU for a small
  // heap (20,000 rows at concurrency 32: peak RSS 315 MB -> 220 MB; test/e2e/scale.test.ts).
  setFlagsFromString('--optimize-for-size');
  const t = terminal(env);
  const controller = new AbortController();
  let cancellable = false;
  let interrupts = 0;
  const onSignal = async () => {
    interrupts += 1;
    if (cancellable && interrupts === 1) { controller.abort(); return; }
    const { flushAllLogs } = await import('../core/answers.js');
    flushAllLogs();
    process.exit(ExitCode.Cancelled);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  quietOnClosedPipes();
  for (const warning of unknownVariableWarnings(env)) say(t, paint(t, 'yellow', `warning: ${warning}`));
  const context: Context = { t, stdin: process.stdin, env, cwd: process.cwd(), signal: controller.signal, cancellable: (on) => { cancellable = on; } };
  const verbose = argv.includes('--verbose') || env.EVALCTL_DEBUG === '1';
  try {
    await program(context, (code) => { process.exitCode = code; }).parseAsync(argv);
  } catch (error) {
    process.exitCode = handleError(t, error, verbose, env);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * `evalctl list | head -1`: once the reader of stdout has gone there is no one left to tell, so
 * end at once with 0, as `ls | head` does (answers already received are flushed first). A closed
 * stderr only loses messages: they are dropped and the run goes on.
 */
function quietOnClosedPipes(): void {
  process.stdout.on('error', async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    const { flushAllLogs } = await import('../core/answers.js');
    flushAllLogs();
    process.exit(ExitCode.Ok);
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}
