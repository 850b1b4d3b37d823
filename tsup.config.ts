import { defineConfig } from 'tsup';

export default defineConfig([
  // One ESM bundle per entry with code splitting, so `evalctl --help` loads only commander:
  // DuckDB, the SDKs and the runner sit behind dynamic imports in separate chunks.
  {
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
  },
  // The viewer's page (src/web): one minified script and one stylesheet, inlined into the HTML
  // the viewer serves and the reports it writes (src/core/view/page.ts). No runtime fetch.
  {
    entry: { app: 'src/web/main.ts' },
    format: ['iife'],
    target: 'es2020',
    platform: 'browser',
    minify: true,
    sourcemap: false,
    clean: false,
    outDir: 'dist/web',
    outExtension: () => ({ js: '.js' }),
  },
]);
