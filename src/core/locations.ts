import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Where evalctl keeps jobs and the response cache, and why there. */
export interface StateLocations {
  /** The job store: `<home>/jobs/<id>/`. */
  home: string;
  /** The response cache (LMDB). */
  cacheDir: string;
  /** How `home` was chosen: `EVALCTL_HOME`, a `.evalctl/` found from the working directory, or the per-user state folder. */
  origin: 'EVALCTL_HOME' | 'project' | 'user';
}

/**
 * Jobs go where people look for them: `EVALCTL_HOME` when set; else the nearest `.evalctl/`
 * folder from `cwd` upward (as git finds `.git`), so every folder of a project shares its jobs;
 * else the per-user state folder (`$XDG_STATE_HOME/evalctl`, `~/.local/state/evalctl`).
 * The response cache is one per user (`$XDG_CACHE_HOME/evalctl`, `~/.cache/evalctl`), shared by
 * every project, since an answer does not depend on where it was asked; `EVALCTL_HOME` keeps it
 * inside (`<home>/cache`) so one variable still moves all state, and `EVALCTL_CACHE_DIR` names
 * it alone (a CI cache step, a detached run).
 * @example stateLocations({ EVALCTL_HOME: '/tmp/e' }, '/work') // { home: '/tmp/e', cacheDir: '/tmp/e/cache', origin: 'EVALCTL_HOME' }
 */
export function stateLocations(env: NodeJS.ProcessEnv, cwd: string): StateLocations {
  const userHome = env.HOME || homedir();
  const fromEnv = env.EVALCTL_CACHE_DIR ? resolve(cwd, env.EVALCTL_CACHE_DIR) : undefined;
  if (env.EVALCTL_HOME) {
    const home = resolve(cwd, env.EVALCTL_HOME);
    return { home, cacheDir: fromEnv ?? join(home, 'cache'), origin: 'EVALCTL_HOME' };
  }
  const cacheDir = fromEnv ?? join(xdg(env.XDG_CACHE_HOME, join(userHome, '.cache')), 'evalctl');
  const project = nearestProjectStore(cwd);
  if (project) return { home: project, cacheDir, origin: 'project' };
  return { home: join(xdg(env.XDG_STATE_HOME, join(userHome, '.local', 'state')), 'evalctl'), cacheDir, origin: 'user' };
}

/** The XDG spec ignores relative paths in its variables. */
function xdg(value: string | undefined, fallback: string): string {
  return value && value.startsWith('/') ? value : fallback;
}

/** The nearest `.evalctl` folder in `cwd` or above it. */
export function nearestProjectStore(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, '.evalctl');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
