import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * The end-to-end tests run the built CLI (bin/evalctl.js -> dist/); a dist/ older than src/
 * would test yesterday's code and pass or fail for the wrong reasons. `npm test` builds first.
 */
export default function checkBuild(): void {
  let built: number;
  try {
    built = statSync(join(ROOT, 'dist', 'main.js')).mtimeMs;
  } catch {
    throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds) before the e2e tests.');
  }
  if (newest(join(ROOT, 'src')) > built) {
    throw new Error('dist/ is older than src/: run `npm run build` (or `npm test`, which builds) before the e2e tests.');
  }
}
