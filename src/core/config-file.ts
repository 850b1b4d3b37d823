import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError, messageOf } from './errors.js';

// Finding and reading the config file (cosmiconfig); what its values mean is config.ts's.

const SEARCH_PLACES = ['package.json', '.evalrc', '.evalrc.json', '.evalrc.yaml', '.evalrc.yml', 'evalctl.config.json', 'evalctl.config.js', 'evalctl.config.mjs'];

/** Loads the nearest config file (.evalrc, .evalrc.json/.yaml, evalctl.config.*, package.json "evalctl"). */
export async function loadConfigFile(cwd: string, explicitPath?: string): Promise<{ path: string; values: unknown } | undefined> {
  // Most runs have no config file: finding none costs a few stat calls, not loading cosmiconfig (30-60 ms).
  if (!explicitPath && !mayHaveConfigFile(cwd)) return undefined;
  const { cosmiconfig } = await import('cosmiconfig');
  const explorer = cosmiconfig('evalctl', {
    searchPlaces: SEARCH_PLACES,
    // The nearest file from cwd up to the project root (the first directory with a package.json).
    searchStrategy: 'project',
  });
  try {
    const result = explicitPath ? await explorer.load(explicitPath) : await explorer.search(cwd);
    return result && !result.isEmpty ? { path: result.filepath, values: result.config } : undefined;
  } catch (error) {
    const where = explicitPath ?? 'the config file';
    throw new UsageError(readErrorText(messageOf(error), where), 'Fix the file (JSON or YAML) or pass another with --config.');
  }
}

/**
 * Whether cosmiconfig's search (searchStrategy 'project') could find anything: a search place
 * in cwd or a folder above it, up to the first folder with a package.json, or that
 * package.json has an "evalctl" key (or cannot be read, which cosmiconfig then reports).
 */
export function mayHaveConfigFile(cwd: string): boolean {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of SEARCH_PLACES.slice(1)) if (existsSync(join(dir, name))) return true;
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as unknown;
        return typeof parsed === 'object' && parsed !== null && 'evalctl' in parsed;
      } catch {
        return true;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

/**
 * cosmiconfig's "YAML Error in <path>:\n<reason>\n<code frame>" as one line: the path and the
 * reason, without the code frame.
 */
function readErrorText(message: string, where: string): string {
  const [first, ...rest] = message.split('\n');
  const heading = /^(?:JSON|YAML) Error in (.+?):\s*$/.exec(first);
  if (!heading) return `Cannot read ${where}: ${first}`;
  const reason = rest.find((line) => line.trim() !== '' && !/^\s*>?\s*\d*\s*\|/.test(line) && !/^-+\^/.test(line));
  return `Cannot read the config file: ${heading[1]} is not valid JSON or YAML${reason ? ` (${reason.replace(/ while parsing .*$/, '').trim()})` : ''}.`;
}
