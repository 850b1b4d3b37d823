import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { InputFormat } from '../dataset.js';
import { InputError, UsageError } from '../errors.js';
import { outputFormatFromPath } from '../writer.js';
import { reservationPath } from './ownership.js';

/**
 * Checks an output path given on the command line (`create -o`, `export -o`) and returns it
 * resolved: a known format, not the input file, a writable directory, not an existing file
 * unless `overwrite`.
 */
export function checkOutputPath(given: string, options: { cwd: string; input: string; overwrite: boolean; flag?: string }): string {
  const flag = options.flag ?? '--output';
  const output = resolve(options.cwd, given);
  outputFormatFromPath(output);
  if (sameFile(output, options.input)) {
    throw new UsageError(`The output ${given} is the input file; evalctl never modifies its input.`, `Choose another ${flag} path.`);
  }
  // From here on the command line is fine but the file system disagrees: exit 1, not 2.
  const directory = dirname(output);
  if (!existsSync(directory)) {
    throw new InputError(`The output directory ${directory} does not exist.`, `Create it first, or choose another ${flag} path.`);
  }
  if (!statSync(directory).isDirectory()) {
    throw new InputError(`The output directory ${directory} is a file, not a directory.`, `Choose another ${flag} path.`);
  }
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    throw new InputError(`Cannot write to the output directory ${directory} (permission denied).`, `Choose another ${flag} path.`);
  }
  if (existsSync(output) && !options.overwrite) {
    throw new InputError(`The output ${given} already exists.`, `Pass --overwrite to replace it, or choose another ${flag} path.`);
  }
  if (existsSync(output) && statSync(output).isDirectory()) {
    throw new InputError(`The output ${given} is a directory.`, `Give a file path to ${flag}, e.g. out.parquet.`);
  }
  return output;
}

/**
 * The default output names of an input, in order of preference: `reviews.csv` ->
 * `reviews.prediction.csv`, `reviews.prediction-2.csv`, ...
 */
export function* defaultOutputNames(input: string, format: InputFormat, target: string): Generator<string> {
  const name = basename(input).replace(/\.(gz|zst)$/i, '');
  const stem = name.slice(0, name.length - extname(name).length) || name;
  // JSON lines keep the input's own spelling (.jsonl or .ndjson); anything else gets the format's.
  const extension = format === 'jsonl' && /^\.(jsonl|ndjson)$/i.test(extname(name)) ? extname(name) : `.${format}`;
  const safeTarget = target.replace(/[^\w.-]+/g, '_');
  for (let n = 1; ; n++) yield join(dirname(input), `${stem}.${safeTarget}${n === 1 ? '' : `-${n}`}${extension}`);
}

/** The first default name with neither a file nor another job's reservation (what a dry run shows). */
export function freeName(input: string, format: InputFormat, target: string): string {
  for (const candidate of defaultOutputNames(input, format, target)) {
    if (!existsSync(candidate) && !existsSync(reservationPath(candidate))) return candidate;
  }
  throw new Error('unreachable');
}

export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
