/**
 * DuckDB renames duplicate and empty header names of a CSV (`review` twice -> `review`,
 * `review_1`; an empty name -> `column3`), and placeholders must use the new names. Given the
 * header as written (`header`) and the names DuckDB gave (`names`), position by position, this
 * is a warning saying which names to use, or undefined when nothing was renamed.
 *
 * @example renamedHeaderWarning('a.csv', ['id', 'x', 'x', null], ['id', 'x', 'x_1', 'column3'])
 * // 'The header of a.csv has duplicate or empty names; DuckDB calls them x_1 (the second "x"),
 * //  column3 (column 4, no name). Use these names in {placeholders}.'
 */
export function renamedHeaderWarning(label: string, header: readonly (string | null)[], names: readonly string[]): string | undefined {
  if (header.length !== names.length) return undefined;
  const counts = new Map<string, number>();
  const renamed: string[] = [];
  header.forEach((written, i) => {
    const text = written ?? '';
    const count = (counts.get(text) ?? 0) + 1;
    counts.set(text, count);
    if (text.trim() === '') renamed.push(`${names[i]} (column ${i + 1}, no name)`);
    else if (count > 1 && names[i] !== text) renamed.push(`${names[i]} (the ${ordinal(count)} "${text}")`);
  });
  if (renamed.length === 0) return undefined;
  return `The header of ${label} has duplicate or empty names; DuckDB calls them ${renamed.join(', ')}. Use these names in {placeholders}.`;
}

/** True when DuckDB may have renamed a header name: `<name>_<n>` or `column<n>`. */
export function mayBeRenamed(name: string): boolean {
  return /^column\d+$|_\d+$/.test(name);
}

function ordinal(n: number): string {
  return n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`;
}
