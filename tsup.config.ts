import { defineConfig } from 'tsup';

// One ESM bundle per entry with code splitting, so `evalctl --help` loads only commander:
// DuckDB, the SDKs and the runner sit behind dynamic imports in separate chunks.
export default defineConfig({
  entry: { main: 'src/cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  // Not cleaned: rebuilding while e2e tests run must not delete chunks a running CLI is loading.
  clean: false,
  outDir: 'dist',
  skipNodeModulesBundle: true,
});
