import { mergeShards } from '../core/merge.js';
import type { Context } from './main.js';
import { say } from './render.js';

/** `evalctl merge <outputs...> -o <path>`: join shard outputs into one table. */
export default async function merge(context: Context, inputs: string[], flags: { output: string; overwrite?: boolean }): Promise<number> {
  const result = await mergeShards({ inputs, output: flags.output, overwrite: flags.overwrite, cwd: context.cwd });
  say(context.t, `Merged ${result.shards} shards (${result.rows.toLocaleString('en-US')} rows) into ${result.output}`);
  return 0;
}
