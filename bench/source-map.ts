// Just enough source-map reading to name the src/ file and line behind a dist/ position
// (tsup writes dist/*.js.map). Base64 VLQ "mappings" per https://sourcemaps.info/spec.html.
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve, dirname } from 'node:path';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0, shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) { shift += 5; continue; }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0; shift = 0;
  }
  return values;
}

/** Per generated line: [generatedColumn, sourceIndex, sourceLine] segments, sorted by column. */
type Lines = [number, number, number][][];

function parse(mappings: string): Lines {
  const lines: Lines = [];
  let source = 0, sourceLine = 0;
  for (const line of mappings.split(';')) {
    const segments: [number, number, number][] = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const [dc, ds, dl] = decodeVlq(segment);
      column += dc;
      if (ds === undefined) continue;
      source += ds; sourceLine += dl;
      segments.push([column, source, sourceLine]);
    }
    lines.push(segments);
  }
  return lines;
}

const cache = new Map<string, { sources: string[]; lines: Lines } | null>();

/** `src/core/runner.ts:120` for a 0-based line/column in a generated file, if its map says. */
export function originalPosition(file: string, line: number, column: number, root: string): string | undefined {
  if (!cache.has(file)) {
    const mapFile = file + '.map';
    if (!existsSync(mapFile)) cache.set(file, null);
    else {
      const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
      cache.set(file, { sources: map.sources.map((s) => relative(root, resolve(dirname(file), s))), lines: parse(map.mappings) });
    }
  }
  const map = cache.get(file);
  const segments = map?.lines[line];
  if (!map || !segments?.length) return undefined;
  let best = segments[0];
  for (const s of segments) { if (s[0] <= column) best = s; else break; }
  return `${map.sources[best[1]]}:${best[2] + 1}`;
}
