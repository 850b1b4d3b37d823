import type { Command } from 'commander';

/** Two or three real command lines per command, shown at the end of its --help. */
const EXAMPLES: Record<string, string[]> = {
  evalctl: [
    'evalctl create examples/reviews.csv -p "Classify as positive, negative or neutral: {review}" -m echo',
    'evalctl create reviews.csv --template sentiment --ground-truth label --fail-under accuracy=0.85',
    'evalctl list',
  ],
  create: [
    'evalctl create reviews.csv -p "Classify as positive, negative or neutral: {review}" -m gpt-4o-mini',
    'evalctl create data.csv --prompt-file prompt.txt -m gpt-4o-mini -m claude-haiku-4-5 --max-cost 5 --detach',
    'evalctl create data.csv -p "Answer: {question}" -m gpt-4o-mini --judge correctness --ground-truth answer',
  ],
  score: [
    'evalctl score <job-id>',
    'evalctl score results.parquet -t answer --ground-truth label --choices positive,negative,neutral',
    'evalctl score results.csv --ground-truth label --fail-under accuracy=0.9 --junit report.xml',
  ],
  status: ['evalctl status', 'evalctl status 3kq7 --watch', 'evalctl status 3kq7 --json | jq .cost_usd'],
  list: ['evalctl list', 'evalctl list -n 5', 'evalctl list --json | jq -r ".[].id"'],
  cancel: ['evalctl cancel 3kq7', 'evalctl cancel "$(evalctl list --json | jq -r ".[0].id")"'],
  export: ['evalctl export 3kq7 -o answers.parquet', 'evalctl export 3kq7 --overwrite'],
  view: ['evalctl view', 'evalctl view 3kq7 --open', 'evalctl view results.parquet --port 8080'],
  report: ['evalctl report -o report.html', 'evalctl report 3kq7 -o artifacts/report.html'],
  resume: ['evalctl resume 3kq7', 'evalctl resume 3kq7 --max-cost 12', 'evalctl resume 3kq7 --base-url http://localhost:11434/v1 -c 4 --detach'],
};

/** Appends the examples to the help of each command that has some and none of its own yet. */
export function addHelpExamples(root: Command): void {
  for (const command of [root, ...root.commands]) {
    const examples = EXAMPLES[command === root ? 'evalctl' : command.name()];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  ${line}`).join('\n')}`);
  }
}
