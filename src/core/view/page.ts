import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StorageError } from '../errors.js';
import type { Boot } from './types.js';

/**
 * The page: one HTML document with the bundled script and styles inline (built by tsup from
 * src/web into dist/web), and the boot data as JSON. The server sends it; a report is it, saved.
 */
export function pageHtml(boot: Boot, options: { title: string; csp: string }): string {
  const { script, style } = assets();
  // `<` escaped, so no value in the data can close the script element.
  const data = JSON.stringify(boot).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${options.csp}">
<title>${escapeHtml(options.title)}</title>
<style>${style}</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="evalctl-boot">${data}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** No network at all: everything is inline. */
export const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";
/** The served page may call its own API and nothing else. */
export const SERVER_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'";

let cached: { script: string; style: string } | undefined;

function assets(): { script: string; style: string } {
  if (cached) return cached;
  // Bundled, this module sits in dist/; from source (tests), dist/ is three folders up.
  const candidates = [new URL('./web/', import.meta.url), new URL('../../../dist/web/', import.meta.url)].map((u) => fileURLToPath(u));
  const dir = candidates.find((d) => existsSync(`${d}app.js`));
  if (!dir) throw new StorageError(`The viewer's page is not built (no app.js in ${candidates.join(' or ')}).`, 'Run `npm run build`.');
  cached = { script: readFileSync(`${dir}app.js`, 'utf8'), style: existsSync(`${dir}app.css`) ? readFileSync(`${dir}app.css`, 'utf8') : '' };
  return cached;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
