import { DEFAULTS, envName, settingKinds, type Settings } from './config.js';
import { closest } from './template.js';

// Where settings come from, for `evalctl config` and the warning about misspelt variables.

/** Where one setting's value came from: `default`, a file path, a variable's name, `--template <path>`, or `flag`. */
export type SettingOrigin = string;

/** Each setting the layers set, with the layer that set it last (see `resolveSettings`). */
export function settingOrigins(layers: { file?: { path: string; values: unknown }; env?: NodeJS.ProcessEnv; template?: Partial<Settings>; templatePath?: string; flags?: Partial<Settings> }): Record<string, SettingOrigin> {
  const origins: Record<string, SettingOrigin> = {};
  for (const key of Object.keys(DEFAULTS)) origins[key] = 'default';
  const fileValues = layers.file?.values;
  if (fileValues && typeof fileValues === 'object') for (const key of Object.keys(fileValues)) if (key !== '$schema' && key !== 'comment') origins[key] = layers.file!.path;
  for (const key of Object.keys(settingKinds())) if (layers.env?.[envName(key)]) origins[key] = envName(key);
  for (const key of Object.keys(layers.template ?? {})) origins[key] = `--template ${layers.templatePath ?? ''}`.trim();
  for (const [key, value] of Object.entries(layers.flags ?? {})) if (value !== undefined) origins[key] = 'flag';
  return origins;
}

/** EVALCTL_* variables that are not settings: where state goes, debugging, progress lines, provider batches (batch/limits.ts). */
const OTHER_VARIABLES = ['EVALCTL_HOME', 'EVALCTL_CACHE_DIR', 'EVALCTL_DEBUG', 'EVALCTL_PROGRESS_INTERVAL_MS', 'EVALCTL_BATCH_MAX_REQUESTS', 'EVALCTL_BATCH_MAX_BYTES', 'EVALCTL_BATCH_POLL_MS'];

/** Every EVALCTL_* variable evalctl reads. */
export function knownVariables(): string[] {
  return [...Object.keys(settingKinds()).map(envName), ...OTHER_VARIABLES];
}

/**
 * One warning per EVALCTL_* variable evalctl does not read (a typo would otherwise be ignored
 * without a word): `EVALCTL_CONCURENCY is not an evalctl variable. Did you mean EVALCTL_CONCURRENCY?`
 */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv): string[] {
  const known = knownVariables();
  return Object.keys(env)
    .filter((name) => name.startsWith('EVALCTL_') && !known.includes(name))
    .map((name) => {
      // Compared without the shared prefix, so EVALCTL_XYZ is not "close" to EVALCTL_RPM.
      const suggestion = closest(name.slice('EVALCTL_'.length), known.map((k) => k.slice('EVALCTL_'.length)));
      return `${name} is not an evalctl variable${suggestion ? `. Did you mean EVALCTL_${suggestion}?` : '; it is ignored.'}`;
    });
}
