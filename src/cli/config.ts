import type { Command } from 'commander';
import { ConfigError, UsageError } from '../core/errors.js';
import type { Context, Runner } from './main.js';
import { onStdout, paint } from './render.js';

/** Declares `evalctl config`. */
export function register(root: Command, run: Runner): void {
  root.command('config')
    .summary('show the settings a run here would use, and where each comes from')
    .description('Print the resolved settings (defaults <- config file <- EVALCTL_* variables), the origin of each, and where jobs and the response cache go.')
    .option('--config <path>', 'config file (default: nearest .evalrc)')
    .option('--json', 'print the settings, origins and folders as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  evalctl config\n  EVALCTL_CONCURRENCY=4 evalctl config --json\n  evalctl config --config ci/.evalrc.json')
    .action(run(async () => ({ default: showConfig })));
}

async function showConfig(context: Context, flags: { config?: string; json?: boolean }): Promise<number> {
  const { resolveSettings } = await import('../core/config.js');
  const { loadConfigFile } = await import('../core/config-file.js');
  const { settingOrigins } = await import('../core/setting-origins.js');
  const { stateLocations } = await import('../core/locations.js');
  let file;
  let settings;
  try {
    file = await loadConfigFile(context.cwd, flags.config);
    settings = resolveSettings({ file, env: context.env });
  } catch (error) {
    // As for create: a bad config file or variable is not a command-line mistake.
    if (error instanceof UsageError) throw new ConfigError(error.message, error.hint, error);
    throw error;
  }
  const origins = settingOrigins({ file, env: context.env });
  const locations = stateLocations(context.env, context.cwd);
  const { t } = context;
  if (flags.json) {
    const entries = Object.entries(settings).map(([key, value]) => [key, { value: value ?? null, origin: origins[key] ?? 'default' }]);
    t.out.write(`${JSON.stringify({ config_file: file?.path ?? null, settings: Object.fromEntries(entries), jobs: locations.home, jobs_origin: locations.origin, cache: locations.cacheDir }, null, 2)}\n`);
    return 0;
  }
  const o = onStdout(t);
  const out = (line: string) => t.out.write(`${line}\n`);
  out(`${paint(o, 'bold', 'config file')}  ${file?.path ?? 'none (defaults and EVALCTL_* variables only)'}`);
  const keys = Object.keys(settings) as (keyof typeof settings)[];
  const width = Math.max(...keys.map((key) => key.length));
  for (const key of keys) {
    const value = settings[key];
    if (value === undefined) continue;
    const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
    out(`  ${key.padEnd(width)}  ${shown.padEnd(20)}  ${paint(o, 'dim', origins[key] ?? 'default')}`);
  }
  const why = { EVALCTL_HOME: 'EVALCTL_HOME', project: 'the nearest .evalctl/ folder', user: 'the per-user state folder' }[locations.origin];
  out(`${paint(o, 'bold', 'jobs')}         ${locations.home} ${paint(o, 'dim', `(${why})`)}`);
  out(`${paint(o, 'bold', 'cache')}        ${locations.cacheDir}`);
  return 0;
}
